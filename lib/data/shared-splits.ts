/**
 * The parent's data splits as shared memory, for worker threads: each Subset's images and labels
 * are copied once into SharedArrayBuffers, which every worker reads in place. A worker started
 * with them trains on exactly the parent's examples without reading the dataset files or
 * re-splitting them (and k workers hold one copy of the data between them, not k).
 */
import { NasbookError } from "../core/errors";
import { Subset } from "./batches";
import type { DatasetInfo } from "./dataset";
import type { ChannelStats } from "./normalize";
import { SealedTest, type DataSplits } from "./splits";

/** A Subset's arrays, backed by SharedArrayBuffers (structured-clone passes them by reference). */
export interface SharedSubset {
  readonly images: Float32Array;
  readonly labels: Int32Array;
}

/** What `postMessage`/`workerData` carries of a DataSplits. */
export interface SharedSplits {
  readonly info: DatasetInfo;
  readonly normalization: ChannelStats;
  readonly train: SharedSubset;
  readonly valid: SharedSubset;
  /** Only a test split the parent has already opened (a benchmark build scores every cell on it). */
  readonly test?: SharedSubset;
  /** The test split's size, shared or not. */
  readonly testSize: number;
}

function shared<T extends Float32Array | Int32Array>(array: T, make: (buffer: SharedArrayBuffer) => T): T {
  const copy = make(new SharedArrayBuffer(array.byteLength));
  copy.set(array);
  return copy;
}

function shareSubset(subset: Subset): SharedSubset {
  return {
    images: shared(subset.images, (b) => new Float32Array(b)),
    labels: shared(subset.labels, (b) => new Int32Array(b)),
  };
}

/** Copies the splits into shared memory; `openedTest` is the test Subset when the caller has opened it for the workers too. */
export function shareSplits(splits: DataSplits, openedTest?: Subset): SharedSplits {
  return {
    info: splits.info,
    normalization: splits.train.normalization,
    train: shareSubset(splits.train),
    valid: shareSubset(splits.valid),
    test: openedTest && shareSubset(openedTest),
    testSize: splits.test.size,
  };
}

/**
 * The splits a worker trains on, over the shared arrays (no copy). Its test split opens only
 * when the parent shared an opened one; otherwise the test set stays with the parent.
 */
export function splitsFromShared(data: SharedSplits): DataSplits {
  const subset = (s: SharedSubset) => new Subset(data.info, s.images, s.labels, data.normalization);
  const test = data.test;
  return {
    info: data.info,
    train: subset(data.train),
    valid: subset(data.valid),
    test: new SealedTest(data.info, data.testSize, () => {
      if (!test) throw new NasbookError(`The ${data.info.name} test split was not shared with this worker: only the parent opens it.`);
      return subset(test);
    }),
  };
}
