/**
 * What a loaded dataset is before it is split: the images exactly as stored (uint8, NHWC) and
 * their labels. Loaders produce this; `splits.ts` turns it into normalised train/valid/test.
 */
import { DatasetError } from "../core/errors";
import type { ImageShape } from "../core/types";

export type DatasetName = "mnist" | "fashion-mnist" | "cifar10";
export const DATASET_NAMES: readonly DatasetName[] = ["mnist", "fashion-mnist", "cifar10"];

export interface DatasetInfo {
  readonly name: DatasetName;
  /** Height, width, channels of one image. */
  readonly shape: ImageShape;
  readonly numClasses: number;
  /** `classNames[label]` names a label. */
  readonly classNames: readonly string[];
}

/** `count` images of `shape`, pixel bytes in NHWC order, one label byte each. */
export interface RawImages {
  readonly count: number;
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array;
}

export interface RawDataset {
  readonly info: DatasetInfo;
  readonly train: RawImages;
  readonly test: RawImages;
  /** Validation examples carved from `train` when the caller does not say how many. */
  readonly defaultValidSize: number;
}

/** Number of bytes (= values) in one image. */
export function imageSize(shape: ImageShape): number {
  return shape[0] * shape[1] * shape[2];
}

/**
 * Throws a DatasetError naming `file` when a label is outside [0, numClasses);
 * `remedy` tells the reader how to get a good copy.
 */
export function checkLabels(labels: Uint8Array, numClasses: number, file: string, remedy: string): void {
  const bad = labels.findIndex((label) => label >= numClasses);
  if (bad >= 0) {
    throw new DatasetError(
      `${file} is corrupt: label ${labels[bad]} at record ${bad} is not below ${numClasses}. ${remedy}`,
    );
  }
}
