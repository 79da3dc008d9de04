/**
 * Train / valid / test. A search may only ever compare architectures on `valid`, which is carved
 * from the official training set by a seeded shuffle; the official test set is `SealedTest`,
 * opened once for the final report (it throws if a second piece of code tries to look).
 */
import { NasbookError } from "../core/errors";
import { Rng } from "../core/random";
import { Subset } from "./batches";
import { downsampleDataset } from "./downsample";
import type { DatasetInfo, RawDataset, RawImages } from "./dataset";
import { channelStats, normalizeImages, type ChannelStats } from "./normalize";

export interface SplitOptions {
  /** Seeds the train/valid shuffle: the same seed gives the same split. */
  readonly seed: number;
  /** Training examples; default all that are not in `valid`. */
  readonly trainSize?: number;
  /** Validation examples carved from the training set; default 10% for MNIST-like sets, 5000 for CIFAR-10. */
  readonly validSize?: number;
  /** The first `testSize` test examples; default all. */
  readonly testSize?: number;
  /** Shrinks every image by this integer factor (box filter) before splitting; default 1. */
  readonly downsample?: number;
}

/** A split's sizes without its seed: what a preset fixes per scale, the run adding its seed. */
export type DataSizes = Omit<SplitOptions, "seed">;

export interface DataSplits {
  readonly info: DatasetInfo;
  readonly train: Subset;
  readonly valid: Subset;
  readonly test: SealedTest;
}

/** The test set, built only when opened, and openable once. */
export class SealedTest {
  #openedFor: string | null = null;
  readonly #build: () => Subset;

  constructor(
    readonly info: DatasetInfo,
    readonly size: number,
    build: () => Subset,
  ) {
    this.#build = build;
  }

  /** What the test set was opened for, or null while sealed. */
  get openedFor(): string | null {
    return this.#openedFor;
  }

  /** Returns the test Subset; `purpose` (e.g. "final evaluation of the best cell") is recorded. */
  open(purpose: string): Subset {
    if (typeof purpose !== "string" || purpose.trim() === "") {
      throw new NasbookError("SealedTest.open needs a purpose, e.g. open(\"final evaluation\").");
    }
    if (this.#openedFor !== null) {
      throw new NasbookError(
        `The ${this.info.name} test set was already opened for "${this.#openedFor}"; opening it again ` +
          `for "${purpose}" would let results tuned on it pass as test results. Select with the valid ` +
          `split, and evaluate on test once.`,
      );
    }
    this.#openedFor = purpose;
    return this.#build();
  }
}

function checkSize(name: string, value: number, min: number, max: number, dataset: string): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new NasbookError(`${name} must be an integer from ${min} to ${max} for ${dataset}; got ${value}.`);
  }
  return value;
}

function subset(info: DatasetInfo, raw: RawImages, indices: ArrayLike<number>, stats: ChannelStats): Subset {
  const labels = Int32Array.from({ length: indices.length }, (_, i) => raw.labels[indices[i]]);
  return new Subset(info, normalizeImages(raw, indices, info.shape, stats), labels, stats);
}

/** Splits a loaded dataset; all three parts are standardised with the train part's statistics. */
export function splitDataset(dataset: RawDataset, options: SplitOptions): DataSplits {
  const raw = downsampleDataset(dataset, options.downsample ?? 1);
  const { info, train, test } = raw;
  const validSize = checkSize("validSize", options.validSize ?? raw.defaultValidSize, 0, train.count - 1, info.name);
  const available = train.count - validSize;
  const trainSize = checkSize("trainSize", options.trainSize ?? available, 1, available, info.name);
  const testSize = checkSize("testSize", options.testSize ?? test.count, 0, test.count, info.name);
  // valid comes first in the permutation, so changing trainSize keeps the same valid set.
  const order = new Rng(options.seed).shuffle(Array.from({ length: train.count }, (_, i) => i));
  const validIndices = order.slice(0, validSize);
  const trainIndices = order.slice(validSize, validSize + trainSize);
  const stats = channelStats(train, trainIndices, info.shape);
  const testIndices = Array.from({ length: testSize }, (_, i) => i);
  return {
    info,
    train: subset(info, train, trainIndices, stats),
    valid: subset(info, train, validIndices, stats),
    test: new SealedTest(info, testSize, () => subset(info, test, testIndices, stats)),
  };
}
