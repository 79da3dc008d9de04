/**
 * A tabular NAS benchmark, NAS-Bench-201's idea on nasbook's own data: every unique cell of a
 * small space trained once at one fidelity, so a search strategy can be run against the table in
 * seconds, over hundreds of seeds, and a one-shot method judged by looking up the cell it picks.
 *
 * The file keeps one entry per class of cells that compute the same function (its `arch` is the
 * class's representative); the space's own canonical key maps any of its genotypes to the entry.
 * Every number is validated when the file is read, with errors that name the field.
 */
import { BenchmarkError } from "../core/errors";
import { isRecord } from "../core/validate";
import type { Json, TabulatedSpace } from "../core/types";
import type { TableTiming } from "./timing";

export const BENCHMARK_FORMAT = "nasbook-bench/1";

/** One training of one cell. */
export type BenchmarkRun = {
  seed: number;
  /** Validation accuracy after each epoch. */
  validAccuracy: number[];
  /** Mean training loss of each epoch. */
  trainLoss: number[];
  /** Accuracy after the last epoch on the test split, which no search reads. */
  testAccuracy: number;
  trainSeconds: number;
};

export type BenchmarkEntry = {
  /** The representative genotype of the class, in the space's string form. */
  arch: string;
  params: number;
  /** Floating-point operations of one image's forward pass. */
  flops: number;
  latencyMs: number;
  runs: BenchmarkRun[];
};

/** What table.json holds: how the table was built, and its entries. */
export type BenchmarkFile = {
  format: typeof BENCHMARK_FORMAT;
  name: string;
  /** The space as plain data (spaces/registry): what `arch` strings mean. */
  space: { kind: string; options: Json };
  dataset: string;
  /** Split options (seed, sizes) of the data every cell was trained and scored on. */
  data: { [key: string]: Json };
  /** Epochs, batch size, subset and width of every training. */
  fidelity: { epochs: number; [key: string]: Json };
  hyperparameters: { [key: string]: Json };
  backend: string;
  /** The machine every `trainSeconds` and `latencyMs` is on, and each building machine's speed factor to it. */
  timing: TableTiming;
  entries: BenchmarkEntry[];
};

export type BenchmarkMetric = "valid" | "test";

export class BenchmarkTable<G extends Json = Json> {
  readonly #byKey = new Map<string, BenchmarkEntry>();

  /** `source` names the file in error messages. */
  constructor(
    readonly file: BenchmarkFile,
    readonly space: TabulatedSpace<G>,
    source = file.name,
  ) {
    file.entries.forEach((entry, i) => {
      const key = this.keyOf(entry.arch, `${source}: entries[${i}].arch`);
      if (this.#byKey.has(key)) {
        throw new BenchmarkError(`${source}: entries[${i}].arch "${entry.arch}" computes the same cell as "${this.#byKey.get(key)?.arch}"; each cell has one entry.`);
      }
      this.#byKey.set(key, entry);
    });
  }

  get name(): string {
    return this.file.name;
  }

  get epochs(): number {
    return this.file.fidelity.epochs;
  }

  get entries(): readonly BenchmarkEntry[] {
    return this.file.entries;
  }

  /** The entry of `arch` (a genotype, or its string form), or a BenchmarkError saying it is not in the table. */
  entry(arch: G | string): BenchmarkEntry {
    // A genotype is keyed directly; only a string is parsed first.
    const key = typeof arch === "string" ? this.keyOf(arch, "architecture") : this.space.canonicalKey(arch);
    const found = this.#byKey.get(key);
    if (!found) {
      const text = typeof arch === "string" ? arch : this.space.toArch(arch);
      throw new BenchmarkError(`${this.name} has no entry for ${text}: the table is incomplete (${this.file.entries.length} entries).`);
    }
    return found;
  }

  /** Mean over the entry's runs of the validation accuracy after `epoch` (1-based, default the last), or of the test accuracy. */
  accuracy(entry: BenchmarkEntry, metric: BenchmarkMetric, epoch = this.epochs): number {
    const values = entry.runs.map((run) => (metric === "test" ? run.testAccuracy : run.validAccuracy[epoch - 1]));
    return values.reduce((sum, v) => sum + v, 0) / values.length;
  }

  /** Entries from best to worst by mean accuracy (ties keep file order). */
  ranking(metric: BenchmarkMetric): BenchmarkEntry[] {
    const score = new Map(this.file.entries.map((e) => [e, this.accuracy(e, metric)]));
    return [...this.file.entries].sort((a, b) => (score.get(b) as number) - (score.get(a) as number));
  }

  best(metric: BenchmarkMetric): BenchmarkEntry {
    return this.ranking(metric)[0];
  }

  /** 1 for the best cell; the number of cells strictly better, plus one. */
  rank(arch: G | string, metric: BenchmarkMetric): number {
    const score = this.accuracy(this.entry(arch), metric);
    return 1 + this.file.entries.filter((e) => this.accuracy(e, metric) > score).length;
  }

  private keyOf(arch: string, field: string): string {
    try {
      return this.space.canonicalKey(this.space.fromArch(arch));
    } catch (error) {
      throw new BenchmarkError(`${field}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** table.json's text: the header indented, one entry per line, so a rebuilt table diffs by cell. */
export function formatBenchmarkFile(file: BenchmarkFile): string {
  const { entries, ...header } = file;
  const head = JSON.stringify(header, null, 1).replace(/\n}$/, "");
  return `${head},\n "entries": [\n${entries.map((e) => `  ${JSON.stringify(e)}`).join(",\n")}\n ]\n}\n`;
}

/** Checks untrusted JSON (a file from disk) against the format; errors name the field. */
export function validateBenchmarkFile(value: unknown, source: string): BenchmarkFile {
  const fail = (field: string, problem: string): never => {
    throw new BenchmarkError(`${source}: ${field} ${problem}.`);
  };
  if (!isRecord(value)) return fail("the file", "must hold a JSON object");
  if (value.format !== BENCHMARK_FORMAT) fail("format", `must be "${BENCHMARK_FORMAT}", got ${JSON.stringify(value.format)}`);
  for (const field of ["name", "dataset", "backend"]) if (typeof value[field] !== "string") fail(field, "must be a string");
  for (const field of ["space", "data", "fidelity", "hyperparameters"]) if (!isRecord(value[field])) fail(field, "must be an object");
  const space = value.space as Record<string, unknown>;
  if (typeof space.kind !== "string") fail("space.kind", "must be a string");
  const epochs = (value.fidelity as Record<string, unknown>).epochs;
  if (!Number.isInteger(epochs) || (epochs as number) < 1) fail("fidelity.epochs", `must be a positive integer, got ${JSON.stringify(epochs)}`);
  checkTiming(value.timing, fail);
  if (!Array.isArray(value.entries) || value.entries.length === 0) fail("entries", "must be a non-empty list");
  (value.entries as unknown[]).forEach((entry, i) => checkEntry(entry, `entries[${i}]`, epochs as number, fail));
  return value as BenchmarkFile;
}

type Fail = (field: string, problem: string) => never;

function checkTiming(value: unknown, fail: Fail): void {
  if (!isRecord(value)) return fail("timing", "must be an object");
  if (typeof value.reference !== "string") fail("timing.reference", "must be a string");
  if (!Array.isArray(value.machines) || value.machines.length === 0) fail("timing.machines", "must be a non-empty list");
  (value.machines as unknown[]).forEach((machine, i) => {
    const field = `timing.machines[${i}]`;
    if (!isRecord(machine)) return fail(field, "must be an object");
    if (typeof machine.machine !== "string") fail(`${field}.machine`, "must be a string");
    checkNumber(machine.trials, `${field}.trials`, 1, Infinity, fail);
    for (const key of ["meanTrainSeconds", "factor"]) checkNumber(machine[key], `${field}.${key}`, 0, Infinity, fail);
  });
}

function checkEntry(value: unknown, field: string, epochs: number, fail: Fail): void {
  if (!isRecord(value)) return fail(field, "must be an object");
  if (typeof value.arch !== "string") fail(`${field}.arch`, "must be a string");
  for (const key of ["params", "flops", "latencyMs"]) checkNumber(value[key], `${field}.${key}`, 0, Infinity, fail);
  if (!Array.isArray(value.runs) || value.runs.length === 0) fail(`${field}.runs`, "must be a non-empty list");
  (value.runs as unknown[]).forEach((run, r) => checkRun(run, `${field}.runs[${r}]`, epochs, fail));
}

function checkRun(value: unknown, field: string, epochs: number, fail: Fail): void {
  if (!isRecord(value)) return fail(field, "must be an object");
  if (!Number.isInteger(value.seed)) fail(`${field}.seed`, "must be an integer");
  for (const key of ["validAccuracy", "trainLoss"]) {
    const list = value[key];
    if (!Array.isArray(list) || list.length !== epochs) fail(`${field}.${key}`, `must list one value per epoch (${epochs})`);
    const [min, max] = key === "validAccuracy" ? [0, 1] : [0, Infinity];
    (list as unknown[]).forEach((v, e) => checkNumber(v, `${field}.${key}[${e}]`, min, max, fail));
  }
  checkNumber(value.testAccuracy, `${field}.testAccuracy`, 0, 1, fail);
  checkNumber(value.trainSeconds, `${field}.trainSeconds`, 0, Infinity, fail);
}

function checkNumber(value: unknown, field: string, min: number, max: number, fail: Fail): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    fail(field, `must be a number in [${min}, ${max === Infinity ? "inf" : max}], got ${JSON.stringify(value)}`);
  }
}
