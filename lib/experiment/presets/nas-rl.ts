/**
 * NAS-RL experiment sizes per scale, shared by the notebook and the CLI so both run the same
 * thing. Every departure from Zoph & Le (2017) is named in `reductions`. The notebook's own
 * settings (seeds, top-k curves) are apart, in `nasRlNotebookPreset`.
 */
import type { Scale } from "../../core/scale";
import type { Fidelity } from "../../core/types";
import type { DataSizes } from "../../data";
import { nasRlSpaceOptions, type NasRlSpaceOptions } from "../../spaces/nasrl/space";
import { NASRL_CONTROLLER, type ReinforceOptions } from "../../strategies/controller/reinforce";

export interface NasRlPreset {
  readonly data: DataSizes;
  /** Architectures sampled per search run (controller and random search alike). */
  readonly budget: number;
  /** Candidates asked before any is told: the controller's batch m (derived), so a batch can train in parallel. */
  readonly round: number;
  readonly fidelity: Fidelity;
  readonly space: NasRlSpaceOptions;
  /** Controller settings; the reward is always `nasRlReward`. */
  readonly controller: Omit<ReinforceOptions, "reward">;
  readonly reductions: string;
}

/** What notebook 01 adds: several seeds per method, and the curves it compares them by. */
export interface NasRlNotebookPreset extends NasRlPreset {
  /** k of the "mean of the top-k architectures so far" curves (NASNet's Fig. 6 uses 1, 5, 25). */
  readonly topK: readonly number[];
  readonly seeds: readonly number[];
}

const { reward: _reward, ...paperController } = NASRL_CONTROLLER;

const PRESETS: Record<Scale, Omit<NasRlPreset, "round">> = {
  smoke: {
    data: { trainSize: 256, validSize: 128, testSize: 128 },
    budget: 4,
    fidelity: { epochs: 1, batchSize: 32 },
    space: nasRlSpaceOptions("smoke"),
    controller: { ...paperController, batchSize: 2 },
    reductions: "smoke: 3 layers, kernels {1,3}, filters {4,8}, image pooled to 14x14; 4 architectures of 1 epoch on 256 images; checks the pipeline only",
  },
  quick: {
    data: { trainSize: 1000, validSize: 500, testSize: 2000 },
    budget: 24,
    fidelity: { epochs: 3, batchSize: 50 },
    space: nasRlSpaceOptions("quick"),
    controller: { ...paperController, batchSize: 4, learningRate: 0.01 },
    reductions:
      "quick: 4 layers (paper: 6, growing), filters {6,9,12,16} (paper: {24,36,48,64}), Fashion-MNIST pooled to 14x14; " +
      "24 architectures per run (paper: 12,800), each trained 3 epochs on 1,000 images (paper: 50 epochs on 45,000); " +
      "controller batch m = 4 and Adam lr 0.01 (paper: 6e-4, which barely moves the controller in 6 updates); top-1/3/5 (paper: 1/5/25)",
  },
  paper: {
    data: { validSize: 5000 },
    budget: 200,
    fidelity: { epochs: 10, batchSize: 128, trainSubset: 10000 },
    space: nasRlSpaceOptions("paper"),
    controller: paperController,
    reductions:
      "paper: CIFAR-10 45k/5k, the paper's choices, controller and reward; depth fixed at 6 (the paper grows it by 2 every 1,600 samples); " +
      "200 architectures per run (paper: 12,800), each trained 10 epochs on 10,000 of the 45,000 training images (paper: 50 epochs on all), " +
      "so the reward is the best of the last 5 of 10 epochs; the final model trains on all 45,000",
  },
};

const NOTEBOOK: Record<Scale, Pick<NasRlNotebookPreset, "topK" | "seeds">> = {
  smoke: { topK: [1, 2], seeds: [1, 2, 3] },
  quick: { topK: [1, 3, 5], seeds: [1, 2, 3] },
  paper: { topK: [1, 5, 25], seeds: [1, 2, 3] },
};

export function nasRlPreset(scale: Scale): NasRlPreset {
  const preset = PRESETS[scale];
  return { ...preset, round: preset.controller.batchSize };
}

export function nasRlNotebookPreset(scale: Scale): NasRlNotebookPreset {
  return { ...nasRlPreset(scale), ...NOTEBOOK[scale] };
}
