/** Random search and regularized evolution on the layer-wise macro space, as CLI methods. */
import { toJson, toJsonObject } from "../../core/json";
import type { Strategy } from "../../core/types";
import { MacroCnnSpace, type MacroCnnGenotype } from "../../spaces/macro-cnn";
import { RandomSearch } from "../../strategies/random-search";
import { RegularizedEvolution } from "../../strategies/regularized-evolution";
import { runMultiTrial } from "../multi-trial";
import { macroPreset, type MacroPreset } from "../presets/macro";
import type { SearchMethod } from "../search-method";

type StrategyFactory = (space: MacroCnnSpace, preset: MacroPreset, seed: number) => Strategy<MacroCnnGenotype>;

function macroMethod(name: string, description: string, strategy: StrategyFactory): SearchMethod {
  return {
    name,
    description,
    at(scale) {
      const preset = macroPreset(scale);
      const { budget, round, fidelity, space, data } = preset;
      const base = { space: "macro-cnn", spaceOptions: space, budget, round, fidelity, data };
      return {
        data,
        settings: toJsonObject(name === "evolution" ? { ...base, evolution: preset.evolution } : base),
        run(context) {
          const macroSpace = new MacroCnnSpace(space);
          return runMultiTrial(context, {
            space: macroSpace,
            spec: { kind: "macro-cnn", options: toJson(space) },
            data,
            fidelity,
            strategy: strategy(macroSpace, preset, context.seed),
            budget,
            round,
          });
        },
      };
    },
  };
}

export const randomSearchMethod = macroMethod(
  "random",
  "random search over the layer-wise macro CNN space",
  (space, _preset, seed) => new RandomSearch(space, seed),
);

export const evolutionMethod = macroMethod(
  "evolution",
  "regularized (aging) evolution over the layer-wise macro CNN space",
  (space, preset, seed) => new RegularizedEvolution(space, preset.evolution, seed),
);
