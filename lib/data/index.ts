/**
 * Datasets for architecture search: `loadDataset("cifar10", { seed: 0 })` gives standardised
 * train and valid Subsets to search with and a sealed test set to report once.
 */
import { NasbookError } from "../core/errors";
import type { Scale } from "../core/scale";
import type { ProgressCallback } from "../core/types";
import { loadCifar10 } from "./cifar10";
import { DATASET_NAMES, type DatasetName, type RawDataset } from "./dataset";
import { loadFashionMnist } from "./fashion-mnist";
import { loadMnist } from "./mnist";
import { splitDataset, type DataSplits, type SplitOptions } from "./splits";

export { CIFAR_AUGMENT, augmentBatch, augmentsByDefault, cropPadded, cutout, flipHorizontal, type AugmentOptions } from "./augment";
export { Subset, type Batch, type BatchOptions } from "./batches";
export { resolveDataDir } from "./cache";
export { CIFAR10_MD5, CIFAR10_URL } from "./cifar10";
export { DATASET_NAMES, type DatasetInfo, type DatasetName, type RawDataset, type RawImages } from "./dataset";
export type { ChannelStats } from "./normalize";
export { shareSplits, splitsFromShared, type SharedSplits, type SharedSubset } from "./shared-splits";
export { SealedTest, splitDataset, type DataSizes, type DataSplits, type SplitOptions } from "./splits";

export interface LoadOptions extends SplitOptions {
  /** Cache for downloaded datasets; default `$NASBOOK_DATA`, else `data/` at the repository root. */
  readonly dataDir?: string;
  /** Download progress in bytes (cifar10 on first use). */
  readonly onProgress?: ProgressCallback;
  /** cifar10 only: archive URL, default `$NASBOOK_CIFAR10_URL`, else the official one. */
  readonly url?: string;
  /** cifar10 only: the archive's md5, default `$NASBOOK_CIFAR10_MD5`, else the official one. */
  readonly md5?: string;
}

function isDatasetName(name: string): name is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(name);
}

/** Loads (downloading on first use where needed) and splits a dataset, seeded by `options.seed`. */
export async function loadDataset(name: DatasetName, options: LoadOptions): Promise<DataSplits> {
  if (!isDatasetName(name)) {
    throw new NasbookError(`Unknown dataset "${name}"; the datasets are ${DATASET_NAMES.join(", ")}.`);
  }
  const raw: RawDataset =
    name === "mnist" ? loadMnist() : name === "fashion-mnist" ? loadFashionMnist() : await loadCifar10(options);
  return splitDataset(raw, options);
}

/** The dataset each scale defaults to: Fashion-MNIST on CPU, CIFAR-10 on a GPU. */
export function defaultDataset(scale: Scale): DatasetName {
  return scale === "paper" ? "cifar10" : "fashion-mnist";
}
