/** Helm charts from a repository pinned to an exact version (a local chart is pinned by its files). */
import type { ResourceValidationPolicy } from "@pulumi/policy";

/** A Release's or Chart's properties, as far as the rule reads them. */
interface ChartProps {
  readonly chart?: string;
  readonly version?: string;
  readonly repositoryOpts?: { readonly repo?: string };
}

const CHART_TYPES = ["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart"];

/** Whether a chart reference points into a repository (not a local directory or archive). */
function fromRepository(props: ChartProps): boolean {
  const chart = props.chart ?? "";
  return (
    props.repositoryOpts?.repo !== undefined ||
    chart.startsWith("oci://") ||
    /^https?:\/\//.test(chart) ||
    (!chart.startsWith(".") && !chart.startsWith("/") && chart.includes("/"))
  );
}

export const helmChartsPinned: ResourceValidationPolicy = {
  name: "helm-charts-pinned",
  description: "Every Helm chart from a repository is pinned to an exact version.",
  severity: "high",
  validateResource: (args, reportViolation) => {
    const props = args.props as ChartProps;
    if (!CHART_TYPES.includes(args.type) || !fromRepository(props)) {
      return;
    }
    const kind = args.type.endsWith("Release") ? "Release" : "Chart";
    const what = `Helm ${kind} '${args.name}' (chart '${props.chart ?? ""}')`;
    if (props.version === undefined || props.version === "") {
      reportViolation(`${what} has no version. Pin it to an exact chart version.`);
    } else if (!/^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/.test(props.version)) {
      reportViolation(
        `${what} has version '${props.version}', a range. Pin it to an exact chart version.`,
      );
    }
  },
};
