/**
 * NAS-RL (Zoph & Le 2017) as a method: the REINFORCE controller over the NAS-RL space. Random
 * search over the same space, the baseline the controller is compared with in notebook 01, is a
 * method too (not one the CLI lists: its `random` searches the macro space).
 */
import { toJson, toJsonObject } from "../../core/json";
import type { Fidelity } from "../../core/types";
import { nasRlSvg } from "../../spaces/nasrl/draw";
import type { NasRlGenotype } from "../../spaces/nasrl/genotypes";
import { NasRlSpace } from "../../spaces/nasrl/space";
import { ReinforceController, nasRlReward } from "../../strategies/controller/reinforce";
import { RandomSearch } from "../../strategies/random-search";
import { choiceRows } from "../../viz/controller-figures";
import type { ReportSection } from "../../viz/report";
import { controllerReportSection, writeControllerUpdates } from "../controller-artifact";
import { runMultiTrial } from "../multi-trial";
import { nasRlPreset } from "../presets/nas-rl";
import type { ReportContext, SearchMethod } from "../search-method";
import { bestTrial } from "../trial";

export const NASRL_REWARD = "the best validation accuracy of the child's last 5 epochs, cubed (a child that failed: 0)";

/** The controller's probabilities and rewards, and the best child drawn. */
function nasRlReportSections(run: ReportContext, space: NasRlSpace, fidelity: Fidelity): ReportSection[] {
  const best = bestTrial(run.trials);
  const accuracy = best?.metrics?.validAccuracy ?? 0;
  const chance = 1 / run.info.numClasses;
  const meaning =
    `A trial's validation accuracy is the fraction of the validation split its child got right after ${fidelity.epochs} epoch(s) of training; ` +
    `its reward is the best of its last 5 epochs' accuracies, cubed${best?.metrics ? ` (the best trial's: ${nasRlReward(best.metrics).toFixed(4)})` : ""}. Chance is 1/${run.info.numClasses} = ${chance.toFixed(3)}: ` +
    "a child trained for only a few steps scatters around it, above or below, which says the budget is too small, not that the child is worse than a constant guess.";
  return [
    controllerReportSection(run.store, choiceRows(space.decisions(), space.choiceLabels()), NASRL_REWARD),
    {
      heading: "Best architecture",
      text: best ? `${space.describe(best.genotype as NasRlGenotype)}: trial ${best.id}, validation accuracy ${accuracy.toFixed(4)}.\n\n${meaning}` : meaning,
      drawings: best ? [{ svg: nasRlSvg(best.genotype as NasRlGenotype), caption: space.describe(best.genotype as NasRlGenotype) }] : [],
    },
  ];
}

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
      reportSections: (run) => nasRlReportSections(run, new NasRlSpace(space), fidelity),
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
