/**
 * The evaluators a multi-trial method trains its candidates with: a worker pool (one thread per
 * core) on CPU backends, an in-process evaluator on a GPU, where concurrent trainings would only
 * queue for the device; and always an in-process one for the final test of the winner.
 */
import { currentBackend } from "../backend/select";
import type { Fidelity, Json, SearchSpace } from "../core/types";
import { TrainFromScratch, type TrainingHyperparameters } from "../evaluators/train-from-scratch";
import type { SpaceSpec } from "../spaces/registry";
import { toJson } from "../store/run-store";
import type { ConcurrentEvaluator } from "./black-box-search";
import type { MethodContext } from "./method";
import type { DataSizes } from "./presets";
import { WorkerPool, defaultWorkerCount } from "./worker-pool";

export interface TrialEvaluators<G extends Json> {
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

export function trialEvaluators<G extends Json>(context: MethodContext, setup: TrialSetup<G>): TrialEvaluators<G> {
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
