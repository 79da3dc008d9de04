/**
 * Running a multi-trial method (random search, evolution, NAS-RL...) in a run directory.
 * Candidates train in a worker pool (one thread per core) on CPU backends, in-process on a GPU,
 * where concurrent trainings would only queue for the device, or, given a queue, on the workers
 * of other machines (queue/queue-pool.ts); the final test of the winner always runs in-process.
 */
import { currentBackend } from "../backend/select";
import { toJson } from "../core/json";
import type { Fidelity, Json, SearchSpace, Strategy } from "../core/types";
import { augmentsByDefault, shareSplits, type DataSizes } from "../data";
import { TrainFromScratch, type TrainingHyperparameters } from "../evaluators/train-from-scratch";
import type { SpaceSpec } from "../spaces/registry";
import { runMultiTrialSearch, type ConcurrentEvaluator } from "./multi-trial-search";
import { QueuePool } from "./queue/queue-pool";
import type { MethodContext, MethodOutcome } from "./search-method";
import { WorkerPool, defaultWorkerCount, type EvaluationJob } from "./worker-pool";

export interface TrialSetup<G extends Json> {
  readonly space: SearchSpace<G>;
  /** The same space as plain data, for worker threads (see spaces/registry). */
  readonly spec: SpaceSpec;
  readonly data: DataSizes;
  readonly fidelity: Fidelity;
}

export interface SearchEvaluator<G extends Json> {
  readonly evaluator: TrainFromScratch<G> | ConcurrentEvaluator<G>;
  close(): Promise<void>;
}

/** A BullMQ queue to put the trials on: its Redis, and the run's config.json, which names its jobs. */
export interface TrialQueue {
  readonly url: string;
  readonly config: Json;
}

/**
 * What a search should train its candidates with, given the in-process evaluator and the same
 * evaluator as plain data: on CPU backends a pool of `defaultWorkerCount()` threads, even of one,
 * so that a candidate that breaks its backend (wasm out of memory) takes only its worker with it,
 * the workers training on `local`'s splits (shared, not reloaded); on a GPU `local` itself; with a `queue`, the queue's workers, on this backend. Notebooks call
 * it too; `close()` when the search is done.
 */
export function searchEvaluator<G extends Json>(local: TrainFromScratch<G>, job: EvaluationJob, env: NodeJS.ProcessEnv = process.env, queue?: TrialQueue): SearchEvaluator<G> {
  const backend = currentBackend().name;
  if (queue) {
    const pool = new QueuePool<G>({ url: queue.url, config: queue.config, evaluation: job, backend });
    return { evaluator: pool, close: () => pool.close() };
  }
  if (backend === "tensorflow-gpu") return { evaluator: local, close: async () => {} };
  const splits = shareSplits(local.splits, local.benchmarkTest);
  const pool = new WorkerPool<G>(job, { workers: defaultWorkerCount(env), backend, splits });
  return { evaluator: pool, close: () => pool.close() };
}

export interface MultiTrialRun<G extends Json> extends TrialSetup<G> {
  readonly strategy: Strategy<G>;
  readonly budget: number;
  readonly round: number;
}

/** Runs (or resumes) the search in the context's store; the outcome's final test trains in-process. */
export async function runMultiTrial<G extends Json>(context: MethodContext, run: MultiTrialRun<G>): Promise<MethodOutcome> {
  const hyperparameters: TrainingHyperparameters = { augment: augmentsByDefault(context.dataset) };
  const local = new TrainFromScratch(run.space, context.splits, run.fidelity, hyperparameters);
  const job: EvaluationJob = {
    space: { kind: run.spec.kind, options: toJson(run.spec.options) },
    dataset: context.dataset,
    data: { seed: context.seed, ...run.data },
    fidelity: run.fidelity,
    hyperparameters,
  };
  const queue = context.queue === undefined ? undefined : { url: context.queue, config: context.store.config };
  const search = searchEvaluator(local, job, process.env, queue);
  try {
    const trials = await runMultiTrialSearch({
      space: run.space,
      strategy: run.strategy,
      evaluator: search.evaluator,
      store: context.store,
      budget: run.budget,
      round: run.round,
      seed: context.seed,
      onProgress: context.onProgress,
    });
    return {
      trials,
      finalTest: (best) => local.finalTest(run.space.validate(best.genotype), context.seed, `final test of trial ${best.id}`),
    };
  } finally {
    await search.close();
  }
}
