/**
 * DARTS experiment sizes per scale, shared by the CLI and the notebook. `paper` keeps the
 * paper's search settings; `quick` and `smoke` shrink the supernet and the data, and `quick`
 * raises the alpha learning rate to make up for searching ~1000x fewer steps. `reductions`
 * says what changed, plainly. The notebook's own settings (seeds, random cells, the longer GDAS run) are apart, in
 * `dartsNotebookPreset`.
 */
import type { Scale } from "../../core/scale";
import type { Fidelity } from "../../core/types";
import type { DataSizes } from "../../data";
import type { SkeletonOptions } from "../../spaces/darts/skeleton";
import { DARTS_HYPERPARAMETERS, type DartsSearchConfig } from "../../strategies/darts/search";

export type SearchSettings = Omit<DartsSearchConfig, "order" | "gdasTau" | "seed">;

export interface DartsPreset {
  /** Sizes of train / valid / test; the search splits `train` into its two halves. */
  readonly data: DataSizes;
  readonly supernet: SkeletonOptions;
  readonly search: SearchSettings;
  /** Networks built from derived (and random) genotypes, trained from scratch. */
  readonly network: SkeletonOptions;
  readonly fidelity: Fidelity;
  readonly reductions: string;
}

/** What notebook 04 adds: its comparison of derived cells with random ones. */
export interface DartsNotebookPreset extends DartsPreset {
  /** Training seeds per compared cell, and random cells drawn for the baseline. */
  readonly seeds: number;
  readonly randomCells: number;
  /**
   * Epochs of the notebook's second, longer GDAS search, which shows whether GDAS's supernet
   * learns given more steps (at `quick` its 4 epochs leave it near chance); null: not run
   * (`paper` searches 50 epochs already).
   */
  readonly longGdasEpochs: number | null;
}

const PRESETS: Record<Scale, DartsPreset> = {
  smoke: {
    data: { trainSize: 64, validSize: 64, testSize: 64 },
    supernet: { layers: 3, channels: 2, stemStride: 2 },
    search: { ...DARTS_HYPERPARAMETERS, epochs: 1, batchSize: 16 },
    network: { layers: 3, channels: 2, stemStride: 2 },
    fidelity: { epochs: 1, batchSize: 16 },
    reductions: "smoke: 3 cells, C = 2, 32 + 32 search images, 1 epoch; checks the pipeline only",
  },
  quick: {
    data: { trainSize: 640, validSize: 500, testSize: 2000 },
    supernet: { layers: 5, channels: 4, stemStride: 2 },
    search: { ...DARTS_HYPERPARAMETERS, epochs: 4, batchSize: 32, alphaLr: 3e-3 },
    network: { layers: 5, channels: 8, stemStride: 2 },
    fidelity: { epochs: 3, batchSize: 32 },
    reductions:
      "quick: Fashion-MNIST, 320 + 320 search images (paper: 25k + 25k CIFAR-10), supernet of 5 cells with C = 4 " +
      "(paper: 8, C = 16) behind a stride-2 stem (28 -> 14 pixels), 4 epochs (paper: 50), alpha learning rate 3e-3 (paper: 3e-4); " +
      "cells trained from scratch for 3 epochs on 640 images in 5-cell, C = 8 networks (paper: 600 epochs on 50k, 20 cells, C = 36)",
  },
  paper: {
    data: { validSize: 5000 },
    supernet: { layers: 8, channels: 16 },
    search: { ...DARTS_HYPERPARAMETERS, epochs: 50, batchSize: 64 },
    network: { layers: 8, channels: 16 },
    fidelity: { epochs: 20, batchSize: 96 },
    reductions:
      "paper: CIFAR-10 search as in the paper but on 22.5k + 22.5k images (5k held out for selection); " +
      "derived cells trained 20 epochs in the 8-cell, C = 16 network (paper: 600 epochs, 20 cells, C = 36, cutout, drop-path, auxiliary head)",
  },
};

const NOTEBOOK: Record<Scale, Pick<DartsNotebookPreset, "seeds" | "randomCells" | "longGdasEpochs">> = {
  smoke: { seeds: 1, randomCells: 1, longGdasEpochs: 2 },
  quick: { seeds: 3, randomCells: 3, longGdasEpochs: 40 },
  paper: { seeds: 3, randomCells: 3, longGdasEpochs: null },
};

export function dartsPreset(scale: Scale): DartsPreset {
  return PRESETS[scale];
}

export function dartsNotebookPreset(scale: Scale): DartsNotebookPreset {
  return { ...PRESETS[scale], ...NOTEBOOK[scale] };
}
