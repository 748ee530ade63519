/**
 * Progress of several stacks on one terminal: each stack's output is cut into lines and every line
 * is written whole with the stack's name in front, so parallel runs interleave by line only.
 */

/** A writer of one stack's output chunks; `flush` writes a trailing partial line. */
export interface PrefixedWriter {
  (chunk: string): void;
  flush(): void;
}

/** A writer prefixing each line with `[prefix] `, padded to `width`, into `write`. */
export function prefixedWriter(
  prefix: string,
  write: (text: string) => void,
  width: number = prefix.length,
): PrefixedWriter {
  const label = `[${prefix}]`.padEnd(width + 2);
  let partial = "";
  const writer = ((chunk: string) => {
    const lines = (partial + chunk).split(/\r?\n/);
    partial = lines.pop() ?? "";
    for (const line of lines) {
      write(`${label} ${line}\n`);
    }
  }) as PrefixedWriter;
  writer.flush = () => {
    if (partial !== "") {
      write(`${label} ${partial}\n`);
      partial = "";
    }
  };
  return writer;
}
