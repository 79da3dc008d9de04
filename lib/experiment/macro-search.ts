/** Random search and regularized evolution on the layer-wise macro space, as CLI methods. */
import type { Scale } from "../core/scale";
import type { Json, Strategy } from "../core/types";
import { MacroCnnSpace, type MacroCnnGenotype } from "../spaces/macro-cnn";
import { toJson } from "../store/run-store";
import { RandomSearch } from "../strategies/random-search";
import { RegularizedEvolution } from "../strategies/regularized-evolution";
import type { MethodContext, MethodOutcome, SearchMethod } from "./method";
import { blackBoxPreset } from "./presets";
import { runMultiTrial } from "./multi-trial";

type StrategyFactory = (space: MacroCnnSpace, scale: Scale, seed: number) => Strategy<MacroCnnGenotype>;

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
    run(context: MethodContext): Promise<MethodOutcome> {
      const preset = blackBoxPreset(context.scale);
      const space = new MacroCnnSpace(preset.space);
      return runMultiTrial(context, {
        space,
        spec: { kind: "macro-cnn", options: toJson(preset.space) },
        data: preset.data,
        fidelity: preset.fidelity,
        strategy: strategy(space, context.scale, context.seed),
        budget: preset.budget,
        round: preset.round,
      });
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
