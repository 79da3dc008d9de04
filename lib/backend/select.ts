/**
 * Choosing where tensors live. Order of preference: tfjs-node-gpu (when it loads and sees a GPU),
 * tfjs-node (libtensorflow on the CPU), wasm (XNNPACK, one thread unless `NASBOOK_WASM_THREADS`
 * asks for more and the threaded build starts; the heavy kernels on nasbook's native addon when
 * it was built, see native.ts), then tfjs's pure-JS cpu. `NASBOOK_BACKEND` forces one;
 * `backendReport()` says what was chosen and why the others were not. `webgpu` (Dawn, see
 * webgpu.ts) runs only when forced: nasbook's training loops read tensors synchronously, which it
 * cannot do in Node.
 */
import * as tf from "@tensorflow/tfjs";
import { firstLine, intFromEnv } from "../core/env";
import { NasbookError } from "../core/errors";
import { loadNativeKernels, nativeOptions, type NativeOptions } from "./native";
import { saveTensorsWithoutTapeNodes } from "./saved-tensors";
import { MAX_WASM_THREADS, setThreadedWasmBackend } from "./wasm-threads";
import { registerWasmTrainingKernels } from "./wasm-training";
import { startWebgpu, WEBGPU_ADAPTER_KINDS, type WebgpuAdapterKind } from "./webgpu";

export type BackendName = "tensorflow-gpu" | "tensorflow" | "wasm" | "cpu" | "webgpu";
export const BACKEND_NAMES: readonly BackendName[] = ["tensorflow-gpu", "tensorflow", "wasm", "cpu", "webgpu"];
/** What `initBackend()` tries when nothing is forced, in order. */
const AUTOMATIC_ORDER: readonly BackendName[] = ["tensorflow-gpu", "tensorflow", "wasm", "cpu"];

export interface BackendChoice {
  readonly name: BackendName;
  /** The tfjs backend name that `tf.getBackend()` reports. */
  readonly tfName: string;
  /** Why each backend tried before the chosen one was skipped. */
  readonly skipped: ReadonlyArray<{ name: BackendName; reason: string }>;
  readonly forced: boolean;
  /** How the chosen backend runs (wasm's thread count, or why threaded wasm fell back). */
  readonly detail: string | null;
}

/** The environment's settings for the backends, read (and checked) before any is tried. */
interface Settings {
  readonly wasmThreads: number;
  readonly native: NativeOptions;
  readonly webgpuAdapter: WebgpuAdapterKind;
}

type Attempt = (settings: Settings) => Promise<{ tfName: string; detail: string | null }>;

let chosen: BackendChoice | null = null;

/** Each attempt loads a backend and makes it current, or throws saying why it cannot. */
const attempts: Record<BackendName, Attempt> = {
  "tensorflow-gpu": async () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    require("@tensorflow/tfjs-node-gpu");
    await setCurrent("tensorflow");
    if (!(await tensorflowSeesGpu())) throw new Error("loaded, but libtensorflow sees no GPU");
    return { tfName: "tensorflow", detail: null };
  },
  tensorflow: async () => {
    require("@tensorflow/tfjs-node");
    await setCurrent("tensorflow");
    return { tfName: "tensorflow", detail: null };
  },
  wasm: async (settings) => {
    require("@tensorflow/tfjs-backend-wasm");
    const detail = await startWasm(settings.wasmThreads);
    const native = loadNativeKernels(settings.native);
    registerWasmTrainingKernels(native.kernels);
    return { tfName: "wasm", detail: `${detail}; ${native.detail}` };
  },
  cpu: async () => {
    await setCurrent("cpu");
    return { tfName: "cpu", detail: null };
  },
  webgpu: async (settings) => {
    const adapter = await startWebgpu(settings.webgpuAdapter);
    tf.enableProdMode();
    return { tfName: "webgpu", detail: `Dawn, ${adapter.kind} adapter: ${adapter.description}` };
  },
};

/** `NASBOOK_WEBGPU_ADAPTER`: `gpu` (default) or `software` (Mesa's llvmpipe, to test the route on a CPU). */
function webgpuAdapter(env: NodeJS.ProcessEnv): WebgpuAdapterKind {
  const value = env.NASBOOK_WEBGPU_ADAPTER;
  if (value === undefined || value === "") return "gpu";
  if (!(WEBGPU_ADAPTER_KINDS as readonly string[]).includes(value)) {
    throw new NasbookError(`NASBOOK_WEBGPU_ADAPTER must be one of ${WEBGPU_ADAPTER_KINDS.join(", ")}; got "${value}".`);
  }
  return value as WebgpuAdapterKind;
}

/**
 * `NASBOOK_WASM_THREADS`, else 1: the small networks of a search train faster on one thread (and
 * multi-trial searches already run one worker per core); threads pay off for large convolutions.
 */
function wasmThreads(env: NodeJS.ProcessEnv): number {
  return intFromEnv(env, "NASBOOK_WASM_THREADS", { min: 1, max: MAX_WASM_THREADS, fallback: 1 });
}

/** Threaded wasm when more than one thread is wanted and it starts; single-threaded otherwise. */
async function startWasm(threads: number): Promise<string> {
  if (threads > 1) {
    try {
      const running = await setThreadedWasmBackend(threads);
      await tf.ready();
      tf.enableProdMode();
      return `XNNPACK on ${running} thread${running === 1 ? "" : "s"}`;
    } catch (error) {
      await setCurrent("wasm");
      return `XNNPACK on 1 thread: threaded wasm failed (${firstLine(error)})`;
    }
  }
  await setCurrent("wasm");
  return "XNNPACK on 1 thread";
}

async function setCurrent(tfName: string): Promise<void> {
  if (!(await tf.setBackend(tfName))) throw new Error(`tf.setBackend("${tfName}") failed`);
  await tf.ready();
  // Production mode: skips per-op debug checks and the "install tfjs-node" banner; the backend report says what runs.
  tf.enableProdMode();
}

/** libtensorflow's GPU build loads without a GPU too; ask it for a GPU device. */
async function tensorflowSeesGpu(): Promise<boolean> {
  const backend = tf.backend() as unknown as { binding?: { isUsingGpuDevice?: () => boolean } };
  return backend.binding?.isUsingGpuDevice?.() ?? false;
}

function forcedBackend(env: NodeJS.ProcessEnv): BackendName | null {
  const value = env.NASBOOK_BACKEND;
  if (value === undefined || value === "") return null;
  if (!(BACKEND_NAMES as readonly string[]).includes(value)) {
    throw new NasbookError(`NASBOOK_BACKEND must be one of ${BACKEND_NAMES.join(", ")}; got "${value}".`);
  }
  return value as BackendName;
}

/**
 * Picks and activates a backend, once per process (later calls return the first choice).
 * A forced backend that fails to load, or an invalid setting, is an error, not a silent fallback.
 */
export async function initBackend(env: NodeJS.ProcessEnv = process.env): Promise<BackendChoice> {
  if (chosen) return chosen;
  const forced = forcedBackend(env);
  // A mistyped setting is the caller's error, not a reason to skip to a slower backend.
  const settings: Settings = { wasmThreads: wasmThreads(env), native: nativeOptions(env), webgpuAdapter: webgpuAdapter(env) };
  const order = forced ? [forced] : AUTOMATIC_ORDER;
  const skipped: Array<{ name: BackendName; reason: string }> = [];
  for (const name of order) {
    try {
      const { tfName, detail } = await attempts[name](settings);
      saveTensorsWithoutTapeNodes();
      chosen = { name, tfName, skipped, forced: forced !== null, detail };
      return chosen;
    } catch (error) {
      skipped.push({ name, reason: firstLine(error) });
    }
  }
  const why = skipped.map((s) => `${s.name}: ${s.reason}`).join("; ");
  throw new NasbookError(`No tfjs backend could be started (${why}).`);
}

/** The active choice, for run summaries; throws if `initBackend` has not run. */
export function currentBackend(): BackendChoice {
  if (!chosen) throw new NasbookError("No backend chosen yet: call `await initBackend()` first.");
  return chosen;
}

/** One paragraph for a notebook's first cell or a CLI header. */
export function backendReport(choice: BackendChoice = currentBackend()): string {
  const head = `Backend: ${choice.name}${choice.detail ? ` (${choice.detail})` : ""}${choice.forced ? ", forced by NASBOOK_BACKEND" : ""}.`;
  if (choice.skipped.length === 0) return head;
  return [head, ...choice.skipped.map((s) => `  skipped ${s.name}: ${s.reason}`)].join("\n");
}
