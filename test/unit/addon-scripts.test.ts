/**
 * The commands the add-ons run inside their pods (kwok completes those pods without running them):
 * every shell command parses (`sh -n`), and the replica-set script does the right thing against a
 * simulated `rs` — initiate once, then add and remove members one at a time, nothing on a re-run.
 */
import { execFileSync } from "node:child_process";
import * as vm from "node:vm";
import { assetsRegistrySchema } from "../../components/addons";
import {
  assetsDbInitJob,
  assetsDbWorkload,
  bucketJob,
  replicaSetInitScript,
} from "../../components/addons";
import { resolveImages } from "../../components/config";
import { NETWORK } from "../support/fixtures";

const ctx = {
  clusterId: "c1",
  publicHostname: "127.0.0.1",
  network: NETWORK,
  images: resolveImages({}, "dev", ["mongo", "minioClient", "assetsRegistry"]).images,
  nodePorts: { assetsRegistry: 31700 },
};
const settings = (replicas: number) => assetsRegistrySchema.parse({ db: { replicas } });
const host = (i: number) => `assets-db-${i}.assets-db.assets-db.svc.cluster.local:27017`;

test("every shell command of the add-ons parses", () => {
  const s = settings(3);
  const commands = [
    assetsDbWorkload(ctx, s).initContainers?.[0]?.command,
    (assetsDbInitJob(ctx, s).spec.template as any).spec.containers[0].command,
    (bucketJob(ctx, s).spec.template as any).spec.containers[0].command,
  ] as (string[] | undefined)[];
  for (const command of commands) {
    expect(command?.slice(0, 2)).toEqual(["sh", "-c"]);
    expect(() => execFileSync("sh", ["-n", "-c", command?.[2] ?? "exit 1"])).not.toThrow();
  }
});

/** Runs the script against a simulated replica set; returns what it did. */
function runScript(script: string, members: string[] | undefined): string[] {
  const did: string[] = [];
  const stop = new Error("quit");
  const rs = {
    conf: () => {
      if (members === undefined) {
        throw Object.assign(new Error("no replset config"), { codeName: "NotYetInitialized" });
      }
      return { members: members.map((h, i) => ({ _id: i, host: h })) };
    },
    initiate: (c: { members: { host: string }[] }) =>
      did.push(`initiate ${c.members.map((m) => m.host).join(",")}`),
    add: (h: string) => did.push(`add ${h}`),
    remove: (h: string) => did.push(`remove ${h}`),
  };
  try {
    vm.runInNewContext(script, {
      rs,
      print: () => undefined,
      quit: () => {
        throw stop;
      },
    });
  } catch (e) {
    if (e !== stop) {
      throw e;
    }
  }
  return did;
}

test("the replica-set script initiates once, then converges the members one at a time", () => {
  const three = replicaSetInitScript(settings(3));
  expect(runScript(three, undefined)).toEqual([`initiate ${host(0)},${host(1)},${host(2)}`]);
  expect(runScript(three, [host(0), host(1), host(2)])).toEqual([]);
  expect(runScript(three, [host(0)])).toEqual([`add ${host(1)}`, `add ${host(2)}`]);
  expect(runScript(replicaSetInitScript(settings(1)), [host(0), host(1), host(2)])).toEqual([
    `remove ${host(1)}`,
    `remove ${host(2)}`,
  ]);
});

test("another error than 'not initiated' is not papered over", () => {
  const script = replicaSetInitScript(settings(1));
  const rs = {
    conf: () => {
      throw Object.assign(new Error("auth failed"), { codeName: "AuthenticationFailed" });
    },
  };
  expect(() => vm.runInNewContext(script, { rs, print: () => undefined })).toThrow("auth failed");
});
