/** The rules of the pack, in the order they are reported. One rule per file in rules/. */
import type { Policies } from "@pulumi/policy";
import { containerResources } from "./rules/container-resources";
import { credentialsInSecrets } from "./rules/credentials-in-secrets";
import { helmChartsPinned } from "./rules/helm-charts-pinned";
import { imagesPinned } from "./rules/images-pinned";
import { noClusterAdmin } from "./rules/no-cluster-admin";
import { noControlPlaneExposure } from "./rules/no-control-plane-exposure";
import { noDatastoreOnNodePort } from "./rules/no-datastore-on-nodeport";
import { noPrivilegedContainers } from "./rules/no-privileged-containers";
import { noRbacWildcards } from "./rules/no-rbac-wildcards";
import { nodePortInRange } from "./rules/nodeport-in-range";
import { nodePortUnique } from "./rules/nodeport-unique";
import { readinessProbes } from "./rules/readiness-probes";
import { recommendedLabels } from "./rules/recommended-labels";

/** The pack's name (what `--policy-pack-config` files and the CLI's output refer to). */
export const PACK_NAME = "aios-infra";

export const POLICIES: Policies = [
  nodePortInRange,
  nodePortUnique,
  noControlPlaneExposure,
  noClusterAdmin,
  noRbacWildcards,
  noPrivilegedContainers,
  imagesPinned,
  containerResources,
  readinessProbes,
  noDatastoreOnNodePort,
  helmChartsPinned,
  recommendedLabels,
  credentialsInSecrets,
];
