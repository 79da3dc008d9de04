/**
 * How a NAS-Bench-201 table is built, per scale: the network every cell is trained in, the data,
 * the fidelity, and how many cells get a second training to measure the seed noise. `quick` is
 * the table nasbook ships (data/benchmarks/nb201-fashion-mnist). Its fidelity is the pilot's
 * (bench/nb201-pilot.ts, results in that folder) best: over 64 random cells, seed-to-seed
 * Spearman 0.78 and 0.81 against 2.7x more training, where the cheaper candidates that would
 * build in two hours reached 0.47-0.70; it costs about four and a half hours of two CPU cores (26 trainings a minute), built in parts.
 * `paper` is NAS-Bench-201's own protocol, for a GPU; `smoke` builds a dozen cells for tests.
 */
import type { Scale } from "../../core/scale";
import type { Fidelity } from "../../core/types";
import type { DataSizes } from "../../data";
import type { TrainingHyperparameters } from "../../evaluators/train-from-scratch";
import type { Nb201NetworkOptions } from "../../spaces/nb201";

export interface BenchmarkPreset {
  readonly network: Nb201NetworkOptions;
  readonly data: DataSizes;
  readonly fidelity: Fidelity;
  readonly hyperparameters: TrainingHyperparameters;
  /** Unique cells trained: all of them, or (smoke) the first few of the seeded shuffle. */
  readonly cells: number | "all";
  /** Cells trained a second time, with another seed, to measure the noise. */
  readonly repeats: number;
  /** Candidates handed to the workers at once; the enumeration does not depend on it. */
  readonly round: number;
  /** `bench check`: the table's first cells trained again at a higher fidelity, on more data. */
  readonly check: { readonly cells: number; readonly fidelity: Fidelity; readonly data: DataSizes };
  /** What this scale changes from NAS-Bench-201, said plainly. */
  readonly reductions: string;
}

const PRESETS: Record<Scale, BenchmarkPreset> = {
  smoke: {
    network: { cellsPerStage: 1, channels: 4 },
    data: { trainSize: 200, validSize: 100, testSize: 100, downsample: 2 },
    fidelity: { epochs: 1, batchSize: 50 },
    hyperparameters: {},
    cells: 12,
    repeats: 4,
    round: 4,
    check: { cells: 6, fidelity: { epochs: 2, batchSize: 50 }, data: { trainSize: 400 } },
    reductions: "smoke: 12 cells at C = 4, N = 1, one epoch on 200 images at 14x14; checks the pipeline only",
  },
  quick: {
    network: { cellsPerStage: 1, channels: 8 },
    data: { trainSize: 2000, validSize: 1000, testSize: 2000, downsample: 2 },
    fidelity: { epochs: 3, batchSize: 64 },
    hyperparameters: {},
    cells: "all",
    repeats: 500,
    round: 16,
    check: { cells: 50, fidelity: { epochs: 6, batchSize: 64 }, data: { trainSize: 4000 } },
    reductions: "quick: C = 8, N = 1 (paper 16, 5), Fashion-MNIST at 14x14, 3 epochs on 2,000 images (paper 200 epochs on 25,000)",
  },
  paper: {
    network: { cellsPerStage: 5, channels: 16 },
    data: { validSize: 25000 },
    fidelity: { epochs: 200, batchSize: 256 },
    hyperparameters: { weightDecay: 5e-4 },
    cells: "all",
    repeats: 500,
    round: 1,
    // The table's own training is the paper's: the check is a second seed at the same fidelity.
    check: { cells: 50, fidelity: { epochs: 200, batchSize: 256 }, data: {} },
    reductions:
      "paper: NAS-Bench-201's training (200 epochs, batch 256, lr 0.1 cosine, weight decay 5e-4); plain momentum, not Nesterov, and on CIFAR-10 nasbook's augmentation (crop, flip and cutout; the paper has no cutout)",
  },
};

export function benchmarkPreset(scale: Scale): BenchmarkPreset {
  return PRESETS[scale];
}
