/**
 * Creates a cancelled run could not confirm: which failures count (the request may have reached
 * the API server), and how they enter the state, marked, for the repair to read them back.
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";
import {
  INTERRUPTED_MARK,
  interruptedCreates,
  interruptedUrns,
  withInterruptedCreates,
} from "../../automation/interrupted-creates";

const STACK = "urn:pulumi:edge::aios-infra::";
const PARENT = `${STACK}aios-infra:cluster:ClusterServices$aios-infra:cluster:Workload::services-membership`;
const PROVIDER = `${STACK}pulumi:providers:kubernetes::k8s::0b8c6f1e`;
const urnOf = (type: string, name: string) =>
  `${STACK}aios-infra:cluster:ClusterServices$aios-infra:cluster:Workload$${type}::${name}`;

/** The events of one failed create, as the engine reports them. */
function failedCreate(
  type: string,
  name: string,
  metadata: Record<string, unknown>,
  message: string,
  op = "create",
): EngineEvent[] {
  const urn = urnOf(type, name);
  const base = { sequence: 0, timestamp: 0 };
  return [
    { ...base, diagnosticEvent: { urn, message, color: "never", severity: "error" } },
    {
      ...base,
      resOpFailedEvent: {
        status: 1,
        steps: 1,
        metadata: {
          op,
          urn,
          type,
          provider: PROVIDER,
          new: {
            urn,
            type,
            id: "",
            parent: PARENT,
            provider: PROVIDER,
            custom: true,
            inputs: {
              apiVersion: "rbac.authorization.k8s.io/v1",
              kind: type.split(":").pop(),
              metadata,
              rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }],
            },
            outputs: {},
          },
        },
      },
    } as EngineEvent,
  ];
}

const CLUSTER_ROLE = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole";
const ROLE = "kubernetes:rbac.authorization.k8s.io/v1:Role";
const SENT_AND_LOST = (name: string) =>
  `resource "${urnOf(CLUSTER_ROLE, name)}" was not successfully created by the Kubernetes API server: Patch "https://127.0.0.1:41857/apis/rbac.authorization.k8s.io/v1/clusterroles/${name}?fieldManager=pulumi-kubernetes-ffe4b181&force=false": context canceled`;

test("a create cancelled on the wire is interrupted: its object identity, parent and provider, no data", () => {
  const events = failedCreate(
    CLUSTER_ROLE,
    "services-membership-clusterrole",
    { name: "aios:edge:membership", labels: { "aios.io/cluster": "edge" } },
    SENT_AND_LOST("aios:edge:membership"),
  );
  expect(interruptedCreates(events)).toEqual([
    {
      urn: urnOf(CLUSTER_ROLE, "services-membership-clusterrole"),
      type: CLUSTER_ROLE,
      parent: PARENT,
      provider: PROVIDER,
      inputs: {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        metadata: { name: "aios:edge:membership" },
      },
    },
  ]);
});

test("failures that leave nothing are not interrupted: never sent, refused, not a create, no name", () => {
  const meta = { name: "r", namespace: "controllers" };
  const events = [
    // The client's rate limiter gave up before any request was sent.
    ...failedCreate(
      ROLE,
      "a",
      meta,
      "was not successfully created by the Kubernetes API server: client rate limiter Wait returned an error: context canceled",
    ),
    // The API server answered: it refused.
    ...failedCreate(ROLE, "b", meta, 'roles.rbac.authorization.k8s.io "r" is forbidden'),
    // An update is already in the state.
    ...failedCreate(ROLE, "c", meta, "Patch: context canceled", "update"),
    // Without a name there is no id to import by.
    ...failedCreate(ROLE, "d", {}, "Patch: context canceled"),
    // A Helm release is not a plain object.
    ...failedCreate("kubernetes:helm.sh/v3:Release", "e", meta, "context canceled"),
  ];
  expect(interruptedCreates(events)).toEqual([]);
  // A lost connection counts like a cancel; the namespace is kept.
  const lost = failedCreate(ROLE, "f", meta, "Patch: http2: client connection lost");
  expect(interruptedCreates(lost).map((c) => c.inputs.metadata)).toEqual([meta]);
});

test("recorded once, after their parent and provider, marked; the marked ones are refreshed next", () => {
  const events = [
    ...failedCreate(ROLE, "known", { name: "k", namespace: "n" }, "context canceled"),
    ...failedCreate(ROLE, "new", { name: "x", namespace: "controllers" }, "context canceled"),
    ...failedCreate(CLUSTER_ROLE, "cluster-wide", { name: "aios:edge:x" }, "context canceled"),
  ];
  const deployment = {
    resources: [{ urn: PROVIDER.split("::").slice(0, -1).join("::") }, { urn: PARENT }].concat([
      { urn: urnOf(ROLE, "known") },
    ]),
  };
  const { deployment: next, added } = withInterruptedCreates(
    deployment,
    interruptedCreates(events),
  );
  expect(added.map((c) => c.urn)).toEqual([
    urnOf(ROLE, "new"),
    urnOf(CLUSTER_ROLE, "cluster-wide"),
  ]);
  expect(next.resources?.slice(0, 3)).toEqual(deployment.resources);
  expect(next.resources?.slice(3)).toEqual([
    {
      urn: urnOf(ROLE, "new"),
      custom: true,
      id: "controllers/x",
      type: ROLE,
      inputs: {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: { name: "x", namespace: "controllers" },
      },
      outputs: {},
      parent: PARENT,
      provider: PROVIDER,
      initErrors: [INTERRUPTED_MARK],
    },
    expect.objectContaining({ id: "aios:edge:x", initErrors: [INTERRUPTED_MARK] }),
  ]);
  expect(interruptedUrns(next)).toEqual([urnOf(ROLE, "new"), urnOf(CLUSTER_ROLE, "cluster-wide")]);
  // A resource failing to initialize for another reason is not refreshed by the repair.
  expect(
    interruptedUrns({ resources: [{ urn: "u", initErrors: ["0/1 replicas ready"] }] }),
  ).toEqual([]);
});

test("nothing is recorded without the parent or the provider in the state", () => {
  const creates = interruptedCreates(
    failedCreate(ROLE, "r", { name: "x", namespace: "controllers" }, "context canceled"),
  );
  expect(withInterruptedCreates({ resources: [{ urn: PARENT }] }, creates).added).toEqual([]);
  const providerOnly = { resources: [{ urn: PROVIDER.split("::").slice(0, -1).join("::") }] };
  expect(withInterruptedCreates(providerOnly, creates).added).toEqual([]);
});
