/** Random search and regularized evolution on the layer-wise macro space, as CLI methods. */
import { currentBackend } from "../backend/select";
import type { Scale } from "../core/scale";
import type { Json, Strategy } from "../core/types";
import { TrainFromScratch } from "../evaluators/train-from-scratch";
import { MacroCnnSpace, type MacroCnnGenotype } from "../spaces/macro-cnn";
import { toJson } from "../store/run-store";
import { RandomSearch } from "../strategies/random-search";
import { RegularizedEvolution } from "../strategies/regularized-evolution";
import { runBlackBoxSearch } from "./black-box-search";
import type { MethodContext, MethodOutcome, SearchMethod } from "./method";
import { blackBoxPreset } from "./presets";
import { WorkerPool, defaultWorkerCount } from "./worker-pool";

type StrategyFactory = (space: MacroCnnSpace, scale: Scale, seed: number) => Strategy<MacroCnnGenotype>;

/**
 * Worker threads for this run: one per core on CPU backends (each has its own wasm instance), a
 * single in-process evaluator on a GPU, where concurrent trainings would only queue for the device.
 */
function workerCount(): number {
  return currentBackend().name === "tensorflow-gpu" ? 1 : defaultWorkerCount();
}

function macroMethod(name: string, description: string, strategy: StrategyFactory): SearchMethod {
  return {
    name,
    description,
    dataSizes: (scale) => blackBoxPreset(scale).data,
    settings(scale) {
      const preset = blackBoxPreset(scale);
      const { budget, round, fidelity, space, data } = preset;
      const base = { space: "macro-cnn", spaceOptions: space, budget, round, fidelity, data };
      return toJson(name === "evolution" ? { ...base, evolution: preset.evolution } : base) as { [key: string]: Json };
    },
    async run(context: MethodContext): Promise<MethodOutcome> {
      const preset = blackBoxPreset(context.scale);
      const space = new MacroCnnSpace(preset.space);
      // Augmentation is part of the CIFAR-10 protocol of every paper here; the MNISTs train without it.
      const hyperparameters = { augment: context.dataset === "cifar10" };
      const local = new TrainFromScratch(space, context.splits, preset.fidelity, hyperparameters);
      const workers = workerCount();
      const pool =
        workers > 1
          ? new WorkerPool<MacroCnnGenotype>(
              {
                space: { kind: "macro-cnn", options: toJson(preset.space) },
                dataset: context.dataset,
                data: { seed: context.seed, ...preset.data },
                fidelity: preset.fidelity,
                hyperparameters,
              },
              { workers, backend: currentBackend().name },
            )
          : null;
      try {
        const trials = await runBlackBoxSearch({
          space,
          strategy: strategy(space, context.scale, context.seed),
          evaluator: pool ?? local,
          store: context.store,
          budget: preset.budget,
          round: preset.round,
          seed: context.seed,
          onProgress: context.onProgress,
        });
        return {
          trials,
          finalTest: (best) => local.finalTest(space.validate(best.genotype), context.seed, `final test of trial ${best.id}`),
        };
      } finally {
        await pool?.close();
      }
    },
  };
}

export const randomSearchMethod = macroMethod(
  "random",
  "random search over the layer-wise macro CNN space",
  (space, _scale, seed) => new RandomSearch(space, seed),
);

export const evolutionMethod = macroMethod(
  "evolution",
  "regularized (aging) evolution over the layer-wise macro CNN space",
  (space, scale, seed) => new RegularizedEvolution(space, blackBoxPreset(scale).evolution, seed),
);
