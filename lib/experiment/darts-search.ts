/**
 * DARTS, second-order DARTS and GDAS as CLI methods. The one-shot search runs its own loop; the
 * run directory still reads like every other: the derived genotype is trained from scratch as
 * trial 0 of trials.jsonl, and the alpha history and losses are kept in alphas.json.
 */
import type { Scale } from "../core/scale";
import type { Json, TrialRecord } from "../core/types";
import { TrainFromScratch } from "../evaluators/train-from-scratch";
import { DartsSpace } from "../spaces/darts/space";
import type { DartsGenotype } from "../spaces/darts/genotypes";
import { toJson } from "../store/run-store";
import { dartsPreset } from "../strategies/darts/presets";
import { DARTS_METHODS, dartsSearchSettings, runDartsSearch, type DartsMethod } from "../strategies/darts/run";
import { recordTrial, trialSeed } from "./black-box-search";
import type { MethodContext, MethodOutcome, SearchMethod } from "./method";

const DESCRIPTIONS: Record<DartsMethod, string> = {
  darts: "DARTS, first order: a weight-sharing supernet, architecture weights by gradient descent",
  darts2: "DARTS, second order: the unrolled architecture gradient with a finite-difference Hessian-vector product",
  gdas: "GDAS: DARTS with one op per edge sampled by hard Gumbel-softmax",
};

function dartsMethod(method: DartsMethod): SearchMethod {
  return {
    name: method,
    description: DESCRIPTIONS[method],
    dataSizes: (scale) => dartsPreset(scale).data,
    settings(scale: Scale) {
      const { data, supernet, search, network, fidelity } = dartsPreset(scale);
      return toJson({ space: "darts", data, supernet, search: dartsSearchSettings(method, search), network, fidelity }) as {
        [key: string]: Json;
      };
    },
    async run(context: MethodContext): Promise<MethodOutcome> {
      const preset = dartsPreset(context.scale);
      const space = new DartsSpace(preset.network);
      const augment = context.dataset === "cifar10";
      const evaluator = new TrainFromScratch(space, context.splits, preset.fidelity, { augment });
      // The search has no checkpoints: a run killed while searching searches again; one killed after it resumes here.
      const stored = context.store.trials<DartsGenotype>();
      const trial = stored.length > 0 ? stored[0] : await searchAndEvaluate(context, evaluator, method);
      return {
        trials: [trial],
        finalTest: (best) => evaluator.finalTest(space.validate(best.genotype), context.seed, `final test of the ${method} cell`),
      };
    },
  };
}

async function searchAndEvaluate(
  context: MethodContext,
  evaluator: TrainFromScratch<DartsGenotype>,
  method: DartsMethod,
): Promise<TrialRecord<DartsGenotype>> {
  const result = await runDartsSearch({ splits: context.splits, scale: context.scale, seed: context.seed, method, onProgress: context.onProgress });
  context.store.writeArtifact(
    "alphas.json",
    toJson({ alphaHistory: result.alphaHistory, losses: result.losses, epochs: result.epochs, secondsPerEpoch: result.secondsPerEpoch }),
  );
  const evaluate = () => evaluator.evaluate(result.genotype, { seed: trialSeed(context.seed, 0) });
  const trial = await recordTrial(0, result.genotype, evaluate, result.wallSeconds);
  context.store.append(trial);
  return trial;
}

export const dartsMethods: readonly SearchMethod[] = DARTS_METHODS.map(dartsMethod);
