/** Random search and regularized evolution on the layer-wise macro space, as CLI methods. */
import type { Scale } from "../core/scale";
import type { Json, Strategy } from "../core/types";
import { TrainFromScratch } from "../evaluators/train-from-scratch";
import { toJson } from "../store/run-store";
import { MacroCnnSpace, type MacroCnnGenotype } from "../spaces/macro-cnn";
import { RandomSearch } from "../strategies/random-search";
import { RegularizedEvolution } from "../strategies/regularized-evolution";
import { runBlackBoxSearch } from "./black-box-search";
import type { MethodContext, MethodOutcome, SearchMethod } from "./method";
import { blackBoxPreset } from "./presets";

type StrategyFactory = (space: MacroCnnSpace, scale: Scale, seed: number) => Strategy<MacroCnnGenotype>;

function macroMethod(name: string, description: string, strategy: StrategyFactory): SearchMethod {
  return {
    name,
    description,
    dataSizes: (scale) => blackBoxPreset(scale).data,
    settings(scale) {
      const preset = blackBoxPreset(scale);
      const { budget, fidelity, space, data } = preset;
      const base = { space: "macro-cnn", spaceOptions: space, budget, fidelity, data };
      return toJson(name === "evolution" ? { ...base, evolution: preset.evolution } : base) as { [key: string]: Json };
    },
    async run(context: MethodContext): Promise<MethodOutcome> {
      const preset = blackBoxPreset(context.scale);
      const space = new MacroCnnSpace(preset.space);
      // Augmentation is part of the CIFAR-10 protocol of every paper here; the MNISTs train without it.
      const evaluator = new TrainFromScratch(space, context.splits, preset.fidelity, { augment: context.dataset === "cifar10" });
      const trials = await runBlackBoxSearch({
        space,
        strategy: strategy(space, context.scale, context.seed),
        evaluator,
        store: context.store,
        budget: preset.budget,
        seed: context.seed,
        onProgress: context.onProgress,
      });
      return {
        trials,
        finalTest: (best) => evaluator.finalTest(space.validate(best.genotype), context.seed, `final test of trial ${best.id}`),
      };
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
