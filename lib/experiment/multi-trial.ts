/**
 * Running a multi-trial method (random search, evolution, NAS-RL...) for the CLI. Candidates train
 * in a worker pool (one thread per core) on CPU backends, in-process on a GPU, where concurrent
 * trainings would only queue for the device; the final test of the winner always runs in-process.
 */
import { currentBackend } from "../backend/select";
import type { Fidelity, Json, SearchSpace, Strategy } from "../core/types";
import { TrainFromScratch, type TrainingHyperparameters } from "../evaluators/train-from-scratch";
import type { SpaceSpec } from "../spaces/registry";
import { toJson } from "../store/run-store";
import { runBlackBoxSearch, type ConcurrentEvaluator } from "./black-box-search";
import type { MethodContext, MethodOutcome } from "./method";
import type { DataSizes } from "./presets";
import { WorkerPool, defaultWorkerCount } from "./worker-pool";

interface TrialEvaluators<G extends Json> {
  /** What the search trains its candidates with. */
  readonly search: TrainFromScratch<G> | ConcurrentEvaluator<G>;
  /** In this thread, on the context's splits: for the final test. */
  readonly local: TrainFromScratch<G>;
  close(): Promise<void>;
}

export interface TrialSetup<G extends Json> {
  readonly space: SearchSpace<G>;
  /** The same space as plain data, for worker threads (see spaces/registry). */
  readonly spec: SpaceSpec;
  readonly data: DataSizes;
  readonly fidelity: Fidelity;
}

function trialEvaluators<G extends Json>(context: MethodContext, setup: TrialSetup<G>): TrialEvaluators<G> {
  // Augmentation is part of the CIFAR-10 protocol of every paper here; the MNISTs train without it.
  const hyperparameters: TrainingHyperparameters = { augment: context.dataset === "cifar10" };
  const local = new TrainFromScratch(setup.space, context.splits, setup.fidelity, hyperparameters);
  const backend = currentBackend().name;
  const workers = backend === "tensorflow-gpu" ? 1 : defaultWorkerCount();
  if (workers === 1) return { search: local, local, close: async () => {} };
  const pool = new WorkerPool<G>(
    {
      space: { kind: setup.spec.kind, options: toJson(setup.spec.options) },
      dataset: context.dataset,
      data: { seed: context.seed, ...setup.data },
      fidelity: setup.fidelity,
      hyperparameters,
    },
    { workers, backend },
  );
  return { search: pool, local, close: () => pool.close() };
}

export interface MultiTrialRun<G extends Json> extends TrialSetup<G> {
  readonly strategy: Strategy<G>;
  readonly budget: number;
  readonly round: number;
}

/** Runs (or resumes) the search in the context's store; the outcome's final test trains in-process. */
export async function runMultiTrial<G extends Json>(context: MethodContext, run: MultiTrialRun<G>): Promise<MethodOutcome> {
  const evaluators = trialEvaluators(context, run);
  try {
    const trials = await runBlackBoxSearch({
      space: run.space,
      strategy: run.strategy,
      evaluator: evaluators.search,
      store: context.store,
      budget: run.budget,
      round: run.round,
      seed: context.seed,
      onProgress: context.onProgress,
    });
    return {
      trials,
      finalTest: (best) => evaluators.local.finalTest(run.space.validate(best.genotype), context.seed, `final test of trial ${best.id}`),
    };
  } finally {
    await evaluators.close();
  }
}
