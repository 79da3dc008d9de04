/**
 * SMASH (Brock et al. 2018) on its own memory-bank space: train the convolutional HyperNet with a
 * new random memory-bank network per minibatch, score many distinct random networks by their
 * validation error with generated weights, train the best-scored few from scratch (trials
 * 0..k-1, the best-scored first) and test the best of those once. The run directory, checkpoint
 * and resumption are smash.ts's.
 */
import { Rng } from "../../core/random";
import { toJsonObject } from "../../core/json";
import type { ProgressCallback } from "../../core/types";
import type { DataSplits } from "../../data";
import { TrainFromScratch } from "../../evaluators/train-from-scratch";
import type { MemoryBankGenotype } from "../../spaces/smash/genotypes";
import { MemoryBankSpace } from "../../spaces/smash/space";
import { GeneratedBankNetwork } from "../../strategies/smash/generated-bank-network";
import type { HyperNetOptions } from "../../strategies/smash/hypernet";
import { bestScored, distinctDraws } from "../../strategies/smash/score";
import { smashBanksPreset, type SmashBanksPreset } from "../presets/smash-banks";
import type { SearchMethod } from "../search-method";
import { searchOnce, trainAndScore, trainFinalists, type CheckpointSlot, type SmashSearchResult } from "./smash";

/** The networks a run scores: its seed's draw, no two alike. */
export function smashBanksCandidates(preset: SmashBanksPreset, seed: number): MemoryBankGenotype[] {
  const space = new MemoryBankSpace(preset.space);
  const rng = new Rng(seed + 1);
  return distinctDraws(preset.candidates, () => space.sample(rng), (g) => JSON.stringify(g));
}

export interface SmashBanksRequest {
  readonly splits: DataSplits;
  readonly preset: SmashBanksPreset;
  readonly seed: number;
  /** The preset's HyperNet unless given (notebook 06's weaker one). */
  readonly hypernet?: HyperNetOptions;
  readonly epochs?: number;
  /** Unless given, the preset's number of distinct random networks drawn from the seed. */
  readonly candidates?: readonly MemoryBankGenotype[];
  readonly checkpoints?: CheckpointSlot;
  readonly onProgress?: ProgressCallback;
}



/** Trains a HyperNet on the memory-bank space (from its checkpoint, if any) and scores the candidates; frees it. */
export async function runSmashBanksSearch(request: SmashBanksRequest): Promise<SmashSearchResult<MemoryBankGenotype>> {
  const { splits, preset, seed } = request;
  const config = { ...preset.training, epochs: request.epochs ?? preset.training.epochs, seed: seed + 2 };
  const network = new GeneratedBankNetwork(preset.space, request.hypernet ?? preset.hypernet, splits.info.shape, splits.info.numClasses, new Rng(seed));
  const candidates = request.candidates ?? smashBanksCandidates(preset, seed);
  return trainAndScore({ network, config, splits, candidates, scoreBatchSize: preset.scoreBatchSize, checkpoints: request.checkpoints, onProgress: request.onProgress });
}

export const smashBanksMethod: SearchMethod = {
  name: "smash-banks",
  description: "SMASH on its memory-bank space: a convolutional HyperNet generates every candidate's weights; the best-scored are trained from scratch",
  at(scale) {
    const preset = smashBanksPreset(scale);
    const { data, space: options, hypernet, training, candidates, scoreBatchSize, finalists, fidelity, hyperparameters, reductions } = preset;
    return {
      data,
      settings: toJsonObject({ space: "smash-banks", data, spaceOptions: options, hypernet, training, candidates, scoreBatchSize, finalists, fidelity, hyperparameters, reductions }),
      async run(context) {
        const space = new MemoryBankSpace(options);
        const evaluator = new TrainFromScratch(space, context.splits, fidelity, hyperparameters);
        const search = await searchOnce(context, (v) => space.validate(v), (checkpoints) =>
          runSmashBanksSearch({ splits: context.splits, preset, seed: context.seed, checkpoints, onProgress: context.onProgress }),
        );
        const trials = await trainFinalists(context, evaluator, bestScored(search.scored, finalists), search.trainSeconds + search.scoreSeconds);
        return {
          trials,
          finalTest: (best) => evaluator.finalTest(space.validate(best.genotype), context.seed, "final test of SMASH's pick (memory-bank space)"),
        };
      },
    };
  },
};
