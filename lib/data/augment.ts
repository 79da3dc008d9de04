/**
 * The standard CIFAR augmentation of DARTS and most NAS papers: a random 32x32 crop of the image
 * zero-padded by 4 pixels, a horizontal flip with probability 1/2, and cutout (DeVries & Taylor
 * 2017), a 16x16 square zeroed at a uniform centre (clipped at the border). Images here are
 * already standardised, so "zero" is the training-set mean colour.
 *
 * Each operation works in place on one NHWC image (a Float32Array view); `augmentBatch` draws
 * their parameters from an Rng, the same number of draws per image, so a batch is reproducible.
 */
import { NasbookError } from "../core/errors";
import type { ImageShape } from "../core/types";
import type { Rng } from "../core/random";
import { imageSize } from "./dataset";

export interface AugmentOptions {
  /** Zero padding before the random crop; 0 turns cropping off. */
  readonly padding?: number;
  /** Mirror left-right with probability 1/2. */
  readonly flip?: boolean;
  /** Side of the cutout square; 0 turns cutout off. */
  readonly cutout?: number;
}

export const CIFAR_AUGMENT: Required<AugmentOptions> = { padding: 4, flip: true, cutout: 16 };

/** Mirrors an image left-right. */
export function flipHorizontal(image: Float32Array, shape: ImageShape): void {
  const [height, width, channels] = shape;
  for (let y = 0; y < height; y++) {
    const row = y * width * channels;
    for (let x = 0; x < width >> 1; x++) {
      const left = row + x * channels;
      const right = row + (width - 1 - x) * channels;
      for (let c = 0; c < channels; c++) {
        const v = image[left + c];
        image[left + c] = image[right + c];
        image[right + c] = v;
      }
    }
  }
}

/**
 * Replaces an image by the window at (`top`, `left`), each in [0, 2 * padding], of the image
 * zero-padded by `padding` on every side. (padding, padding) gives the image back unchanged.
 * `scratch` (one image long) saves an allocation per call.
 */
export function cropPadded(
  image: Float32Array,
  shape: ImageShape,
  padding: number,
  top: number,
  left: number,
  scratch = new Float32Array(image.length),
): void {
  const [height, width, channels] = shape;
  const rowLength = width * channels;
  const dx = left - padding;
  // Output columns [x0, x1) come from source columns [x0 + dx, x1 + dx); the rest are padding.
  const x0 = Math.max(0, -dx);
  const x1 = Math.min(width, width - dx);
  scratch.set(image);
  image.fill(0);
  for (let y = 0; y < height; y++) {
    const sourceY = y + top - padding;
    if (sourceY < 0 || sourceY >= height || x1 <= x0) continue;
    const from = sourceY * rowLength + (x0 + dx) * channels;
    image.set(scratch.subarray(from, from + (x1 - x0) * channels), y * rowLength + x0 * channels);
  }
}

/** Zeroes the `size` x `size` square centred at (`centerY`, `centerX`), clipped to the image. */
export function cutout(image: Float32Array, shape: ImageShape, centerY: number, centerX: number, size: number): void {
  const [height, width, channels] = shape;
  const half = Math.floor(size / 2);
  const [y0, y1] = [Math.max(0, centerY - half), Math.min(height, centerY - half + size)];
  const [x0, x1] = [Math.max(0, centerX - half), Math.min(width, centerX - half + size)];
  for (let y = y0; y < y1; y++) image.fill(0, (y * width + x0) * channels, (y * width + x1) * channels);
}

/** Whether a dataset's protocol augments its training batches: CIFAR-10 in every paper here, the MNISTs never. */
export function augmentsByDefault(dataset: string): boolean {
  return dataset === "cifar10";
}

/** Augments `count` consecutive NHWC images in place. */
export function augmentBatch(
  images: Float32Array,
  count: number,
  shape: ImageShape,
  rng: Rng,
  options: AugmentOptions = CIFAR_AUGMENT,
): void {
  const { padding, flip, cutout: cutoutSize } = { ...CIFAR_AUGMENT, ...options };
  for (const [name, value] of [["padding", padding], ["cutout", cutoutSize]] as const) {
    if (!Number.isInteger(value) || value < 0) {
      throw new NasbookError(`Augmentation ${name} must be a non-negative integer; got ${value}.`);
    }
  }
  const size = imageSize(shape);
  const scratch = new Float32Array(size);
  for (let i = 0; i < count; i++) {
    const image = images.subarray(i * size, (i + 1) * size);
    const [top, left] = [rng.int(2 * padding + 1), rng.int(2 * padding + 1)];
    const mirror = rng.next() < 0.5;
    const [centerY, centerX] = [rng.int(shape[0]), rng.int(shape[1])];
    if (padding > 0) cropPadded(image, shape, padding, top, left, scratch);
    if (flip && mirror) flipHorizontal(image, shape);
    if (cutoutSize > 0) cutout(image, shape, centerY, centerX, cutoutSize);
  }
}
