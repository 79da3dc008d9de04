/**
 * The one place that sends rich output to a notebook. Inside a tslab kernel we hand Jupyter
 * display messages to tslab's own writer, because tslab's public `display` sends a single mime
 * type per message and a figure needs several in one output (plotly JSON for front-ends that
 * render it, HTML for nbconvert and the rest, plain text for consoles). Outside a kernel (CLI,
 * scripts, tests) `inNotebook()` is false and callers print text instead.
 */
import { randomBytes } from "crypto";
import { NasbookError } from "../core/errors";

/** Mime type → content: JSON mime types carry objects, the others strings. */
export type MimeBundle = Readonly<Record<string, unknown>>;

/** The `content` of a Jupyter display_data / update_display_data message. */
export interface DisplayContent {
  data: MimeBundle;
  metadata: Record<string, never>;
  transient: { display_id?: string };
}

export type WriteDisplayData = (content: DisplayContent, update: boolean) => void;

/** What a shell message carries that we read: its type and the client's session (a tab, an nbclient run). */
export interface ShellMessage {
  header: { session?: string; msg_type?: string };
}

/**
 * The part of tslab's internal `dist/jupyter.js` we rely on (tslab 1.0.22, pinned): the kernel
 * stores the current cell's display writer there before running each cell; its ZmqServer hands
 * each execute_request, as it arrives, to its JupyterHandlerImpl with that execution's writer,
 * and publishes the kernel's status "idle" when a request is done (cell-runs.ts wraps these to
 * learn which executions form one run).
 */
export interface TslabJupyterModule {
  lastWriteDisplayData: WriteDisplayData | null;
  ZmqServer?: {
    prototype: {
      handleExecute(sock: unknown, msg: ShellMessage): Promise<void>;
      publishStatus(status: string, parent: ShellMessage): void;
    };
  };
  JupyterHandlerImpl?: {
    prototype: { handleExecute(req: unknown, writeStream: unknown, writeDisplayData: WriteDisplayData): Promise<unknown> };
  };
}

const TSLAB_JUPYTER_JS = /[\\/]tslab[\\/]dist[\\/]jupyter\.js$/;
let kernelModules: TslabJupyterModule[] | undefined;

/**
 * tslab's jupyter modules already loaded in this process. A kernel loads its module before the
 * first cell runs, so scanning the require cache (never requiring tslab) is enough, and keeps
 * scripts from loading zeromq only to learn that they are not in a notebook. There can be two
 * when a global tslab hands over to the project's; only the serving one has a writer.
 */
export function loadedKernelModules(): TslabJupyterModule[] {
  kernelModules ??= Object.entries(require.cache)
    .filter(([path, mod]) => TSLAB_JUPYTER_JS.test(path) && mod !== undefined)
    .map(([, mod]) => mod!.exports as TslabJupyterModule);
  return kernelModules;
}

/** The display writer of the cell execution now running, inside a kernel. */
export function activeWriter(): WriteDisplayData | undefined {
  for (const mod of loadedKernelModules()) {
    if (typeof mod.lastWriteDisplayData === "function") return mod.lastWriteDisplayData;
  }
  return undefined;
}

/** True inside a live tslab kernel, where rich outputs render. */
export function inNotebook(): boolean {
  return activeWriter() !== undefined;
}

function send(data: MimeBundle, displayId: string | undefined, update: boolean): void {
  const write = activeWriter();
  if (write === undefined) throw new NasbookError("Rich output needs a running notebook kernel (tslab).");
  write({ data, metadata: {}, transient: displayId === undefined ? {} : { display_id: displayId } }, update);
}

/** Shows one output carrying every representation in `bundle`; the front-end picks the richest it can render. */
export function showBundle(bundle: MimeBundle): void {
  send(bundle, undefined, false);
}

/** One output that later calls replace in place (Jupyter display ids), for live progress. */
export class LiveDisplay {
  private readonly id = randomBytes(8).toString("hex");
  private shown = false;

  show(bundle: MimeBundle): void {
    send(bundle, this.id, this.shown);
    this.shown = true;
  }
}
