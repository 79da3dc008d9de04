/**
 * Which cell executions form one *run*: a Run All, a queued selection, one cell run after a pause.
 * plotly.ts ships plotly.js with the first figure of each run, so a page that lost the library
 * (a reloaded tab, a notebook reopened while its kernel lives on) gets it again from its next
 * run, while a Run All still carries it once.
 *
 * A run starts with an execute request that
 *   - reaches a kernel that has been idle (no execution queued or running) for IDLE_GAP_MS, or
 *   - comes from a client the kernel has not heard from before: Jupyter clients name their
 *     session in every message header, and a reloaded tab, a new window or an nbclient run is a
 *     new session, even while the old one's Run All is still queued.
 * Learned by wrapping, as soon as nasbook is loaded in a kernel, three methods of tslab 1.0.22's
 * dist/jupyter.js (pinned; see display.ts): ZmqServer.handleExecute sees each message as it
 * arrives and passes it, before any await, to JupyterHandlerImpl.handleExecute with the writer
 * of that execution's outputs; ZmqServer.publishStatus("idle") marks each request's end, also
 * of the requests that arrived before the wrapping (a Run All's are all queued at once). Those
 * executions are run 1.
 */
import { activeWriter, inNotebook, loadedKernelModules, type ShellMessage, type WriteDisplayData } from "./display";

/** Idle time after which the next execution starts a new run; a Run All's requests arrive together. */
export const IDLE_GAP_MS = 1000;

/** The run bookkeeping, apart from tslab, so tests can drive it with plain calls. */
export class CellRuns {
  private current = 1;
  private inFlight = 0;
  private idleSince: number | undefined;
  private readonly clients = new Set<string>();
  private readonly runOf = new WeakMap<WriteDisplayData, number>();

  /** Called as an execute request arrives (queued or not); returns its run. */
  arrive(writer: WriteDisplayData, client: string | undefined, now: number): number {
    const newClient = client !== undefined && this.clients.size > 0 && !this.clients.has(client);
    const afterPause = this.inFlight === 0 && this.idleSince !== undefined && now - this.idleSince >= IDLE_GAP_MS;
    if (client !== undefined) this.clients.add(client);
    if (newClient || afterPause) this.current += 1;
    this.inFlight += 1;
    this.runOf.set(writer, this.current);
    return this.current;
  }

  /**
   * Called when an execute request is done (finished, failed or aborted). Requests that arrived
   * before the watch end here too without having arrived, so the count stops at zero.
   */
  finish(client: string | undefined, now: number): void {
    if (client !== undefined) this.clients.add(client);
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (this.inFlight === 0) this.idleSince = now;
  }

  /** The run of the execution that owns `writer`; run 1 for executions that arrived before we watched. */
  runOfWriter(writer: WriteDisplayData | undefined): number {
    return (writer !== undefined && this.runOf.get(writer)) || 1;
  }
}

/** Starts watching tslab's executions; inside a kernel only. */
function watch(): CellRuns {
  const runs = new CellRuns();
  for (const mod of loadedKernelModules()) {
    const server = mod.ZmqServer?.prototype;
    const handler = mod.JupyterHandlerImpl?.prototype;
    if (server === undefined || handler === undefined) continue;
    let arriving: string | undefined;
    const handleMessage = server.handleExecute;
    server.handleExecute = function (this: unknown, sock: unknown, msg: ShellMessage) {
      arriving = msg.header.session;
      try {
        return handleMessage.call(this, sock, msg);
      } finally {
        arriving = undefined;
      }
    };
    const handleExecute = handler.handleExecute;
    handler.handleExecute = function (this: unknown, req: unknown, writeStream: unknown, writeDisplayData: WriteDisplayData) {
      runs.arrive(writeDisplayData, arriving, Date.now());
      return handleExecute.call(this, req, writeStream, writeDisplayData);
    };
    const publishStatus = server.publishStatus;
    server.publishStatus = function (this: unknown, status: string, parent: ShellMessage) {
      if (status === "idle" && parent.header.msg_type === "execute_request") runs.finish(parent.header.session, Date.now());
      return publishStatus.call(this, status, parent);
    };
  }
  return runs;
}

/** Watched from the moment nasbook loads in a kernel, so that the end of the loading cell is seen. */
const watched: CellRuns | undefined = inNotebook() ? watch() : undefined;

/** The run of the cell execution now running (run 1 outside a kernel). */
export function currentRun(): number {
  return watched?.runOfWriter(activeWriter()) ?? 1;
}
