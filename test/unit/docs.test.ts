/**
 * The documentation stays navigable: README.md and every docs/*.md link only to files and headings
 * that exist (anchors computed with GitHub's rules), never outside the repository, keep lines
 * readable (120 characters outside fenced code), and the README stays a short guide that names the
 * two commands a newcomer needs.
 */
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");
const MAX_LINE = 120;
const MAX_README_LINES = 250;

/** README.md and docs/*.md, relative to the repository root. */
function markdownFiles(): string[] {
  const docs = fs
    .readdirSync(path.join(ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => path.join("docs", name));
  return ["README.md", ...docs];
}

function read(file: string): string {
  return fs.readFileSync(path.join(ROOT, file), "utf8");
}

interface Line {
  readonly number: number;
  readonly text: string;
}

/** The lines outside fenced code blocks (``` or ~~~, closed by a fence of the same kind). */
function proseLines(markdown: string): Line[] {
  const lines: Line[] = [];
  let fence: string | undefined;
  markdown.split(/\r?\n/).forEach((text, index) => {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(text)?.[1];
    if (marker !== undefined) {
      if (fence === undefined) {
        fence = marker;
        return;
      }
      if (marker[0] === fence[0] && marker.length >= fence.length && text.trim() === marker) {
        fence = undefined;
        return;
      }
    }
    if (fence === undefined) {
      lines.push({ number: index + 1, text });
    }
  });
  return lines;
}

/** A line with its inline code spans blanked out (links inside code are not links). */
function withoutCodeSpans(text: string): string {
  return text.replace(/(`+)[\s\S]*?\1/g, (span) => " ".repeat(span.length));
}

/** GitHub's anchor for a heading's text: rendered text, lowercased, punctuation dropped. */
function githubSlug(heading: string): string {
  const rendered = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // links and images → their text
    .replace(/`([^`]*)`/g, "$1") // code spans → their content
    .replace(/(\*\*|__)(.+?)\1/g, "$2") // strong emphasis
    .replace(/<[^>]+>/g, ""); // inline HTML
  return rendered
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

/** The anchors of a file's headings, with GitHub's -1, -2, … suffixes for repeated ones. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const { text } of proseLines(markdown)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(text)?.[1];
    if (heading === undefined) {
      continue;
    }
    const base = githubSlug(heading);
    let slug = base;
    let count = seen.get(base) ?? 0;
    while (result.has(slug)) {
      count += 1;
      slug = `${base}-${count}`;
    }
    seen.set(base, count);
    result.add(slug);
  }
  return result;
}

interface Link {
  readonly line: number;
  readonly target: string;
}

/** Inline links and images `[text](target "title")` and reference definitions `[x]: target`. */
function links(markdown: string): Link[] {
  const result: Link[] = [];
  for (const { number, text } of proseLines(markdown)) {
    const prose = withoutCodeSpans(text);
    for (const match of prose.matchAll(/\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+"[^"]*")?\s*\)/g)) {
      result.push({ line: number, target: match[1].replace(/^<|>$/g, "") });
    }
    const definition = /^ {0,3}\[[^\]]+\]:\s*(\S+)/.exec(prose);
    if (definition !== null) {
      result.push({ line: number, target: definition[1] });
    }
  }
  return result;
}

/** Problems with one link of `file`, or none. */
function linkProblems(file: string, target: string): string[] {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
    return /^(https?|mailto):/i.test(target) ? [] : [`${target}: not a web link`];
  }
  const hash = target.indexOf("#");
  const pathPart = decodeURIComponent(hash === -1 ? target : target.slice(0, hash));
  const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
  const resolved =
    pathPart === ""
      ? path.join(ROOT, file)
      : pathPart.startsWith("/")
        ? path.join(ROOT, pathPart)
        : path.resolve(ROOT, path.dirname(file), pathPart);
  const relative = path.relative(ROOT, resolved);
  if (relative.startsWith("..") || path.isAbsolute(relative)) {
    return [`${target}: points outside the repository`];
  }
  if (!fs.existsSync(resolved)) {
    return [`${target}: ${relative} does not exist`];
  }
  if (anchor === undefined) {
    return [];
  }
  if (!resolved.endsWith(".md")) {
    return [`${target}: an anchor into a file that is not Markdown`];
  }
  return anchors(fs.readFileSync(resolved, "utf8")).has(anchor)
    ? []
    : [`${target}: no heading '#${anchor}' in ${relative}`];
}

describe("githubSlug and anchors", () => {
  it("follow GitHub's rules", () => {
    expect(githubSlug("`aios-infra:nodePorts` — the NodePort plan")).toBe(
      "aios-infranodeports--the-nodeport-plan",
    );
    expect(githubSlug("Container registry (`containerRegistry`)")).toBe(
      "container-registry-containerregistry",
    );
    expect(githubSlug("Operator or pipeline loop?")).toBe("operator-or-pipeline-loop");
    expect(githubSlug("The gateway's [Mappings](x.md)")).toBe("the-gateways-mappings");
    expect(githubSlug("snake_case and `gpu.aios/info`")).toBe("snake_case-and-gpuaiosinfo");
  });

  it("number repeated headings and ignore headings inside fenced code", () => {
    const markdown = ["# A", "## Setup", "```sh", "# Setup", "```", "## Setup", "### Setup"].join(
      "\n",
    );
    expect([...anchors(markdown)]).toEqual(["a", "setup", "setup-1", "setup-2"]);
  });

  it("find links outside code only", () => {
    const markdown = ["[a](x.md#y) `[b](nope.md)`", "```", "[c](nope.md)", "```", "[d]: z.md"];
    expect(links(markdown.join("\n")).map((l) => l.target)).toEqual(["x.md#y", "z.md"]);
  });
});

describe.each(markdownFiles())("%s", (file) => {
  const markdown = read(file);

  it("links only to existing files and headings inside the repository", () => {
    const problems = links(markdown).flatMap(({ line, target }) =>
      linkProblems(file, target).map((problem) => `${file}:${line}: ${problem}`),
    );
    expect(problems).toEqual([]);
  });

  it(`has no line over ${MAX_LINE} characters outside fenced code`, () => {
    const long = proseLines(markdown)
      .filter(({ text }) => [...text].length > MAX_LINE)
      .map(({ number, text }) => `${file}:${number}: ${[...text].length} characters`);
    expect(long).toEqual([]);
  });
});

describe("README.md", () => {
  const readme = read("README.md");

  it(`is a short guide of at most ${MAX_README_LINES} lines`, () => {
    expect(readme.trimEnd().split(/\r?\n/).length).toBeLessThanOrEqual(MAX_README_LINES);
  });

  it("names the two commands a newcomer needs", () => {
    expect(readme).toContain("npm start");
    expect(readme).toContain("npm test");
  });
});
