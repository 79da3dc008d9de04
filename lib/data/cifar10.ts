/**
 * CIFAR-10 (Krizhevsky 2009): 50,000 training and 10,000 test colour images, 32x32, ten classes.
 * We use the official binary version: each record is one label byte then 3,072 pixel bytes,
 * the red, green and blue 32x32 planes in turn (CHW); we store images NHWC like the others.
 *
 * On first use the archive is downloaded (checksum-verified) into the data directory and the six
 * batch files are extracted next to it; later loads read the batch files, parsed once per process.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { DatasetError } from "../core/errors";
import type { ProgressCallback } from "../core/types";
import { writeFileAtomic } from "../core/atomic-files";
import { resolveDataDir } from "./cache";
import { checkLabels, imageSize, type DatasetInfo, type RawDataset, type RawImages } from "./dataset";
import { downloadVerified, md5Of } from "./download";
import { readTarGz } from "./tar";

const CIFAR10_INFO: DatasetInfo = {
  name: "cifar10",
  shape: [32, 32, 3],
  numClasses: 10,
  classNames: ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"],
};

export const CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz";
export const CIFAR10_MD5 = "c32a1d4ab5d03f1284b67883e8d87530";
const ARCHIVE = "cifar-10-binary.tar.gz";
const BATCHES_DIR = "cifar-10-batches-bin";
const TRAIN_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
const TEST_FILE = "test_batch.bin";
const PLANE = CIFAR10_INFO.shape[0] * CIFAR10_INFO.shape[1];
const RECORD = 1 + imageSize(CIFAR10_INFO.shape);

export interface Cifar10Options {
  /** Cache folder; default `$NASBOOK_DATA`, else `data/` at the repository root. */
  readonly dataDir?: string;
  /** Where to download the archive; default `$NASBOOK_CIFAR10_URL`, else the official URL. */
  readonly url?: string;
  /** Expected md5 of the archive; default `$NASBOOK_CIFAR10_MD5`, else the official one. */
  readonly md5?: string;
  readonly onProgress?: ProgressCallback;
  readonly env?: NodeJS.ProcessEnv;
}

/** Where everything lives for one data directory, and where it comes from. */
interface Sources {
  readonly archive: string;
  readonly batchesDir: string;
  readonly url: string;
  readonly md5: string;
}

function sourcesFor(options: Cifar10Options): Sources {
  const env = options.env ?? process.env;
  const dir = resolveDataDir(options.dataDir, env);
  return {
    archive: join(dir, ARCHIVE),
    batchesDir: join(dir, BATCHES_DIR),
    url: options.url ?? (env.NASBOOK_CIFAR10_URL || CIFAR10_URL),
    md5: options.md5 ?? (env.NASBOOK_CIFAR10_MD5 || CIFAR10_MD5),
  };
}

/** The sentence every CIFAR-10 error ends with: how to put the data in place by hand. */
function howToGet(sources: Sources): string {
  return (
    `To fix it, download ${sources.url} (md5 ${sources.md5}) and save it as ${sources.archive}, ` +
    `or unpack it yourself so that ${sources.batchesDir} holds ${[...TRAIN_FILES, TEST_FILE].join(", ")}; ` +
    `set NASBOOK_DATA to use another data directory, or NASBOOK_CIFAR10_URL to fetch from a mirror.`
  );
}

const cache = new Map<string, RawDataset>();

export async function loadCifar10(options: Cifar10Options = {}): Promise<RawDataset> {
  const sources = sourcesFor(options);
  const cached = cache.get(sources.batchesDir);
  if (cached) return cached;
  const files = [...TRAIN_FILES, TEST_FILE].map((name) => join(sources.batchesDir, name));
  if (!files.every((file) => existsSync(file))) await extractBatches(sources, options.onProgress);
  const [train, test] = await Promise.all([
    Promise.all(files.slice(0, TRAIN_FILES.length).map((file) => readBatchFile(file, sources))).then(concat),
    readBatchFile(files[TRAIN_FILES.length], sources),
  ]);
  const defaultValidSize = Math.min(5000, Math.floor(train.count / 10));
  const dataset: RawDataset = { info: CIFAR10_INFO, train, test, defaultValidSize };
  cache.set(sources.batchesDir, dataset);
  return dataset;
}

/** Gets the archive (downloading it if absent), checks it and writes the six batch files. */
async function extractBatches(sources: Sources, onProgress?: ProgressCallback): Promise<void> {
  const download = !existsSync(sources.archive);
  if (download) {
    try {
      await downloadVerified(sources.url, sources.archive, sources.md5, onProgress);
    } catch (error) {
      const why = (error as Error).message;
      const missing = `CIFAR-10 is not in ${sources.batchesDir} and could not be fetched.`;
      throw new DatasetError(`${missing} ${why} ${howToGet(sources)}`);
    }
  }
  onProgress?.(0, 1, `Extracting ${ARCHIVE}`);
  const bytes = await readFile(sources.archive);
  // A fresh download was checked as it streamed in; an archive found on disk is checked here.
  const actual = download ? null : md5Of(bytes);
  if (actual !== null && actual !== sources.md5.toLowerCase()) {
    throw new DatasetError(
      `${sources.archive} has md5 ${actual}, expected ${sources.md5}: it is incomplete or not the ` +
        `CIFAR-10 binary archive. Delete it to download it again. ${howToGet(sources)}`,
    );
  }
  const entries = await readTarGz(bytes, sources.archive);
  for (const name of [...TRAIN_FILES, TEST_FILE]) {
    const entry = entries.find((e) => e.name === `${BATCHES_DIR}/${name}`);
    if (!entry) throw new DatasetError(`${sources.archive} has no ${BATCHES_DIR}/${name}. ${howToGet(sources)}`);
    writeFileAtomic(join(sources.batchesDir, name), entry.data);
  }
  onProgress?.(1, 1, `Extracting ${ARCHIVE}`);
}

/** Parses one batch file of records, converting CHW pixels to HWC. */
async function readBatchFile(file: string, sources: Sources): Promise<RawImages> {
  const remedy =
    `Delete it; the next load extracts it again from the archive (downloading that if needed). ${howToGet(sources)}`;
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new DatasetError(`Cannot read ${file}: ${(error as Error).message}. ${remedy}`);
  }
  if (bytes.length === 0 || bytes.length % RECORD !== 0) {
    const why = `${bytes.length} bytes is not a whole number of ${RECORD}-byte records`;
    throw new DatasetError(`${file} is corrupt: ${why}. ${remedy}`);
  }
  const count = bytes.length / RECORD;
  const channels = CIFAR10_INFO.shape[2];
  const pixels = new Uint8Array(count * PLANE * channels);
  const labels = new Uint8Array(count);
  for (let n = 0; n < count; n++) {
    const record = n * RECORD;
    labels[n] = bytes[record];
    for (let c = 0; c < channels; c++) {
      const plane = record + 1 + c * PLANE;
      for (let p = 0, out = n * PLANE * channels + c; p < PLANE; p++, out += channels) pixels[out] = bytes[plane + p];
    }
  }
  checkLabels(labels, CIFAR10_INFO.numClasses, file, remedy);
  return { count, pixels, labels };
}

function concat(parts: RawImages[]): RawImages {
  const count = parts.reduce((n, part) => n + part.count, 0);
  const pixels = new Uint8Array(count * PLANE * CIFAR10_INFO.shape[2]);
  const labels = new Uint8Array(count);
  let done = 0;
  for (const part of parts) {
    pixels.set(part.pixels, done * PLANE * CIFAR10_INFO.shape[2]);
    labels.set(part.labels, done);
    done += part.count;
  }
  return { count, pixels, labels };
}
