/**
 * Smaller images by box filtering: each output pixel is the rounded mean of a factor x factor
 * block. NAS-Bench-201's ImageNet16-120 is ImageNet shrunk the same way, so that every cell of
 * the space can be trained; nasbook's benchmark does the same to Fashion-MNIST on a CPU.
 */
import { NasbookError } from "../core/errors";
import type { ImageShape } from "../core/types";
import { imageSize, type RawDataset, type RawImages } from "./dataset";

function downsampleImages(raw: RawImages, shape: ImageShape, factor: number): RawImages {
  const [h, w, c] = shape;
  const [oh, ow] = [h / factor, w / factor];
  const inSize = imageSize(shape);
  const outSize = oh * ow * c;
  const pixels = new Uint8Array(raw.count * outSize);
  const area = factor * factor;
  for (let n = 0; n < raw.count; n++) {
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        for (let ch = 0; ch < c; ch++) {
          let sum = 0;
          for (let dy = 0; dy < factor; dy++) {
            for (let dx = 0; dx < factor; dx++) sum += raw.pixels[n * inSize + ((y * factor + dy) * w + x * factor + dx) * c + ch];
          }
          pixels[n * outSize + (y * ow + x) * c + ch] = Math.round(sum / area);
        }
      }
    }
  }
  return { count: raw.count, pixels, labels: raw.labels };
}

/** The dataset with every image shrunk by `factor`, which must divide its height and width. */
export function downsampleDataset(raw: RawDataset, factor: number): RawDataset {
  const [h, w, c] = raw.info.shape;
  if (!Number.isInteger(factor) || factor < 1 || h % factor !== 0 || w % factor !== 0) {
    throw new NasbookError(`downsample must be a positive integer dividing the ${raw.info.name} image size ${h}x${w}; got ${factor}.`);
  }
  if (factor === 1) return raw;
  return {
    ...raw,
    info: { ...raw.info, shape: [h / factor, w / factor, c] },
    train: downsampleImages(raw.train, raw.info.shape, factor),
    test: downsampleImages(raw.test, raw.info.shape, factor),
  };
}
