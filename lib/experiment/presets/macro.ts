/**
 * The macro-CNN methods' (random search, evolution) experiment sizes per scale, shared by the CLI
 * and notebook 00 so both run the same thing (NAS-RL's and DARTS's are beside this file).
 * `smoke` only proves the pipeline; `quick` shows the effect on a laptop CPU; `paper` follows the
 * papers on a GPU, with every reduction named in `reductions`.
 */
import type { Scale } from "../../core/scale";
import type { Fidelity } from "../../core/types";
import type { DataSizes } from "../../data";
import type { MacroCnnOptions } from "../../spaces/macro-cnn";
import type { EvolutionOptions } from "../../strategies/regularized-evolution";

export interface MacroPreset {
  readonly data: DataSizes;
  /** Trials per search. */
  readonly budget: number;
  /**
   * Candidates asked before any is told: up to this many train at once (in worker threads), and
   * the results are the same whatever the number of workers. Part of the run's settings.
   */
  readonly round: number;
  readonly fidelity: Fidelity;
  readonly space: MacroCnnOptions;
  readonly evolution: EvolutionOptions;
  /** What this scale changes from the papers, said plainly. */
  readonly reductions: string;
}

const PRESETS: Record<Scale, MacroPreset> = {
  smoke: {
    data: { trainSize: 256, validSize: 128, testSize: 128 },
    budget: 4,
    round: 2,
    fidelity: { epochs: 1, batchSize: 32 },
    space: { minLayers: 1, maxLayers: 2, kernels: [1, 3], filters: [4, 8] },
    evolution: { populationSize: 2, sampleSize: 2 },
    reductions: "smoke: 256 training images, 4 trials of 1 epoch; checks the pipeline only",
  },
  quick: {
    data: { trainSize: 1000, validSize: 500, testSize: 2000 },
    budget: 12,
    round: 4,
    fidelity: { epochs: 2, batchSize: 32 },
    space: { minLayers: 1, maxLayers: 3, kernels: [1, 3, 5], filters: [8, 16, 32] },
    evolution: { populationSize: 4, sampleSize: 2 },
    reductions: "quick: 1,000 training / 500 validation images, 12 trials of 2 epochs, up to 3 layers, population 4, sample 2 (paper: 100 / 25)",
  },
  paper: {
    data: { validSize: 5000 },
    budget: 200,
    round: 4,
    fidelity: { epochs: 20, batchSize: 128 },
    space: { minLayers: 2, maxLayers: 8, kernels: [1, 3, 5, 7], filters: [32, 64, 128] },
    evolution: { populationSize: 50, sampleSize: 10 },
    reductions: "paper: 200 trials of 20 epochs, population 50, sample 10 (paper: 20,000 children, 100 / 25)",
  },
};

export function macroPreset(scale: Scale): MacroPreset {
  return PRESETS[scale];
}
