/**
 * SMASH's sizes per scale, shared by the CLI and notebook 06. The main network, data and
 * from-scratch fidelity are the NAS-Bench-201 table's of the same scale (presets/benchmark.ts),
 * so that a scored cell can be looked up in that table and a finalist trained as the table
 * trained it. `reductions` says what each scale changes from the paper, plainly.
 */
import type { Scale } from "../../core/scale";
import type { Fidelity } from "../../core/types";
import type { DataSizes } from "../../data";
import type { TrainingHyperparameters } from "../../evaluators/train-from-scratch";
import type { Nb201NetworkOptions } from "../../spaces/nb201/skeleton";
import type { HyperNetOptions } from "../../strategies/smash/hypernet";
import type { HyperNetTrainingConfig } from "../../strategies/smash/training";
import { benchmarkPreset } from "./benchmark";

/** What a SMASH preset holds on any space. */
export interface HyperNetSearchPreset {
  readonly data: DataSizes;
  readonly hypernet: HyperNetOptions;
  /** The weaker HyperNet notebook 06 sets beside it: less capacity and fewer epochs. */
  readonly weakHypernet: HyperNetOptions;
  readonly weakEpochs: number;
  readonly training: Omit<HyperNetTrainingConfig, "seed">;
  /** Distinct random architectures scored with generated weights. */
  readonly candidates: number;
  readonly scoreBatchSize: number;
  /** The best-scored architectures trained from scratch; the best of them on validation is SMASH's pick. */
  readonly finalists: number;
  /** How a finalist is trained from scratch. */
  readonly fidelity: Fidelity;
  readonly hyperparameters: TrainingHyperparameters;
  /** What this scale changes from the paper, plainly. */
  readonly reductions: string;
}

export interface SmashPreset extends HyperNetSearchPreset {
  /** The main network whose cell convolutions the HyperNet generates; the table's (so is the fidelity). */
  readonly network: Nb201NetworkOptions;
  /** Notebook 06: candidates trained from scratch for the score-against-true-error figure. */
  readonly trainedCells: number;
  /** Notebook 06: the search seeds SMASH's pick is compared over with random search. */
  readonly seeds: readonly number[];
}

/** Every scale departs from the paper alike here. */
const ALWAYS =
  "NAS-Bench-201's cell space, not SMASH's memory-bank networks; a HyperNet with one hidden layer generating the cells' conv kernels " +
  "(the paper's is a convolutional HyperNet over a 3-D encoding), the stem, residual blocks and classifier learned directly; " +
  "BatchNorm on batch statistics when scoring; momentum SGD with a cosine learning rate";

/** The table's network, data and from-scratch training at `scale`. */
function tableSettings(scale: Scale): Pick<SmashPreset, "data" | "network" | "fidelity" | "hyperparameters"> {
  const { data, network, fidelity, hyperparameters } = benchmarkPreset(scale);
  return { data, network, fidelity, hyperparameters };
}

/** HyperNet SGD on every space and scale. */
export const SMASH_SGD = { learningRate: 0.05, momentum: 0.9, weightDecay: 3e-4, gradClip: 5 } as const;

const PRESETS: Record<Scale, SmashPreset> = {
  smoke: {
    ...tableSettings("smoke"),
    hypernet: { hidden: 8 },
    weakHypernet: { hidden: 2 },
    weakEpochs: 1,
    training: { ...SMASH_SGD, epochs: 4, batchSize: 50 },
    candidates: 12,
    scoreBatchSize: 100,
    finalists: 2,
    trainedCells: 4,
    seeds: [1, 2, 3],
    reductions: `smoke: C = 4, N = 1, 200 training images at 14x14, 4 HyperNet epochs, 12 cells scored, 2 trained; checks the pipeline only; ${ALWAYS}`,
  },
  quick: {
    ...tableSettings("quick"),
    hypernet: { hidden: 64 },
    weakHypernet: { hidden: 4 },
    weakEpochs: 3,
    training: { ...SMASH_SGD, epochs: 30, batchSize: 64 },
    candidates: 300,
    scoreBatchSize: 250,
    finalists: 3,
    trainedCells: 24,
    seeds: [1, 2, 3],
    reductions:
      "quick: the shipped table's network (C = 8, N = 1; NAS-Bench-201 16, 5) and data (2,000 Fashion-MNIST training images at 14x14), " +
      `a HyperNet of 64 hidden units trained 30 epochs, 300 cells scored on the 1,000 validation images, the best 3 trained at the table's fidelity; ${ALWAYS}`,
  },
  paper: {
    ...tableSettings("paper"),
    hypernet: { hidden: 256 },
    weakHypernet: { hidden: 16 },
    weakEpochs: 25,
    training: { ...SMASH_SGD, epochs: 100, batchSize: 64 },
    candidates: 500,
    scoreBatchSize: 500,
    finalists: 5,
    trainedCells: 50,
    seeds: [1, 2, 3],
    reductions:
      "paper: for CIFAR-10 on a GPU: NAS-Bench-201's network (C = 16, N = 5) and training for the finalists (200 epochs), a HyperNet of " +
      `256 hidden units trained 100 epochs, 500 random cells scored, the best 5 trained; ${ALWAYS}`,
  },
};

export function smashPreset(scale: Scale): SmashPreset {
  return PRESETS[scale];
}
