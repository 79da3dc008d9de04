/**
 * ENAS on its macro space (`enas-macro`): shared weights, one branch per (layer, op), trained
 * with a fresh architecture per minibatch, and the macro controller (ops, skips by attention,
 * the skip penalty) trained by REINFORCE on their validation-minibatch accuracy. The search sees
 * only the two halves of the training split; the derived architecture is trained from scratch as
 * trial 0. It checkpoints after every epoch (shared weights, BatchNorm statistics, SGD momentum,
 * controller and Adam state, random state) in the run directory, so a killed run resumes from its
 * last epoch. `runEnasMacroSearch` with `sampler: "uniform"` is the same search without the
 * controller (notebook 03).
 */
import * as tf from "@tensorflow/tfjs";
import { toJson, toJsonObject } from "../../core/json";
import { Rng } from "../../core/random";
import { TrainFromScratch } from "../../evaluators/train-from-scratch";
import { EnasMacroSinglePath, EnasMacroSpace, skipRate, type EnasMacroGenotype } from "../../spaces/enas";
import { searchHalves } from "../../strategies/darts/search";
import { EnasSearch, type EnasConfig, type EnasDerivation, type EnasEpochRecord, type EnasSampler } from "../../strategies/enas/search";
import { enasMacroPreset } from "../presets/enas-macro";
import type { SearchMethod } from "../search-method";
import { recordTrial, trialSeed } from "../trial";
import { runCheckpoints, searchEpochs, type SharedWeightsRunOptions } from "./enas";

export interface EnasMacroRunOptions extends SharedWeightsRunOptions {
  readonly sampler: EnasSampler;
}

export interface EnasMacroRunResult {
  readonly genotype: EnasMacroGenotype;
  readonly description: string;
  /** The derived architecture's fraction of skip bits set (ENAS's skip_rate; the penalty's target is 0.4). */
  readonly skipRate: number;
  readonly history: EnasEpochRecord[];
  readonly derivation: EnasDerivation;
  readonly config: EnasConfig;
  readonly supernetParams: number;
  readonly backend: string;
  /** Seconds of searching (a resumed run: since it resumed, plus the epochs' own seconds before). */
  readonly wallSeconds: number;
  readonly reductions: string;
}

/**
 * The controller's expected skip rate under an epoch's distributions: the mean P(skip) over the
 * anchor decisions (what the penalty pulls towards its target).
 */
export function expectedSkipRate(space: EnasMacroSpace, probabilities: readonly (readonly number[])[]): number {
  const anchors = space.decisions().flatMap((d, k) => (d.kind === "anchor" ? [probabilities[k][1]] : []));
  return anchors.reduce((s, p) => s + p, 0) / anchors.length;
}

/** One macro search, start to finish: build the shared weights, search (resuming from a checkpoint), derive. */
export async function runEnasMacroSearch(options: EnasMacroRunOptions): Promise<EnasMacroRunResult> {
  const { sampler, seed, scale, train } = options;
  const preset = enasMacroPreset(scale);
  const config: EnasConfig = { ...preset.search, sampler, seed };
  const space = new EnasMacroSpace(preset.space);
  const net = new EnasMacroSinglePath(preset.space, train.info.shape, train.info.numClasses, new Rng(seed));
  const search = new EnasSearch(space, net, searchHalves(train), config);
  const start = performance.now();
  try {
    const before = await searchEpochs(search, options);
    const derivation = search.derive();
    const genotype = space.decode(derivation.best);
    return {
      genotype,
      description: space.describe(genotype),
      skipRate: skipRate(genotype),
      history: [...search.history],
      derivation,
      config,
      supernetParams: net.weights().reduce((n, v) => n + v.size, 0),
      backend: tf.getBackend(),
      wallSeconds: before + (performance.now() - start) / 1000,
      reductions: preset.reductions,
    };
  } finally {
    search.dispose();
    net.dispose();
  }
}

export const enasMacroMethod: SearchMethod = {
  name: "enas-macro",
  description: "ENAS on its macro space: 12 layers of 6 ops with skip connections, shared weights, an LSTM controller with the skip penalty",
  at(scale) {
    const preset = enasMacroPreset(scale);
    const { data, space: spaceOptions, search, fidelity, hyperparameters } = preset;
    return {
      data,
      settings: toJsonObject({ space: "enas-macro", data, spaceOptions, search, fidelity, hyperparameters }),
      async run(context) {
        const space = new EnasMacroSpace(spaceOptions);
        const evaluator = new TrainFromScratch(space, context.splits, fidelity, hyperparameters);
        const stored = context.store.trials((genotype) => space.validate(genotype));
        const searchAndEvaluate = async () => {
          const result = await runEnasMacroSearch({ sampler: "controller", seed: context.seed, scale, train: context.splits.train, onProgress: context.onProgress, checkpoints: runCheckpoints(context.store) });
          const { history, derivation, description, skipRate: rate } = result;
          context.store.writeArtifact("enas.json", toJson({ history, derivation, description, skipRate: rate }));
          const trial = await recordTrial(0, result.genotype, () => evaluator.evaluate(result.genotype, { seed: trialSeed(context.seed, 0) }), result.wallSeconds);
          context.store.append(trial);
          return trial;
        };
        const trial = stored.length > 0 ? stored[0] : await searchAndEvaluate();
        return {
          trials: [trial],
          finalTest: (best) => evaluator.finalTest(space.validate(best.genotype), context.seed, "final test of the enas-macro architecture"),
        };
      },
    };
  },
};
