/**
 * How a bench child ends: its exit code is its own result. Under the mocks a component's
 * `registerOutputs` can stay pending (nothing resolves some provider outputs), which the runtime
 * reports as a promise leak and turns into exit code 1 when the process exits; a child measures
 * evaluation, not that, so its own code wins.
 */
export function runChildMain(main: () => Promise<void>): void {
  let code = 0;
  main()
    .then(
      () => undefined,
      (e: unknown) => {
        process.stderr.write(`${String(e instanceof Error ? e.stack : e)}\n`);
        code = 1;
      },
    )
    .finally(() => {
      // Registered after the runtime's leak check, so it runs last and decides the exit code.
      process.on("exit", () => {
        process.exitCode = code;
      });
      process.exit(code);
    });
}
