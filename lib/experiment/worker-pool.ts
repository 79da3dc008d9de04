/**
 * Evaluating candidates in parallel: k worker threads, each with its own backend instance and
 * evaluator rebuilt from a plain `EvaluationJob`, training on the parent's data splits when the
 * pool is given them (shared memory, read in place) and otherwise loading and splitting the
 * dataset the job names. A `WorkerPool` is a
 * `ConcurrentEvaluator`, so `runMultiTrialSearch` hands it up to k candidates of a round at once;
 * results do not depend on k. A worker that crashes, or whose evaluation fails with an error
 * that may have broken its backend (wasm out of memory), fails only the candidate it was
 * evaluating and is replaced for the next one.
 */
import * as os from "node:os";
import * as path from "node:path";
import * as v8 from "node:v8";
import { Worker, type ResourceLimits } from "node:worker_threads";
import { nativeOptions } from "../backend/native";
import type { BackendName } from "../backend/select";
import { intFromEnv } from "../core/env";
import { NasbookError } from "../core/errors";
import type { EvaluationContext, Fidelity, Json, TrialMetrics } from "../core/types";
import type { DatasetName, SharedSplits, SplitOptions } from "../data";
import type { TrainingHyperparameters } from "../evaluators/train-from-scratch";
import type { SpaceSpec } from "../spaces/registry";
import type { ConcurrentEvaluator } from "./multi-trial-search";

/** Everything a worker needs to build the same evaluator as `new TrainFromScratch(space, splits, fidelity, hyperparameters)`. */
export interface EvaluationJob {
  readonly space: SpaceSpec;
  readonly dataset: DatasetName;
  /** The split options the parent loaded its data with (seed and sizes), so workers see the same splits. */
  readonly data: SplitOptions;
  readonly fidelity: Fidelity;
  readonly hyperparameters?: TrainingHyperparameters;
  /** Benchmark builds: each worker opens its test split once and scores every cell on it. */
  readonly benchmarkTest?: boolean;
}

/** The worker's `workerData`. */
export interface WorkerSetup {
  readonly job: EvaluationJob;
  /** Forced into the worker's `initBackend`; absent: the worker chooses as the parent would. */
  readonly backend?: BackendName;
  /** Kernel threads of the worker's backend: the cores shared out among the workers. */
  readonly threads: number;
  /** The parent's splits of `job.data`; absent: the worker loads and splits the dataset itself. */
  readonly splits?: SharedSplits;
}

export interface EvaluationRequest {
  readonly genotype: Json;
  readonly seed: number;
}

/**
 * `fatal`: the evaluation failed with something other than a NasbookError (a diverged loss or a
 * bad genotype are not fatal), e.g. wasm memory exhausted, after which every later evaluation on
 * that backend instance fails too ("memory access out of bounds"): the pool replaces the worker.
 */
export type EvaluationReply = { ok: true; metrics: TrialMetrics } | { ok: false; error: string; fatal: boolean };

export interface WorkerPoolOptions {
  /** Workers (evaluations at once); default `defaultWorkerCount()`. */
  readonly workers?: number;
  /** The backend each worker forces; pass the parent's (`currentBackend().name`) to get its results. */
  readonly backend?: BackendName;
  /** Caps each worker's JS heap, so that a runaway candidate crashes only its own worker. */
  readonly resourceLimits?: ResourceLimits;
  /** Kernel threads per worker; default `threadsPerWorker(workers)`. */
  readonly threads?: number;
  /** The parent's splits of `job.data` (`shareSplits`), so that no worker reloads the dataset. */
  readonly splits?: SharedSplits;
}

const WORKER_SCRIPT = path.join(__dirname, "evaluation-worker.js");

/** `NASBOOK_WORKERS` when set, else the number of cores this process may use. */
export function defaultWorkerCount(env: NodeJS.ProcessEnv = process.env): number {
  return intFromEnv(env, "NASBOOK_WORKERS", { min: 1, fallback: os.availableParallelism() });
}

/**
 * Kernel threads per worker: `NASBOOK_NATIVE_THREADS` when set (one each on one worker times
 * the work of one core, as `npm run bench` does), else the cores shared out among `workers`: two
 * workers on two cores run one kernel thread each, a lone worker all of them.
 */
export function threadsPerWorker(workers: number, env: NodeJS.ProcessEnv = process.env): number {
  if (env.NASBOOK_NATIVE_THREADS) return nativeOptions(env).threads;
  return Math.max(1, Math.floor(os.availableParallelism() / workers));
}

/**
 * Old-space size at which a worker's heap first runs a full GC. A training step leaves a few MB
 * of tape objects in old space, so V8's default start (a few MB) runs a concurrent mark-compact
 * every ~60 ms, on helper threads that then compete with the other workers for the cores:
 * two workers each ran ~20% slower than one; with this, ~10%.
 */
const WORKER_INITIAL_OLD_SPACE_MB = 128;

/** Applies to isolates created afterwards (the workers), not to the running main thread. */
function tuneWorkerHeaps(): void {
  v8.setFlagsFromString(`--initial-old-space-size=${WORKER_INITIAL_OLD_SPACE_MB}`);
}

/** One worker thread and the request it is busy with, if any. */
class EvaluationThread {
  private readonly worker: Worker;
  private pending: { resolve: (m: TrialMetrics) => void; reject: (e: Error) => void } | null = null;
  /** False once the thread has died; the pool then replaces it. */
  alive = true;

  constructor(setup: WorkerSetup, resourceLimits?: ResourceLimits) {
    this.worker = new Worker(WORKER_SCRIPT, { workerData: setup, resourceLimits });
    // An idle worker does not keep the process alive; a busy one does.
    this.worker.unref();
    this.worker.on("message", (reply: EvaluationReply) => {
      const pending = this.take();
      this.worker.unref();
      if (reply.ok) {
        pending?.resolve(reply.metrics);
        return;
      }
      if (reply.fatal) void this.terminate();  // its backend may be broken: the next candidate gets a fresh worker
      pending?.reject(new Error(reply.fatal ? `${reply.error} (its worker was replaced)` : reply.error));
    });
    this.worker.on("error", (error) => this.die(`evaluation worker crashed: ${error.message}`));
    this.worker.on("exit", (code) => this.die(`evaluation worker exited with code ${code}`));
  }

  evaluate(request: EvaluationRequest): Promise<TrialMetrics> {
    if (!this.alive) return Promise.reject(new Error("evaluation worker is no longer running"));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.ref();
      this.worker.postMessage(request);
    });
  }

  terminate(): Promise<number> {
    this.alive = false;
    return this.worker.terminate();
  }

  private take() {
    const pending = this.pending;
    this.pending = null;
    return pending;
  }

  private die(why: string): void {
    this.alive = false;
    this.take()?.reject(new Error(why));
  }
}

export class WorkerPool<G extends Json> implements ConcurrentEvaluator<G> {
  readonly concurrency: number;
  private readonly idle: EvaluationThread[] = [];
  private readonly waiting: Array<(thread: EvaluationThread) => void> = [];
  private readonly all = new Set<EvaluationThread>();
  private closed = false;

  constructor(
    readonly job: EvaluationJob,
    private readonly options: WorkerPoolOptions = {},
  ) {
    this.concurrency = options.workers ?? defaultWorkerCount();
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) {
      throw new NasbookError(`A worker pool needs at least one worker; got ${this.concurrency}.`);
    }
  }

  async evaluate(genotype: G, context: EvaluationContext): Promise<TrialMetrics> {
    const thread = await this.acquire();
    try {
      return await thread.evaluate({ genotype, seed: context.seed });
    } finally {
      this.release(thread);
    }
  }

  /** Stops every worker; the pool cannot be used afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    const threads = [...this.all];
    this.all.clear();
    this.idle.length = 0;
    await Promise.all(threads.map((t) => t.terminate()));
  }

  private acquire(): Promise<EvaluationThread> {
    if (this.closed) return Promise.reject(new NasbookError("This worker pool was closed."));
    let thread = this.idle.pop();
    // A worker that died while idle is dropped here and replaced below.
    while (thread && !thread.alive) {
      this.all.delete(thread);
      thread = this.idle.pop();
    }
    if (thread) return Promise.resolve(thread);
    if (this.all.size < this.concurrency) return Promise.resolve(this.spawn());
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Hands the thread (or, if it died, a fresh one) to the next waiting evaluation. */
  private release(thread: EvaluationThread): void {
    if (this.closed) return;
    let usable = thread;
    if (!thread.alive) {
      this.all.delete(thread);
      usable = this.spawn();
    }
    const next = this.waiting.shift();
    if (next) next(usable);
    else this.idle.push(usable);
  }

  private spawn(): EvaluationThread {
    tuneWorkerHeaps();
    const threads = this.options.threads ?? threadsPerWorker(this.concurrency);
    const thread = new EvaluationThread({ job: this.job, backend: this.options.backend, threads, splits: this.options.splits }, this.options.resourceLimits);
    this.all.add(thread);
    return thread;
  }
}
