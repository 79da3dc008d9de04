/**
 * NASNet-space experiment sizes per scale (PPO controller, regularized evolution and random
 * search alike: the three share budget, rounds, children and training), shared by the CLI and
 * notebook 02 so both run the same thing. Every departure from Zoph et al. (2018) and Real et
 * al. (2019) is named in `reductions`. The notebook's own settings (seeds, top-k, the N@F
 * transfer table) are apart, in `nasnetNotebookPreset`.
 */
import type { Scale } from "../../core/scale";
import type { Fidelity } from "../../core/types";
import type { DataSizes } from "../../data";
import type { NasnetNetworkOptions, NasnetSpaceOptions } from "../../spaces/nasnet";
import { NASNET_CONTROLLER, type PpoOptions } from "../../strategies/controller/ppo";
import type { EvolutionOptions } from "../../strategies/regularized-evolution";

export interface NasnetPreset {
  readonly data: DataSizes;
  /** Children per search run, for every method. */
  readonly budget: number;
  /** Candidates asked before any is told: the controller's batch m, for every method (so they train in parallel alike). */
  readonly round: number;
  /** How each child is trained (the paper: 20 epochs). */
  readonly fidelity: Fidelity;
  /** The space and the child network N@F (the paper's children: N = 2). */
  readonly space: NasnetSpaceOptions;
  /** PPO settings; the reward is the child's validation accuracy. */
  readonly controller: Omit<PpoOptions, "reward">;
  readonly evolution: EvolutionOptions;
  readonly reductions: string;
}

/** The N@F table: the best cell found and a random cell, retrained at larger networks. */
export interface TransferPreset {
  /** Network sizes, smallest first; the first is the search's own child network. */
  readonly sizes: readonly NasnetNetworkOptions[];
  /** Training seeds per (cell, size). */
  readonly seeds: readonly number[];
  readonly fidelity: Fidelity;
}

/** What notebook 02 adds: seeds per method, top-k curves, the transfer table, the tabular comparison's seeds. */
export interface NasnetNotebookPreset extends NasnetPreset {
  readonly seeds: readonly number[];
  /** k of the "mean of the top-k children so far" curves (NASNet's Fig. 6: 1, 5, 25). */
  readonly topK: readonly number[];
  readonly transfer: TransferPreset;
  /** Seeds per method on the NB201 benchmark table. */
  readonly tabularSeeds: number;
}

const { reward: _reward, ...paperController } = NASNET_CONTROLLER;

const PRESETS: Record<Scale, NasnetPreset> = {
  smoke: {
    data: { trainSize: 128, validSize: 64, testSize: 64 },
    budget: 4,
    round: 2,
    fidelity: { epochs: 1, batchSize: 32 },
    space: { repeats: 1, channels: 4, stemMultiplier: 1, stemStride: 2 },
    controller: { ...paperController, batchSize: 2 },
    evolution: { populationSize: 2, sampleSize: 2 },
    reductions: "smoke: 4 children of 1@C=4 trained 1 epoch on 128 images; population 2, controller batch 2; checks the pipeline only",
  },
  quick: {
    data: { trainSize: 600, validSize: 400, testSize: 2000 },
    budget: 16,
    round: 4,
    fidelity: { epochs: 2, batchSize: 32 },
    space: { repeats: 1, channels: 8, stemMultiplier: 1, stemStride: 2 },
    controller: { ...paperController, batchSize: 4, learningRate: 0.01 },
    evolution: { populationSize: 6, sampleSize: 3 },
    reductions:
      "quick: Fashion-MNIST 28x28 halved by a stride-2 stem; children 1@C=8 (paper: N = 2, C = 32 on CIFAR-10) trained 2 epochs on 600 images " +
      "(paper: 20 epochs on 45,000); 16 children per run (paper: 20,000 for PPO; Real et al.: 20,000 for evolution); " +
      "population 6, sample 3 (Real et al.: 100, 25); controller batch m = 4 and Adam lr 0.01 (paper: 3.5e-4, which does not move the controller in 4 updates)",
  },
  paper: {
    data: { validSize: 5000 },
    budget: 500,
    round: 20,
    fidelity: { epochs: 20, batchSize: 32 },
    space: { repeats: 2, channels: 32 },
    controller: { ...paperController, batchSize: 20 },
    evolution: { populationSize: 100, sampleSize: 25 },
    reductions:
      "paper: CIFAR-10 45k/5k, the paper's 13 ops, B = 5, children 2@C=32 trained 20 epochs, PPO with the paper's lr, entropy and baseline decay, " +
      "population 100 and sample 25; 500 children per run (paper: 20,000 on 500 GPUs); no auxiliary head, drop-path or cutout in the children",
  },
};

const NOTEBOOK: Record<Scale, Pick<NasnetNotebookPreset, "seeds" | "topK" | "transfer" | "tabularSeeds">> = {
  smoke: {
    seeds: [1, 2, 3],
    topK: [1, 2],
    transfer: { sizes: [{ repeats: 1, channels: 4, stemMultiplier: 1, stemStride: 2 }, { repeats: 1, channels: 8, stemMultiplier: 1, stemStride: 2 }], seeds: [1, 2, 3], fidelity: { epochs: 1, batchSize: 32 } },
    tabularSeeds: 3,
  },
  quick: {
    seeds: [1, 2, 3],
    topK: [1, 3, 5],
    transfer: {
      sizes: [
        { repeats: 1, channels: 8, stemMultiplier: 1, stemStride: 2 },
        { repeats: 1, channels: 16, stemMultiplier: 1, stemStride: 2 },
        { repeats: 2, channels: 16, stemMultiplier: 1, stemStride: 2 },
      ],
      seeds: [1, 2, 3],
      // Twice the search's 2 epochs: at 2 the 2@16 networks stay near chance (measured), which would say nothing of the cells.
      fidelity: { epochs: 4, batchSize: 32 },
    },
    // 30, not 50: the PPO runs on the table cost about 1.5 s each, and 50 put the notebook at 17 minutes (measured).
    tabularSeeds: 30,
  },
  paper: {
    seeds: [1, 2, 3],
    topK: [1, 5, 25],
    transfer: {
      sizes: [
        { repeats: 2, channels: 32 },
        { repeats: 4, channels: 32 },
        { repeats: 6, channels: 32 },
      ],
      seeds: [1, 2, 3],
      fidelity: { epochs: 20, batchSize: 32 },
    },
    tabularSeeds: 100,
  },
};

export function nasnetPreset(scale: Scale): NasnetPreset {
  return PRESETS[scale];
}

export function nasnetNotebookPreset(scale: Scale): NasnetNotebookPreset {
  return { ...PRESETS[scale], ...NOTEBOOK[scale] };
}
