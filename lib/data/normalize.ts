/**
 * Per-channel standardisation, x' = (x / 255 - mean) / std, with mean and std measured on the
 * training examples only, so nothing about validation or test data leaks into the inputs.
 */
import type { ImageShape } from "../core/types";
import { imageSize, type RawImages } from "./dataset";

/** Mean and standard deviation of each channel, on the [0, 1] pixel scale. */
export interface ChannelStats {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/** Statistics of the images at `indices`, from a histogram of byte values per channel (fast and exact). */
export function channelStats(raw: RawImages, indices: ArrayLike<number>, shape: ImageShape): ChannelStats {
  const channels = shape[2];
  const size = imageSize(shape);
  const histogram = new Float64Array(256 * channels);
  for (let i = 0; i < indices.length; i++) {
    const start = indices[i] * size;
    for (let k = 0; k < size; k += channels) {
      for (let c = 0; c < channels; c++) histogram[c * 256 + raw.pixels[start + k + c]]++;
    }
  }
  const count = (indices.length * size) / channels;
  const mean: number[] = [];
  const std: number[] = [];
  for (let c = 0; c < channels; c++) {
    let [sum, sumSquares] = [0, 0];
    for (let v = 0; v < 256; v++) {
      sum += v * histogram[c * 256 + v];
      sumSquares += v * v * histogram[c * 256 + v];
    }
    mean.push(sum / count / 255);
    // A constant channel (or an empty set) would divide by zero; std 1 leaves it centred only.
    std.push(Math.sqrt(Math.max(sumSquares / count - (sum / count) ** 2, 0)) / 255 || 1);
  }
  return { mean, std };
}

/** The images at `indices`, standardised with `stats`, as one NHWC Float32Array. */
export function normalizeImages(
  raw: RawImages,
  indices: ArrayLike<number>,
  shape: ImageShape,
  stats: ChannelStats,
): Float32Array {
  const channels = shape[2];
  const size = imageSize(shape);
  // A 256-entry lookup table per channel turns the arithmetic into one load per value.
  const table = new Float32Array(256 * channels);
  for (let c = 0; c < channels; c++) {
    for (let v = 0; v < 256; v++) table[c * 256 + v] = (v / 255 - stats.mean[c]) / stats.std[c];
  }
  const out = new Float32Array(indices.length * size);
  for (let i = 0; i < indices.length; i++) {
    const [from, to] = [indices[i] * size, i * size];
    for (let k = 0; k < size; k += channels) {
      for (let c = 0; c < channels; c++) out[to + k + c] = table[c * 256 + raw.pixels[from + k + c]];
    }
  }
  return out;
}
