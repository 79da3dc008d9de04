/**
 * ENAS, ENAS with uniform sampling, and random search with weight sharing on NAS-Bench-201's
 * cell space, per scale. As for DARTS on this space (presets/nb201-darts.ts), the data and the
 * network are the benchmark table's, so a chosen cell can be looked up in the table of the same
 * scale, and the search sees only the two halves of the table's training split: shared weights
 * on one, controller rewards and scoring on the other. `paper` keeps ENAS's search settings
 * (scripts/cifar10_micro_search.sh: 150 epochs, batch 160, 30 controller steps of 10) on this
 * space; `quick` fits notebook 03's fifteen searches (5 seeds of 3 methods) into about ten minutes of two CPU cores.
 */
import type { Scale } from "../../core/scale";
import type { Fidelity } from "../../core/types";
import type { DataSizes } from "../../data";
import type { TrainingHyperparameters } from "../../evaluators/train-from-scratch";
import type { Nb201NetworkOptions } from "../../spaces/nb201";
import type { RandomWsOptions } from "../../strategies/enas/random-ws";
import { ENAS_CONTROLLER, type EnasConfig } from "../../strategies/enas/search";
import { ENAS_SHARED_WEIGHTS } from "../../strategies/enas/shared-weights";
import { benchmarkPreset } from "./benchmark";

export interface EnasPreset {
  /** The search splits `train` in two halves; `valid` is the final training's. */
  readonly data: DataSizes;
  readonly supernet: Nb201NetworkOptions;
  /** Every setting of ENAS's search but the sampler and the seed. */
  readonly search: Omit<EnasConfig, "sampler" | "seed">;
  /** Random-WS's selection (its training is `search` with uniform sampling and no controller steps). */
  readonly randomWs: Omit<RandomWsOptions, "batchSize" | "batchNorm">;
  /** The chosen cell trained from scratch: the table's own network and fidelity. */
  readonly network: Nb201NetworkOptions;
  readonly fidelity: Fidelity;
  readonly hyperparameters: TrainingHyperparameters;
  /** Notebook 03: the search seeds of every method, and how many distinct cells the ranking correlation scores. */
  readonly notebook: { readonly seeds: readonly number[]; readonly rankingCells: number };
  /** What this scale changes from ENAS's search, said plainly. */
  readonly reductions: string;
}

const ALWAYS =
  "NAS-Bench-201's cell space in place of ENAS's micro space; plain momentum where ENAS has Nesterov; " +
  "the entropy bonus in the controller's objective where ENAS adds it to the reward";

function preset(scale: Scale, search: Omit<EnasConfig, "sampler" | "seed" | keyof typeof ENAS_SHARED_WEIGHTS | "controller" | "batchNorm">, rest: Pick<EnasPreset, "data" | "supernet" | "randomWs" | "notebook" | "reductions">): EnasPreset {
  const table = benchmarkPreset(scale);
  return {
    ...rest,
    search: { ...ENAS_SHARED_WEIGHTS, controller: ENAS_CONTROLLER, batchNorm: "batch", ...search },
    network: table.network,
    fidelity: table.fidelity,
    hyperparameters: table.hyperparameters,
  };
}

const PRESETS: Record<Scale, EnasPreset> = {
  smoke: preset(
    "smoke",
    { epochs: 2, batchSize: 16, controllerSteps: 2, deriveSamples: 4 },
    {
      data: { ...benchmarkPreset("smoke").data, trainSize: 64 },
      supernet: { cellsPerStage: 1, channels: 2 },
      randomWs: { candidates: 8, scoreBatches: 1, topK: 3 },
      notebook: { seeds: [1, 2, 3], rankingCells: 12 },
      reductions: `smoke: C = 2, N = 1, 32 + 32 search images at 14x14, 2 epochs, 2 controller steps; checks the pipeline only; ${ALWAYS}`,
    },
  ),
  quick: preset(
    "quick",
    { epochs: 30, batchSize: 64, controllerSteps: 5, deriveSamples: 20 },
    {
      data: benchmarkPreset("quick").data,
      supernet: benchmarkPreset("quick").network,
      randomWs: { candidates: 100, scoreBatches: 2, topK: 10 },
      notebook: { seeds: [1, 2, 3, 4, 5], rankingCells: 300 },
      reductions:
        "quick: the shipped table's network (C = 8, N = 1) and data (Fashion-MNIST at 14x14), searching on 1,000 + 1,000 of its " +
        "2,000 training images, 30 epochs of batch 64 (ENAS: 150 of 160 on 45k CIFAR-10; 30 = two whole cosine periods, 10 + 20), 5 controller steps of 10 per epoch (ENAS: 30), " +
        `20 derivation samples, random-WS 100 candidates on 2 minibatches (Li & Talwalkar: 1,000); ${ALWAYS}`,
    },
  ),
  paper: preset(
    "paper",
    { epochs: 150, batchSize: 160, controllerSteps: 30, deriveSamples: 100 },
    {
      data: benchmarkPreset("paper").data,
      supernet: benchmarkPreset("paper").network,
      randomWs: { candidates: 1000, scoreBatches: 10, topK: 10 },
      notebook: { seeds: [1, 2, 3], rankingCells: 500 },
      reductions:
        "paper: ENAS's search settings (150 epochs, batch 160, 30 controller steps of 10) on the dataset given at full resolution, NAS-Bench-201's split " +
        `(notebook 03: CIFAR-10, whose chosen cells are looked up in the Fashion-MNIST table: a cross-dataset comparison only), random-WS 1,000 candidates on 10 minibatches; ${ALWAYS}`,
    },
  ),
};

export function enasPreset(scale: Scale): EnasPreset {
  return PRESETS[scale];
}
