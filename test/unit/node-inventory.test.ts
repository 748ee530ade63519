/** The preview-time check that configured nodes exist. */
import { freePorts } from "../../scripts/control-plane/free-port";
import { missingNodeProblems, verifyNodesExist } from "../../components/config";

const nodes = [
  {
    id: "a",
    kubernetesNodeName: "host-a",
    gpus: [],
    gpuCount: 0,
    vcpus: 0,
    memoryMB: 0,
    virtual: false,
  },
  {
    id: "b",
    kubernetesNodeName: "host-b",
    gpus: [],
    gpuCount: 0,
    vcpus: 0,
    memoryMB: 0,
    virtual: false,
  },
];

test("a virtual node is not looked for: the stack creates it", () => {
  const withVirtual = [
    ...nodes,
    { ...nodes[0], id: "v", kubernetesNodeName: "hpc-1", virtual: true },
  ];
  expect(missingNodeProblems(withVirtual, ["host-a", "host-b"])).toEqual([]);
});

test("nodes present in the cluster raise no problem", () => {
  expect(missingNodeProblems(nodes, ["host-b", "host-a", "other"])).toEqual([]);
});

test("a missing node is named with its config path and the nodes the cluster has", () => {
  expect(missingNodeProblems(nodes, ["other", "host-a"])).toEqual([
    {
      path: "aios-infra:cluster.nodes.nodeData[1].kubernetesNodeName",
      message:
        "names node 'host-b', which the cluster does not have (its nodes: host-a, other); fix the name, join the node first, or set aios-infra:verifyNodes to false to plan ahead",
      received: '"host-b"',
    },
  ]);
});

test("an unreachable cluster is one clear problem, not a hang", async () => {
  const [closed] = await freePorts(1); // free a moment ago: nothing listens there
  const kubeconfig = JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "c", cluster: { server: `https://127.0.0.1:${closed}` } }],
    users: [{ name: "u", user: { token: "t" } }],
    contexts: [{ name: "c", context: { cluster: "c", user: "u" } }],
    "current-context": "c",
  });
  const problems = await verifyNodesExist(nodes, kubeconfig);
  expect(problems).toHaveLength(1);
  expect(problems[0].path).toBe("aios-infra:cluster.nodes");
  expect(problems[0].message).toMatch(
    /^could not list the target cluster's nodes to check them \(.*ECONNREFUSED.*\); check the kubeconfig, or set aios-infra:verifyNodes to false$/,
  );
});
