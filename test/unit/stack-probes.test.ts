/** Stack probes are formatted plainly; errors with a message keep the installed formatter. */
import { isStackProbe, plainStackTrace, useFastStackProbes } from "../../components/runtime";

describe("useFastStackProbes", () => {
  const formatter = () => Object.getOwnPropertyDescriptor(Error, "prepareStackTrace")?.value;
  const original = formatter() as typeof Error.prepareStackTrace;
  afterEach(() => {
    Error.prepareStackTrace = original;
  });

  test("only message-less plain Errors skip the installed (source-mapping) formatter", () => {
    const mapped = jest.fn((error: Error) => `mapped ${error.message}`);
    Error.prepareStackTrace = mapped;
    useFastStackProbes();
    useFastStackProbes(); // twice: still one wrapper
    const probe = new Error().stack ?? "";
    expect(probe.split("\n")[0]).toBe("Error");
    expect(probe).toMatch(/^ {4}at .*stack-probes\.test\.ts:\d+:\d+/m);
    expect(new Error("boom").stack).toBe("mapped boom");
    expect(new TypeError("").stack).toBe("mapped ");
    expect(mapped).toHaveBeenCalledTimes(2);
  });

  test("without an installed formatter nothing changes", () => {
    delete (Error as { prepareStackTrace?: unknown }).prepareStackTrace;
    useFastStackProbes();
    expect(formatter()).toBeUndefined();
  });

  test("what counts as a probe, and V8's rendering", () => {
    expect([new Error(), new Error("x"), new RangeError(), "text"].map(isStackProbe)).toEqual([
      true,
      false,
      false,
      false,
    ]);
    const frame = { toString: () => "f (/a.js:1:2)" } as NodeJS.CallSite;
    expect(plainStackTrace(new Error(), [frame, frame])).toBe(
      "Error\n    at f (/a.js:1:2)\n    at f (/a.js:1:2)",
    );
    expect(plainStackTrace(new Error("m"), [])).toBe("Error: m");
  });
});
