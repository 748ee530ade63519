/**
 * Tears a run down when its owner dies, however it dies (crash, SIGKILL, or a test runner whose
 * signal handlers never reach the real process). Started detached by LocalControlPlane.start:
 *   node -r ts-node/register/transpile-only watchdog.ts <runDir> <ownerPid>
 * It exits on its own once the run is stopped, or once a persistent run is ready.
 */
import { isAlive } from "./processes";
import { readState, stopRun } from "./local-control-plane";

const [dir, owner] = process.argv.slice(2);
const ownerPid = Number(owner);
if (dir === undefined || !Number.isInteger(ownerPid)) {
  console.error("usage: watchdog.ts <runDir> <ownerPid>");
  process.exit(2);
}

const timer = setInterval(() => {
  const state = readState(dir);
  if (state === undefined || (state.persistent && state.ready === true)) {
    clearInterval(timer);
    return;
  }
  if (!isAlive(ownerPid)) {
    clearInterval(timer);
    stopRun(dir, process.pid);
  }
}, 500);
