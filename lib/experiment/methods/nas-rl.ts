/**
 * NAS-RL (Zoph & Le 2017) as a method: the REINFORCE controller over the NAS-RL space. Random
 * search over the same space, the baseline the controller is compared with in notebook 01, is a
 * method too (not one the CLI lists: its `random` searches the macro space).
 */
import { toJson, toJsonObject } from "../../core/json";
import { NasRlSpace } from "../../spaces/nasrl/space";
import { ReinforceController } from "../../strategies/controller/reinforce";
import { RandomSearch } from "../../strategies/random-search";
import { writeControllerUpdates } from "../controller-artifact";
import { runMultiTrial } from "../multi-trial";
import { nasRlPreset } from "../presets/nas-rl";
import type { SearchMethod } from "../search-method";

export const nasRlMethod: SearchMethod = {
  name: "nas-rl",
  description: "NAS-RL: an LSTM controller trained by REINFORCE over the layer-wise space with skip anchors",
  at(scale) {
    const { budget, round, fidelity, space, data, controller } = nasRlPreset(scale);
    return {
      data,
      settings: toJsonObject({ space: "nas-rl", spaceOptions: space, budget, round, fidelity, data, controller }),
      async run(context) {
        const nasRlSpace = new NasRlSpace(space);
        const strategy = new ReinforceController(nasRlSpace, context.seed, controller);
        try {
          const spec = { kind: "nas-rl", options: toJson(space) };
          const outcome = await runMultiTrial(context, { space: nasRlSpace, spec, data, fidelity, strategy, budget, round });
          // The controller's per-decision probabilities after each update: the heatmap of notebook 01.
          writeControllerUpdates(context.store, nasRlSpace, strategy.updates);
          return outcome;
        } finally {
          strategy.dispose();
        }
      },
    };
  },
};

/** Random search with NAS-RL's space, budget, rounds and training: only the strategy differs. */
export const nasRlRandomMethod: SearchMethod = {
  name: "nas-rl-random",
  description: "random search over the NAS-RL space, the baseline of the controller",
  at(scale) {
    const { budget, round, fidelity, space, data } = nasRlPreset(scale);
    return {
      data,
      settings: toJsonObject({ space: "nas-rl", spaceOptions: space, budget, round, fidelity, data }),
      run(context) {
        const nasRlSpace = new NasRlSpace(space);
        const strategy = new RandomSearch(nasRlSpace, context.seed);
        return runMultiTrial(context, { space: nasRlSpace, spec: { kind: "nas-rl", options: toJson(space) }, data, fidelity, strategy, budget, round });
      },
    };
  },
};
