/**
 * A real, local Kubernetes control plane for `npm start` and the e2e tier:
 * etcd → kube-apiserver (/readyz) → kube-controller-manager + kube-scheduler → kwok (node and pod
 * lifecycles) → Node objects shaped like the stack's cluster document.
 *
 * Everything listens on 127.0.0.1 only, on ports the kernel picked for this run, in a directory of
 * its own. A run records its processes in `<dir>/state.json`; `stop()` (also called on exit and on
 * SIGINT/SIGTERM for ephemeral runs) kills them and removes the directory, and `reapStaleRuns()`
 * tears down the leftovers of runs whose owner died without stopping them.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import * as k8s from "@kubernetes/client-node";
import { binaryPath } from "../toolchain/paths";
import { freePorts } from "./free-port";
import { buildKubeconfig } from "./kubeconfig";
import { buildKwokNode, type LocalNodeSpec } from "./kwok-nodes";
import { kwokStageConfig } from "./kwok-stages";
import {
  isAlive,
  isSameProcess,
  killAllSync,
  startProcess,
  tailLog,
  type ManagedProcess,
} from "./processes";

/** Options of {@link LocalControlPlane.start}. */
export interface LocalControlPlaneArgs {
  /**
   * Directory of the run. Created if missing; must not hold a running control plane.
   * @default - a new directory `aios-cp-*` under the OS temp directory
   */
  readonly dir?: string;
  /**
   * Keep running after this process exits (for `npm start`); stop with `stop()` or the CLI.
   * @default false - stopped and removed when this process exits or is interrupted
   */
  readonly persistent?: boolean;
  /** Nodes to create once kwok runs. @default [] */
  readonly nodes?: readonly LocalNodeSpec[];
  /** NodePort range of the apiserver. @default "30000-32767" */
  readonly nodePortRange?: string;
  /** Deadline for the whole start. @default 180000 */
  readonly startTimeoutMs?: number;
  /** Progress messages. @default - none */
  readonly log?: (message: string) => void;
}

/** What `state.json` records about a run. */
export interface ControlPlaneState {
  readonly ownerPid: number;
  readonly persistent: boolean;
  /** Set once the run is fully up (nodes Ready); a run that is not ready is never reused. */
  readonly ready?: boolean;
  readonly server: string;
  readonly kubeconfigPath: string;
  readonly processes: readonly ManagedProcess[];
}

const STATE_FILE = "state.json";
const PORT_CLASH_ATTEMPTS = 3;
const WATCHDOG = "watchdog";
const RUN_PREFIX = "aios-cp-";
const live = new Set<LocalControlPlane>();

/** A running local control plane. */
export class LocalControlPlane {
  private stopped = false;

  private constructor(
    /** Directory of the run (logs, data, kubeconfig). */
    public readonly dir: string,
    /** Path of the admin kubeconfig (mode 0600). */
    public readonly kubeconfigPath: string,
    /** `https://127.0.0.1:<port>` of kube-apiserver. */
    public readonly server: string,
    private readonly state: ControlPlaneState,
  ) {}

  /** Whether the run outlives this process. */
  get persistent(): boolean {
    return this.state.persistent;
  }

  /** The admin kubeconfig's content. It holds a bearer token: treat it as a secret. */
  get kubeconfig(): string {
    return fs.readFileSync(this.kubeconfigPath, "utf8");
  }

  /** A client configuration for @kubernetes/client-node. */
  kubeConfig(): k8s.KubeConfig {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(this.kubeconfigPath);
    return kc;
  }

  /**
   * Attaches to the run in `dir` when every one of its processes is alive; otherwise tears down
   * what is left of it and returns undefined.
   */
  static attach(dir: string): LocalControlPlane | undefined {
    const state = readState(dir);
    if (state === undefined) {
      return undefined;
    }
    const healthy =
      state.ready === true &&
      // The watchdog ends by design once a persistent run is ready; every other process must run.
      state.processes.filter((p) => p.name !== WATCHDOG).every(isSameProcess) &&
      fs.existsSync(state.kubeconfigPath);
    if (!healthy) {
      stopRun(dir);
      return undefined;
    }
    return new LocalControlPlane(dir, state.kubeconfigPath, state.server, state);
  }

  /** Starts a control plane and waits until it serves, schedules and runs pods on its nodes. */
  static async start(args: LocalControlPlaneArgs = {}): Promise<LocalControlPlane> {
    reapStaleRuns();
    // Ports are free when chosen but may be taken before a component binds them (another run
    // starting at the same moment): such a clash is retried on new ports.
    for (let attempt = 1; ; attempt++) {
      try {
        return await LocalControlPlane.startOnce(args);
      } catch (e) {
        if (attempt >= PORT_CLASH_ATTEMPTS || !isPortClash(e)) {
          throw e;
        }
        args.log?.(`a port was taken before it was bound; retrying (attempt ${attempt + 1})`);
      }
    }
  }

  private static async startOnce(args: LocalControlPlaneArgs): Promise<LocalControlPlane> {
    const log = args.log ?? (() => undefined);
    const dir = args.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), RUN_PREFIX));
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const existing = readState(dir);
    if (existing !== undefined && existing.processes.some((p) => isAlive(p.pid))) {
      throw new Error(`a control plane is already running in ${dir}; stop it first`);
    }
    const deadline = Date.now() + (args.startTimeoutMs ?? 180_000);
    const processes: ManagedProcess[] = [];
    const [etcdClient, etcdPeer, apiPort] = await freePorts(3);
    const server = `https://127.0.0.1:${apiPort}`;
    const kubeconfigPath = path.join(dir, "kubeconfig");
    const persistent = args.persistent ?? false;
    const record = (ready: boolean) =>
      writeState(dir, {
        ownerPid: process.pid,
        persistent,
        ready,
        server,
        kubeconfigPath,
        processes,
      });
    const plane = new LocalControlPlane(dir, kubeconfigPath, server, {
      ownerPid: process.pid,
      persistent,
      server,
      kubeconfigPath,
      processes,
    });
    live.add(plane);
    installExitHandlers();
    try {
      // Until it is ready, a run is torn down with this process even when it is meant to persist:
      // the watchdog stops it as soon as this process is gone, however it ended.
      record(false);
      processes.push(
        startProcess(
          dir,
          WATCHDOG,
          process.execPath,
          [
            "-r",
            require.resolve("ts-node/register/transpile-only"),
            path.join(__dirname, "watchdog.ts"),
            dir,
            String(process.pid),
          ],
          { TS_NODE_PROJECT: path.join(__dirname, "..", "..", "tsconfig.json") },
        ),
      );
      record(false);
      const token = crypto.randomBytes(24).toString("hex");
      const pki = path.join(dir, "pki");
      fs.mkdirSync(pki, { recursive: true, mode: 0o700 });
      const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
      const saKey = path.join(pki, "sa.key");
      const saPub = path.join(pki, "sa.pub");
      fs.writeFileSync(saKey, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
      fs.writeFileSync(saPub, publicKey.export({ type: "spki", format: "pem" }));
      const tokens = path.join(pki, "tokens.csv");
      fs.writeFileSync(tokens, `${token},aios-local-admin,aios-local-admin,"system:masters"\n`, {
        mode: 0o600,
      });

      log(`etcd on 127.0.0.1:${etcdClient}`);
      processes.push(
        startProcess(dir, "etcd", binaryPath("etcd"), [
          "--name=default",
          `--data-dir=${path.join(dir, "etcd")}`,
          `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
          `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
          `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
          `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
          `--initial-cluster=default=http://127.0.0.1:${etcdPeer}`,
          "--listen-metrics-urls=",
          "--unsafe-no-fsync",
          "--log-level=warn",
        ]),
      );
      record(false);
      await waitUntil("etcd /health", deadline, processes, async () => {
        const res = await fetch(`http://127.0.0.1:${etcdClient}/health`);
        return res.ok && ((await res.json()) as { health?: string }).health === "true";
      });

      log(`kube-apiserver on ${server}`);
      processes.push(
        startProcess(dir, "kube-apiserver", binaryPath("kube-apiserver"), [
          `--etcd-servers=http://127.0.0.1:${etcdClient}`,
          "--bind-address=127.0.0.1",
          `--secure-port=${apiPort}`,
          "--advertise-address=127.0.0.1",
          "--endpoint-reconciler-type=none",
          `--cert-dir=${pki}`,
          `--token-auth-file=${tokens}`,
          "--authorization-mode=Node,RBAC",
          "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
          `--service-account-key-file=${saPub}`,
          `--service-account-signing-key-file=${saKey}`,
          "--service-cluster-ip-range=10.96.0.0/16",
          `--service-node-port-range=${args.nodePortRange ?? "30000-32767"}`,
          "--allow-privileged=true",
          "--profiling=false",
        ]),
      );
      record(false);
      const caFile = path.join(pki, "apiserver.crt");
      await waitUntil("kube-apiserver /readyz", deadline, processes, async () => {
        if (!fs.existsSync(caFile)) {
          return false;
        }
        return (await httpsGet(`${server}/readyz`, token, fs.readFileSync(caFile))) === 200;
      });
      fs.writeFileSync(
        kubeconfigPath,
        buildKubeconfig({ server, caPem: fs.readFileSync(caFile, "utf8"), token }),
        { mode: 0o600 },
      );

      log("kube-controller-manager, kube-scheduler");
      processes.push(
        startProcess(dir, "kube-controller-manager", binaryPath("kube-controller-manager"), [
          ...componentArgs(kubeconfigPath),
          `--service-account-private-key-file=${saKey}`,
          `--root-ca-file=${caFile}`,
          "--use-service-account-credentials=false",
          "--concurrent-gc-syncs=5",
        ]),
        startProcess(dir, "kube-scheduler", binaryPath("kube-scheduler"), [
          ...componentArgs(kubeconfigPath),
        ]),
      );
      record(false);

      log("kwok");
      const stagesFile = path.join(dir, "kwok-stages.yaml");
      fs.writeFileSync(stagesFile, kwokStageConfig());
      processes.push(
        startProcess(dir, "kwok", binaryPath("kwok"), [
          `--kubeconfig=${kubeconfigPath}`,
          `--config=${stagesFile}`,
          "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
          "--cidr=10.244.0.0/16",
          "--node-ip=127.0.0.1",
          "--node-lease-duration-seconds=40",
          "--server-address=",
        ]),
      );
      record(false);

      const kc = plane.kubeConfig();
      const core = kc.makeApiClient(k8s.CoreV1Api);
      // The controller manager works once it has given the default namespace its ServiceAccount.
      await waitUntil("kube-controller-manager (default ServiceAccount)", deadline, processes, () =>
        core.readNamespacedServiceAccount({ name: "default", namespace: "default" }).then(
          () => true,
          () => false,
        ),
      );
      await plane.addNodes(args.nodes ?? [], deadline);
      record(true);
      log(`ready: ${server} (kubeconfig ${kubeconfigPath})`);
      return plane;
    } catch (e) {
      plane.stop();
      throw e;
    }
  }

  /** Creates the simulated nodes that do not exist yet; returns the names it created. */
  async ensureNodes(nodes: readonly LocalNodeSpec[]): Promise<string[]> {
    const core = this.kubeConfig().makeApiClient(k8s.CoreV1Api);
    const existing = new Set((await core.listNode()).items.map((n) => n.metadata?.name));
    const missing = nodes.filter((n) => !existing.has(n.name));
    await this.addNodes(missing);
    return missing.map((n) => n.name);
  }

  /** Creates simulated nodes and waits until kwok reports each one Ready. */
  async addNodes(nodes: readonly LocalNodeSpec[], deadline = Date.now() + 60_000): Promise<void> {
    const core = this.kubeConfig().makeApiClient(k8s.CoreV1Api);
    for (const spec of nodes) {
      await core.createNode({ body: buildKwokNode(spec) });
    }
    for (const spec of nodes) {
      await waitUntil(`node ${spec.name} Ready`, deadline, this.state.processes, async () => {
        const node = await core.readNode({ name: spec.name });
        return (node.status?.conditions ?? []).some(
          (c) => c.type === "Ready" && c.status === "True",
        );
      });
    }
  }

  /** Stops every process of the run and removes its directory. Idempotent. */
  stop(): void {
    if (this.stopped) {
      return;
    }
    this.stopped = true;
    live.delete(this);
    stopRun(this.dir);
  }
}

/** Stops the run in `dir` (processes and directory); returns false when nothing was there. */
export function stopRun(dir: string, exceptPid?: number): boolean {
  const state = readState(dir);
  if (state === undefined) {
    return false;
  }
  // Only processes that are still the ones this run started (not a reused pid after a reboot).
  killAllSync(
    state.processes.filter((p) => p.pid !== exceptPid && isSameProcess(p)).map((p) => p.pid),
  );
  fs.rmSync(dir, { recursive: true, force: true });
  return true;
}

/** Reads a run's state file, if any. */
export function readState(dir: string): ControlPlaneState | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, STATE_FILE), "utf8")) as ControlPlaneState;
  } catch {
    return undefined;
  }
}

/** Tears down ephemeral runs under the temp directory whose owning process has died. */
export function reapStaleRuns(tmp: string = os.tmpdir()): string[] {
  const reaped: string[] = [];
  for (const entry of fs.readdirSync(tmp)) {
    if (!entry.startsWith(RUN_PREFIX)) {
      continue;
    }
    const dir = path.join(tmp, entry);
    const state = readState(dir);
    if (
      state !== undefined &&
      !(state.persistent && state.ready === true) &&
      !isAlive(state.ownerPid)
    ) {
      stopRun(dir);
      reaped.push(dir);
    }
  }
  return reaped;
}

function writeState(dir: string, state: ControlPlaneState): void {
  const tmp = path.join(dir, `${STATE_FILE}.tmp`);
  fs.writeFileSync(tmp, JSON.stringify(state, null, 2));
  fs.renameSync(tmp, path.join(dir, STATE_FILE));
}

let handlersInstalled = false;
function installExitHandlers(): void {
  if (handlersInstalled) {
    return;
  }
  handlersInstalled = true;
  const stopEphemeral = () => {
    for (const plane of [...live]) {
      if (!plane.persistent || readState(plane.dir)?.ready !== true) {
        plane.stop();
      }
    }
  };
  process.on("exit", stopEphemeral);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      stopEphemeral();
      process.kill(process.pid, signal);
    });
  }
}

/** Flags kube-controller-manager and kube-scheduler share: the admin kubeconfig, no port, no election. */
function componentArgs(kubeconfigPath: string): string[] {
  return [
    `--kubeconfig=${kubeconfigPath}`,
    `--authentication-kubeconfig=${kubeconfigPath}`,
    `--authorization-kubeconfig=${kubeconfigPath}`,
    "--bind-address=127.0.0.1",
    "--secure-port=0",
    "--leader-elect=false",
  ];
}

async function waitUntil(
  what: string,
  deadline: number,
  processes: readonly ManagedProcess[],
  probe: () => Promise<boolean>,
): Promise<void> {
  for (;;) {
    // The watchdog of a ready persistent run ends by design; it is not a component.
    const dead = processes.find((p) => p.name !== WATCHDOG && !isAlive(p.pid));
    if (dead !== undefined) {
      throw new Error(
        `${dead.name} exited while waiting for ${what}; last lines of ${dead.logFile}:\n${tailLog(dead.logFile)}`,
      );
    }
    if (await probe().catch(() => false)) {
      return;
    }
    if (Date.now() > deadline) {
      const logs = processes.map((p) => `--- ${p.name}:\n${tailLog(p.logFile, 5)}`).join("\n");
      throw new Error(`timed out waiting for ${what}\n${logs}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

function httpsGet(url: string, token: string, ca: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { headers: { Authorization: `Bearer ${token}` }, ca }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.setTimeout(5000, () => req.destroy(new Error("timeout")));
  });
}

/** True when a start failed because a component could not bind its port. */
export function isPortClash(e: unknown): boolean {
  return /address already in use/i.test((e as Error | undefined)?.message ?? "");
}
