/**
 * Project and stack files of a run directory: a copy of this project's Pulumi.yaml without `main`
 * (the program runs inline) and a stack file whose config comes from elsewhere. The CLI writes the
 * secrets provider's `encryptionsalt` into the stack file of the directory it runs in; keeping that
 * directory outside the repository keeps `npm start` from rewriting the committed stack files.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { PROJECT_DIR } from "./workspace";

/** A stack file's content. */
export interface StackFile {
  readonly config?: Record<string, unknown>;
  readonly encryptionsalt?: string;
  readonly [key: string]: unknown;
}

/** Reads a stack file, or undefined when it does not exist. */
export function readStackFile(file: string): StackFile | undefined {
  return fs.existsSync(file)
    ? ((YAML.parse(fs.readFileSync(file, "utf8")) ?? {}) as StackFile)
    : undefined;
}

/** Writes Pulumi.yaml (this project's, without `main`) into `dir`. */
export function writeProjectFile(dir: string): void {
  const project = YAML.parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8")) as {
    main?: string;
  };
  delete project.main;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), YAML.stringify(project));
}

/**
 * (Re)writes `dir`/Pulumi.<stack>.yaml from `source`, keeping the salt the CLI wrote there before
 * unless `source` brings its own (its secrets are encrypted with that one).
 */
export function writeStackFile(dir: string, stackName: string, source: StackFile): void {
  const file = path.join(dir, `Pulumi.${stackName}.yaml`);
  const salt = source.encryptionsalt ?? readStackFile(file)?.encryptionsalt;
  fs.writeFileSync(
    file,
    YAML.stringify({ ...source, ...(salt === undefined ? {} : { encryptionsalt: salt }) }),
  );
}
