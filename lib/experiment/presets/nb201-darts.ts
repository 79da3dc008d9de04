/**
 * DARTS and GDAS on NAS-Bench-201's cell space, per scale. The data are the benchmark table's
 * (Fashion-MNIST at its downsampling, presets/benchmark.ts), so a derived cell can be looked up
 * in the table of the same scale; the supernet is the table's network (C and N) unless a scale
 * says otherwise. `paper` keeps NAS-Bench-201's search settings (configs/nas-benchmark/algos/DARTS.config
 * and GDAS.config in D-X-Y/AutoDL-Projects, with scripts-search/NAS-Bench-201-algos/*.sh); `quick` fits
 * one search into about a minute of two CPU cores, so that three methods x three seeds fit in a notebook.
 */
import type { Scale } from "../../core/scale";
import type { DataSizes } from "../../data";
import type { Nb201NetworkOptions } from "../../spaces/nb201";
import { DARTS_HYPERPARAMETERS } from "../../strategies/darts/search";
import { benchmarkPreset } from "./benchmark";
import type { SearchSettings } from "./darts";

export interface Nb201DartsPreset {
  /** Sizes of train / valid / test and the downsampling; the search splits `train` into its two halves. */
  readonly data: DataSizes;
  readonly supernet: Nb201NetworkOptions;
  /** DARTS's settings, both orders; `epochs` is DARTS's. */
  readonly search: SearchSettings;
  /** GDAS's epochs: NAS-Bench-201 runs GDAS for 250, DARTS for 50. */
  readonly gdasEpochs: number;
  /** What this scale changes from NAS-Bench-201's search, said plainly. */
  readonly reductions: string;
}

/** DARTS's settings with NAS-Bench-201's weight decay (5e-4 where DARTS has 3e-4). */
const NB201_SEARCH = { ...DARTS_HYPERPARAMETERS, weightDecay: 5e-4 };

/** Where every scale departs from NAS-Bench-201's search code alike. */
const ALWAYS =
  "plain momentum where NAS-Bench-201 has Nesterov, the learning rate annealed per epoch (NAS-Bench-201: per step), " +
  "and first-order DARTS steps alpha before the weights (DARTS's Algorithm 1; NAS-Bench-201's DARTS-V1 steps the weights first)";

const PRESETS: Record<Scale, Nb201DartsPreset> = {
  smoke: {
    data: { ...benchmarkPreset("smoke").data, trainSize: 64 },
    supernet: { cellsPerStage: 1, channels: 2 },
    search: { ...NB201_SEARCH, epochs: 1, batchSize: 16 },
    gdasEpochs: 2,
    reductions: `smoke: C = 2, N = 1, 32 + 32 search images at 14x14, 1 epoch (GDAS 2); checks the pipeline only; ${ALWAYS}`,
  },
  quick: {
    data: benchmarkPreset("quick").data,
    supernet: benchmarkPreset("quick").network,
    search: { ...NB201_SEARCH, epochs: 6, batchSize: 64, alphaLr: 3e-3 },
    gdasEpochs: 20,
    reductions:
      "quick: the shipped table's network (C = 8, N = 1; paper 16, 5) and data (Fashion-MNIST at 14x14), searching on " +
      "1,000 + 1,000 of its 2,000 training images (paper: 25k + 25k CIFAR-10), 6 epochs for DARTS and 20 for GDAS " +
      `(paper: 50 and 250), alpha learning rate 3e-3 (paper: 3e-4) to make up for ~200x fewer steps; ${ALWAYS}`,
  },
  paper: {
    data: benchmarkPreset("paper").data,
    supernet: benchmarkPreset("paper").network,
    search: { ...NB201_SEARCH, epochs: 50, batchSize: 64 },
    gdasEpochs: 250,
    reductions:
      "paper: NAS-Bench-201's search (C = 16, N = 5, batch 64, 50 epochs for DARTS and 250 for GDAS) on Fashion-MNIST at 28x28, " +
      `searching on the two halves of the paper table's 35k training split (NAS-Bench-201: 25k + 25k CIFAR-10); ${ALWAYS}`,
  },
};

export function nb201DartsPreset(scale: Scale): Nb201DartsPreset {
  return PRESETS[scale];
}
