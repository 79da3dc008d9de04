/**
 * A `Subset` is a set of examples held as plain typed arrays (standardised float images, int
 * labels); tensors exist only one mini-batch at a time, so even full CIFAR-10 never sits on the
 * accelerator as one tensor and the caller frees each batch when done with it.
 */
import * as tf from "@tensorflow/tfjs";
import { NasbookError } from "../core/errors";
import type { Rng } from "../core/random";
import { augmentBatch, type AugmentOptions } from "./augment";
import { imageSize, type DatasetInfo } from "./dataset";
import type { ChannelStats } from "./normalize";

export interface Batch {
  /** Images [size, height, width, channels], standardised. */
  readonly x: tf.Tensor4D;
  /** Labels [size], int32. */
  readonly y: tf.Tensor1D;
  readonly size: number;
}

export interface BatchOptions {
  /** Shuffles the order (a fresh permutation per call, i.e. per epoch); in order when absent. */
  readonly rng?: Rng;
  /** `true` for CIFAR_AUGMENT; needs `rng`. */
  readonly augment?: boolean | AugmentOptions;
  /** Skips a last batch smaller than `batchSize`. */
  readonly dropLast?: boolean;
}

export class Subset {
  /**
   * @param images `size` images, NHWC, standardised with `normalization`.
   * @param labels `size` labels in [0, info.numClasses).
   * @param normalization the training split's per-channel statistics, to undo standardisation for display.
   */
  constructor(
    readonly info: DatasetInfo,
    readonly images: Float32Array,
    readonly labels: Int32Array,
    readonly normalization: ChannelStats,
  ) {
    const needed = labels.length * imageSize(info.shape);
    if (images.length !== needed) {
      const sizes = `${labels.length} labels needs ${needed} pixel values, got ${images.length}`;
      throw new NasbookError(`A ${info.name} subset of ${sizes}.`);
    }
  }

  get size(): number {
    return this.labels.length;
  }

  /** The first `n` examples (a view, no copy). Train and valid are in seeded random order: a random sample. */
  take(n: number): Subset {
    if (!Number.isInteger(n) || n < 0 || n > this.size) {
      throw new NasbookError(`Cannot take ${n} examples from a ${this.info.name} subset of ${this.size}.`);
    }
    const pixels = imageSize(this.info.shape);
    return new Subset(this.info, this.images.subarray(0, n * pixels), this.labels.subarray(0, n), this.normalization);
  }

  /** One epoch of mini-batches; the caller disposes each batch's `x` and `y`. */
  *batches(batchSize: number, options: BatchOptions = {}): Generator<Batch> {
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new NasbookError(`Batch size must be a positive integer; got ${batchSize}.`);
    }
    const { rng, augment = false, dropLast = false } = options;
    if (augment && !rng) throw new NasbookError("Augmented batches need an `rng`, so that they are reproducible.");
    const order = Array.from({ length: this.size }, (_, i) => i);
    if (rng) rng.shuffle(order);
    const [height, width, channels] = this.info.shape;
    const pixels = imageSize(this.info.shape);
    for (let start = 0; start < this.size; start += batchSize) {
      const size = Math.min(batchSize, this.size - start);
      if (dropLast && size < batchSize) return;
      // Fresh buffers per batch: tensors may keep a reference to the arrays they are made from.
      const images = new Float32Array(size * pixels);
      const labels = new Int32Array(size);
      for (let i = 0; i < size; i++) {
        const example = order[start + i];
        images.set(this.images.subarray(example * pixels, (example + 1) * pixels), i * pixels);
        labels[i] = this.labels[example];
      }
      if (augment && rng) augmentBatch(images, size, this.info.shape, rng, augment === true ? undefined : augment);
      yield { x: tf.tensor4d(images, [size, height, width, channels]), y: tf.tensor1d(labels, "int32"), size };
    }
  }
}
