/** What a rejected configuration reports, one `path: message (received …)` line per problem. */
import { ConfigError } from "../../components/config";

/** Runs `parse`, which must throw a {@link ConfigError}, and returns its problems as lines. */
export function configProblems(parse: () => unknown): string[] {
  try {
    parse();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems.map(
      (p) => `${p.path}: ${p.message} (received ${p.received})`,
    );
  }
  throw new Error("expected the config to be rejected");
}
