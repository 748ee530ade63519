/** The benchmark's arithmetic: medians with ranges, tenfold growth, goals, the table. */
import { clusterFigures, formatTable, programFigures } from "../../bench/report";
import { summarize } from "../../bench/stats";

test("the median of an odd and an even number of samples, with the range", () => {
  expect(summarize([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, runs: 3 });
  expect(summarize([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4, runs: 4 });
  expect(() => summarize([])).toThrow("no samples");
});

test("program figures: growth per tenfold step pairs the runs, and the 1000-block goal", () => {
  const run = (blocks: number, wallMs: number) => ({
    blocks,
    wallMs,
    registrations: blocks * 5,
    peakRssMB: 300,
  });
  const figures = programFigures([
    run(100, 1000),
    run(1000, 9000),
    run(100, 1000),
    run(1000, 12000),
    run(100, 2000),
    run(1000, 16000),
  ]);
  const growth = figures.find((f) => f.name === "program growth 100 → 1000 blocks");
  expect(growth?.summary).toEqual({ median: 9, min: 8, max: 12, runs: 3 });
  expect(growth?.met).toBe(true);
  const wall = figures.find((f) => f.name === "program, 1000 blocks: wall time");
  expect(wall).toMatchObject({ summary: { median: 12 }, goal: "< 15 s", met: true });
  const rate = figures.find((f) => f.name === "program, 100 blocks: resources/s");
  expect(rate?.summary).toEqual({ median: 500, min: 250, max: 500, runs: 3 });
});

test("cluster figures: ratios per run against the floor, goals marked", () => {
  const figures = clusterFigures([
    {
      pulumiUpMs: 3000,
      pulumiPreviewMs: 600,
      pulumiDestroyMs: 12000,
      kubectlApplyMs: 1000,
      kubectlDeleteMs: 10000,
      resources: 54,
      objects: 41,
    },
  ]);
  const byName = Object.fromEntries(figures.map((f) => [f.name, f]));
  expect(byName["up / kubectl ratio"]).toMatchObject({ summary: { median: 3 }, met: false });
  expect(byName["preview / up ratio"]).toMatchObject({ summary: { median: 0.2 }, met: true });
  expect(byName["destroy / kubectl delete ratio"].summary.median).toBeCloseTo(1.2);
  expect(formatTable(figures).split("\n")[2]).toBe(
    "pulumi up                                   3.00 s (3.00–3.00)     1",
  );
});
