/** Summaries of repeated measurements: the median with the range, since these machines are noisy. */

/** Median, min and max of a set of samples. */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

/** Summarizes `samples` (at least one). */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) {
    throw new Error("no samples to summarize");
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: sorted.length };
}

/** `median (min–max)` with `digits` decimals. */
export function formatSummary(s: Summary, digits = 1, unit = ""): string {
  const f = (v: number) => v.toFixed(digits);
  return `${f(s.median)}${unit} (${f(s.min)}–${f(s.max)})`;
}
