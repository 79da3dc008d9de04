/**
 * NASNet's transfer claim (Zoph et al. 2018, Sec. 4 and the N@F table): a cell found on a small
 * child network keeps its worth when stacked into larger ones. Here each named cell (the found
 * one, a random one) is retrained from scratch at every N@F of a list, with several training
 * seeds, on the same data and epochs, through the search's own evaluator (worker threads on a
 * CPU), and scored on the validation split: the test set stays sealed for the one final model.
 */
import { gapVsSpread, mean, type GapVsSpread } from "../core/stats";
import { toJson } from "../core/json";
import type { Fidelity, ProgressCallback } from "../core/types";
import type { DataSizes, DataSplits, DatasetName } from "../data";
import { TrainFromScratch, type TrainingHyperparameters } from "../evaluators/train-from-scratch";
import { NasnetSpace, nasnetFilters, type NasnetGenotype, type NasnetNetworkOptions, type NasnetSpaceOptions } from "../spaces/nasnet";
import { searchEvaluator } from "./multi-trial";

export interface TransferRequest {
  /** The cells to retrain, by name (e.g. `found`, `random`). */
  readonly cells: Readonly<Record<string, NasnetGenotype>>;
  /** The search's space: its op set and block count; N, C and stem are replaced by each size's. */
  readonly space: NasnetSpaceOptions;
  /** Network sizes, smallest first. */
  readonly sizes: readonly NasnetNetworkOptions[];
  /** Training seeds per (cell, size). */
  readonly seeds: readonly number[];
  readonly fidelity: Fidelity;
  readonly dataset: DatasetName;
  /** The splits to train and validate on, and how they were made (worker threads load the same). */
  readonly splits: DataSplits;
  readonly data: DataSizes & { readonly seed: number };
  readonly hyperparameters?: TrainingHyperparameters;
  /** Trainings finished of all. */
  readonly onProgress?: ProgressCallback;
}

export interface TransferResult {
  readonly cell: string;
  /** The size as the paper writes it: N@F, F the filters of the last cell's output (so it depends on the cell). */
  readonly size: string;
  /** Index into the request's sizes. */
  readonly sizeIndex: number;
  readonly repeats: number;
  readonly channels: number;
  readonly seed: number;
  readonly validAccuracy: number;
  readonly params: number;
  readonly trainSeconds: number;
}

/** Every (cell, size, seed) trained once; the trainings of one size run at once on the evaluator's workers. */
export async function retrainAtSizes(request: TransferRequest): Promise<TransferResult[]> {
  const names = Object.keys(request.cells);
  const total = names.length * request.sizes.length * request.seeds.length;
  const results: TransferResult[] = [];
  let finished = 0;
  for (const [sizeIndex, size] of request.sizes.entries()) {
    const options: NasnetSpaceOptions = { ...request.space, ...size };
    const space = new NasnetSpace(options);
    const hyperparameters = request.hyperparameters ?? {};
    const local = new TrainFromScratch(space, request.splits, request.fidelity, hyperparameters);
    const job = { space: { kind: "nasnet", options: toJson(options) }, dataset: request.dataset, data: request.data, fidelity: request.fidelity, hyperparameters };
    const evaluator = searchEvaluator(local, job);
    try {
      const jobs = names.flatMap((cell) => request.seeds.map((seed) => ({ cell, seed, genotype: space.validate(request.cells[cell]) })));
      const trained = await Promise.all(
        jobs.map(async ({ cell, seed, genotype }): Promise<TransferResult> => {
          const metrics = await evaluator.evaluator.evaluate(genotype, { seed });
          const label = `${size.repeats}@${nasnetFilters(genotype, size)}`;
          request.onProgress?.(++finished, total, `${cell} at ${label}, seed ${seed}`);
          const { validAccuracy, params, trainSeconds } = metrics;
          return { cell, size: label, sizeIndex, repeats: size.repeats, channels: size.channels, seed, validAccuracy, params, trainSeconds };
        }),
      );
      results.push(...trained);
    } finally {
      await evaluator.close();
    }
  }
  return results;
}

export interface TransferLead extends GapVsSpread {
  readonly sizeIndex: number;
  /** Mean validation accuracy over seeds of each cell at this size. */
  readonly cell: number;
  readonly baseline: number;
}

/** Per size, `cell`'s mean validation accuracy against `baseline`'s, judged by the seeds' spread. */
export function transferLeads(results: readonly TransferResult[], cell: string, baseline: string): TransferLead[] {
  const sizes = [...new Set(results.map((r) => r.sizeIndex))].sort((a, b) => a - b);
  return sizes.map((sizeIndex) => {
    const accuracies = (name: string) => results.filter((r) => r.cell === name && r.sizeIndex === sizeIndex).map((r) => r.validAccuracy);
    const [a, b] = [accuracies(cell), accuracies(baseline)];
    return { sizeIndex, cell: mean(a), baseline: mean(b), ...gapVsSpread(a, b) };
  });
}
