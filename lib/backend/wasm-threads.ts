/**
 * Multithreaded wasm in Node: XNNPACK's pthreadpool on more than one thread.
 *
 * tfjs-backend-wasm ships a threaded-SIMD build but only uses it in browsers. In Node four things
 * stand in the way, each handled here for the duration of the backend's initialisation only:
 *  1. the WASM_HAS_MULTITHREAD_SUPPORT flag evaluates to false whenever IS_NODE, so tfjs loads the
 *     single-threaded build; we set it to true once we have checked Node can share wasm memory;
 *  2. emscripten starts its pthread workers (a pool of 8, fixed at build time) from a blob: URL,
 *     which Node's Worker cannot load; we start them from the same worker source with eval;
 *  3. each worker is told to load the main script from a Blob, which its Node branch reads with
 *     fs.readFileSync; we point it at the glue file on disk instead (the same code);
 *  4. tfjs's C++ caps the pool at emscripten_num_logical_cores() / 2, computed once by a static
 *     initialiser while the module instantiates, and in Node that is os.cpus().length / 2: 1 on
 *     a 2-vCPU machine, so setThreadsCount(2) silently gives 1 thread. We make os.cpus() report
 *     twice the threads wanted while the module instantiates.
 */
import * as tf from "@tensorflow/tfjs";
import os = require("os");
import path = require("path");
import workerThreads = require("worker_threads");

const WASM_PACKAGE = "@tensorflow/tfjs-backend-wasm";
/** tfjs's C++ never uses more threads than emscripten's prebuilt pool. */
export const MAX_WASM_THREADS = 8;
/** Starting the 8 workers takes about 0.1 s on 2 vCPUs; a pool that never finishes loading must not hang the caller. */
const INIT_TIMEOUT_MS = 60_000;

type WasmPackage = typeof import("@tensorflow/tfjs-backend-wasm");

// The project compiles without the DOM typings that declare WebAssembly; this is the part used.
const WebAssemblyApi = (globalThis as unknown as {
  WebAssembly: { Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => { buffer: ArrayBufferLike } };
}).WebAssembly;

/** Why threaded wasm cannot run in this process, or null when it can be tried. */
function unsupportedReason(): string | null {
  if (typeof SharedArrayBuffer === "undefined") return "this Node has no SharedArrayBuffer";
  try {
    const memory = new WebAssemblyApi.Memory({ initial: 1, maximum: 1, shared: true });
    if (!(memory.buffer instanceof SharedArrayBuffer)) return "this Node cannot share wasm memory";
  } catch (error) {
    return `this Node cannot share wasm memory (${String(error)})`;
  }
  return null;
}

interface Patch {
  /** Puts worker_threads.Worker and os.cpus back. */
  restore(): void;
  /** The pthread workers started so far, to end them when the start is abandoned. */
  workers: workerThreads.Worker[];
}

/**
 * Replaces worker_threads.Worker and os.cpus for the initialisation window (emscripten's glue
 * reads both while the module instantiates). A pthread worker's error goes to `fail` instead of
 * emscripten's handler, which rethrows it as an uncaught exception and so kills the process
 * before a caller could fall back.
 */
function patchForInit(threads: number, fail: (error: Error) => void): Patch {
  const wasmOut = path.join(path.dirname(require.resolve(`${WASM_PACKAGE}/package.json`)), "wasm-out");
  const glue = path.join(wasmOut, "tfjs-backend-wasm-threaded-simd.js");
  // tfjs escapes newlines the same way before wrapping this source in a Blob: it holds "\n"
  // inside string literals that a raw newline would break.
  const workerSource = (require(path.join(wasmOut, "tfjs-backend-wasm-threaded-simd.worker.js")) as { wasmWorkerContents: string })
    .wasmWorkerContents.replace(/\n/g, "\\n");
  const NodeWorker = workerThreads.Worker;
  const workers: workerThreads.Worker[] = [];

  class PthreadWorker extends NodeWorker {
    constructor(filename: string | URL, options?: workerThreads.WorkerOptions) {
      const fromBlob = String(filename).startsWith("blob:");
      super(fromBlob ? workerSource : filename, fromBlob ? { ...options, eval: true } : options);
      workers.push(this);
      // Listening from the start: a worker whose script throws fails before emscripten listens,
      // and an 'error' event nobody listens to is an uncaught exception.
      super.on("error", fail);
    }

    override postMessage(message: unknown, transfer?: readonly workerThreads.TransferListItem[]): void {
      const load = message as { cmd?: string; urlOrBlob?: unknown } | null;
      if (load?.cmd === "load" && typeof load.urlOrBlob !== "string") message = { ...load, urlOrBlob: glue };
      super.postMessage(message, transfer);
    }

    override on(event: string | symbol, listener: (...args: any[]) => void): this {
      return event === "error" ? this : super.on(event, listener);
    }
  }

  const cpus = os.cpus;
  const mutableWorkerThreads = workerThreads as { Worker: typeof NodeWorker };
  mutableWorkerThreads.Worker = PthreadWorker;
  os.cpus = () => {
    const real = cpus.call(os);
    return Array.from({ length: 2 * threads }, (_, i) => real[i % real.length]);
  };
  return {
    restore: () => {
      mutableWorkerThreads.Worker = NodeWorker;
      os.cpus = cpus;
    },
    workers,
  };
}

/**
 * Makes tfjs's wasm backend current with XNNPACK on `threads` threads (2..8). Must run before
 * anything initialises the wasm backend (tf.setBackend("wasm"), tf.ready() with wasm registered);
 * afterwards the thread count is fixed for the process. Returns the count XNNPACK reports, which
 * the caller should check.
 *
 * On failure it throws the reason, ends the workers it started and leaves the wasm backend
 * uninitialised with the threaded build switched off, so a following `tf.setBackend("wasm")`
 * starts single-threaded wasm.
 */
export async function setThreadedWasmBackend(threads: number): Promise<number> {
  if (!Number.isInteger(threads) || threads < 2 || threads > MAX_WASM_THREADS) {
    throw new Error(`threaded wasm takes 2 to ${MAX_WASM_THREADS} threads; got ${threads}`);
  }
  const unsupported = unsupportedReason();
  if (unsupported) throw new Error(unsupported);
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const wasm = require(WASM_PACKAGE) as WasmPackage;

  let failInit: (error: Error) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (failInit = reject));
  let state: "starting" | "running" | "abandoned" = "starting";
  const patch = patchForInit(threads, (error) => {
    if (state === "starting") failInit(new Error(`a wasm pthread worker failed: ${error.message}`));
    // Once the backend runs, XNNPACK would wait forever on a dead worker: crash, as emscripten does.
    if (state === "running") throw error;
    // The rest of an abandoned pool failing too is expected.
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`threaded wasm did not start within ${INIT_TIMEOUT_MS / 1000} s`)), INIT_TIMEOUT_MS);
  });

  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", true);
  wasm.setThreadsCount(threads);
  try {
    if (!(await Promise.race([tf.setBackend("wasm"), failed, timedOut]))) throw new Error('tf.setBackend("wasm") failed');
    state = "running";
    // Idle pthread workers must not keep the process alive: work reaches them only from this thread.
    for (const worker of patch.workers) worker.unref();
    return wasm.getThreadsCount();
  } catch (error) {
    state = "abandoned";
    tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
    for (const worker of patch.workers) void worker.terminate();
    throw error;
  } finally {
    clearTimeout(timer);
    patch.restore();
  }
}
