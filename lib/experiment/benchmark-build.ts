/**
 * `nasbook bench build`: train every unique cell of the NAS-Bench-201 space once, and a seeded
 * random subset of them a second time, and write the table. The work list is fixed by the seed:
 * the unique cells in a seeded shuffle, then the first `repeats` of them again. It runs through
 * the multi-trial loop like any search (worker threads, a run directory, resuming after a kill
 * with nothing lost or trained twice), so a build longer than a session is cut into parts: `part`
 * k of n stops once the first k n-ths of the list are trained, and the run directory is kept.
 * Each call records the machine it runs on (`run/machines.json`, benchmarks/timing.ts), so that
 * a table trained across machines gives its times on one. When the whole list is trained, the
 * table is assembled into `table.json` beside the run, and the numbers its README reports into
 * `summary.json`.
 */
import * as path from "node:path";
import { initBackend } from "../backend/select";
import { writeFileAtomic } from "../core/atomic-files";
import { UsageError } from "../core/errors";
import { toJson, toJsonObject } from "../core/json";
import { describeMachine, machineName } from "../core/machine";
import { Rng } from "../core/random";
import type { Scale } from "../core/scale";
import { spearman } from "../core/rank-correlation";
import type { Fidelity, Json, ProgressCallback, TrialRecord } from "../core/types";
import { assembleTable, type BenchmarkHeader } from "../benchmarks/assemble";
import { summarizeBenchmark } from "../benchmarks/summary";
import { BenchmarkTable, formatBenchmarkFile } from "../benchmarks/table";
import { addSpan, machineOfRecords, tableTiming, type MachineSpan, type TableTiming } from "../benchmarks/timing";
import { augmentsByDefault, loadDataset, type DatasetName, type SplitOptions } from "../data";
import { TrainFromScratch, type BenchmarkMetrics, type TrainingHyperparameters } from "../evaluators/train-from-scratch";
import { Nb201Space, formatNb201, uniqueNb201Genotypes, type Nb201Genotype } from "../spaces/nb201";
import type { SpaceSpec } from "../spaces/registry";
import { RunStore } from "../store/run-store";
import { Enumeration } from "../strategies/enumeration";
import { searchEvaluator } from "./multi-trial";
import { runMultiTrialSearch } from "./multi-trial-search";
import { benchmarkPreset, type BenchmarkPreset } from "./presets/benchmark";
import { trialSeed } from "./trial";

/** The spaces a table can be built for. */
export const BENCHMARK_SPACES = ["nb201"] as const;
export type BenchmarkSpaceName = (typeof BENCHMARK_SPACES)[number];

export interface BenchmarkBuildRequest {
  readonly space: BenchmarkSpaceName;
  readonly dataset: DatasetName;
  readonly scale: Scale;
  /** Fixes the data split, the work list's order and every training seed. */
  readonly seed: number;
  /** The table's folder: `run/` holds the run directory, `table.json` the finished table. */
  readonly out: string;
  /** Stop once parts 1..k of n equal parts of the work list are trained; absent: the whole list. */
  readonly part?: { readonly k: number; readonly n: number };
  /** `redis://HOST:PORT`: the cells train on that BullMQ queue's workers (`nasbook worker`). */
  readonly queue?: string;
  readonly onProgress?: ProgressCallback;
  readonly log?: (line: string) => void;
}

export interface BenchmarkBuildResult {
  readonly trained: number;
  readonly total: number;
  /** The table's path, once the whole list is trained. */
  readonly table: string | null;
  readonly runDir: string;
}

/** The unique cells in a seeded shuffle (the first `cells` of it at smoke scale), then the first `repeats` again. */
export function workList(unique: readonly Nb201Genotype[], preset: BenchmarkPreset, seed: number): Nb201Genotype[] {
  const shuffled = new Rng(seed).shuffle([...unique]);
  const cells = preset.cells === "all" ? shuffled : shuffled.slice(0, preset.cells);
  return [...cells, ...cells.slice(0, Math.min(preset.repeats, cells.length))];
}

/** How many work items parts 1..k of n hold. */
export function partEnd(total: number, part: { k: number; n: number } | undefined): number {
  if (!part) return total;
  const { k, n } = part;
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(k) || k < 1 || k > n) throw new UsageError(`--part must be K/N with 1 <= K <= N; got ${k}/${n}.`);
  return Math.floor((total * k) / n);
}

/** One list of trainings in one run directory: the table's, or the check's. */
interface Phase {
  readonly method: "bench-build" | "bench-check";
  readonly list: readonly Nb201Genotype[];
  /** Train up to this many of the list (the rest waits for a later call). */
  readonly end: number;
  readonly data: SplitOptions;
  readonly fidelity: Fidelity;
  readonly runDir: string;
}

interface PhaseResult {
  readonly trials: TrialRecord<Nb201Genotype>[];
  readonly backend: string;
  readonly hyperparameters: TrainingHyperparameters;
  readonly spec: SpaceSpec;
}

async function trainPhase(request: BenchmarkBuildRequest, preset: BenchmarkPreset, phase: Phase): Promise<PhaseResult> {
  const backend = await initBackend();
  const space = new Nb201Space(preset.network);
  const hyperparameters: TrainingHyperparameters = { augment: augmentsByDefault(request.dataset), ...preset.hyperparameters };
  const spec = { kind: space.name, options: toJson(preset.network) };
  const { data, fidelity, list } = phase;
  const settings = toJsonObject({ space: spec, data, fidelity, hyperparameters, cells: preset.cells, repeats: preset.repeats, round: preset.round, total: list.length });
  const store = RunStore.open(phase.runDir, { method: phase.method, dataset: request.dataset, scale: request.scale, seed: request.seed, ...settings });
  store.writeArtifact(MACHINES, addSpan(machineSpans(store), { fromRecord: store.trials().length, machine: machineName(describeMachine()) }));
  request.log?.(`${phase.method} ${tableName(request)}: ${list.length} trainings, this call up to ${phase.end}; backend ${backend.name}. ${preset.reductions}`);
  const splits = await loadDataset(request.dataset, data);
  // Every cell is scored on the test split: that is what the table is for. Searches read the table, never this split.
  const local = new TrainFromScratch(space, splits, fidelity, hyperparameters, splits.test.open(`benchmark table ${tableName(request)}`));
  const queue = request.queue === undefined ? undefined : { url: request.queue, config: store.config };
  const search = searchEvaluator(local, { space: spec, dataset: request.dataset, data, fidelity, hyperparameters, benchmarkTest: true }, process.env, queue);
  try {
    const trials = await runMultiTrialSearch({
      space,
      strategy: new Enumeration(list),
      evaluator: search.evaluator,
      store,
      budget: phase.end,
      round: preset.round,
      seed: request.seed,
      onProgress: request.onProgress,
    });
    return { trials, backend: backend.name, hyperparameters, spec };
  } finally {
    await search.close();
  }
}

const MACHINES = "machines.json";

function machineSpans(store: RunStore): MachineSpan[] {
  return (store.readArtifact(MACHINES) ?? []) as MachineSpan[];
}

/** Each trial's speed factor to the reference machine, from the run's records in file order. */
function runTiming(runDir: string): { timing: TableTiming; speedOf: (trialId: number) => number } {
  const store = RunStore.existing(runDir);
  const records = store.trials();
  const machines = machineOfRecords(records.length, machineSpans(store));
  const timing = tableTiming(records, machines);
  const factor = new Map(timing.machines.map((m) => [m.machine, m.factor]));
  const byId = new Map(records.map((record, i) => [record.id, factor.get(machines[i]) ?? 1]));
  return { timing, speedOf: (id) => byId.get(id) ?? 1 };
}

function tableName(request: BenchmarkBuildRequest): string {
  return `${request.space}-${request.dataset}`;
}

function tableList(preset: BenchmarkPreset, seed: number): Nb201Genotype[] {
  return workList(uniqueNb201Genotypes(), preset, seed);
}

export async function buildBenchmark(request: BenchmarkBuildRequest): Promise<BenchmarkBuildResult> {
  const preset = benchmarkPreset(request.scale);
  const list = tableList(preset, request.seed);
  const data: SplitOptions = { seed: request.seed, ...preset.data };
  const runDir = path.join(request.out, "run");
  const phase = { method: "bench-build" as const, list, end: partEnd(list.length, request.part), data, fidelity: preset.fidelity, runDir };
  const { trials, backend, hyperparameters, spec } = await trainPhase(request, preset, phase);
  if (trials.length < list.length) return { trained: trials.length, total: list.length, table: null, runDir };
  const { timing, speedOf } = runTiming(runDir);
  const header: BenchmarkHeader = {
    name: tableName(request),
    space: spec,
    dataset: request.dataset,
    data: toJsonObject(data),
    fidelity: toJsonObject(preset.fidelity) as BenchmarkHeader["fidelity"],
    hyperparameters: toJsonObject(hyperparameters),
    backend,
    timing,
  };
  const space = new Nb201Space(preset.network);
  const table = assembleTable(header, space, trials, (id) => trialSeed(request.seed, id), speedOf);
  const file = path.join(request.out, "table.json");
  writeFileAtomic(file, formatBenchmarkFile(table));
  // What the table's README quotes, computed from the table.
  const summary = summarizeBenchmark(new BenchmarkTable(table, space, file));
  writeFileAtomic(path.join(request.out, "summary.json"), `${JSON.stringify(summary, null, 1)}\n`);
  return { trained: trials.length, total: list.length, table: file, runDir };
}

/** What `bench check` finds: does the table's ranking of its first cells survive several times more training? */
export type BenchmarkCheck = {
  cells: number;
  fidelity: { [key: string]: Json };
  data: { [key: string]: Json };
  /** Spearman between the table's validation accuracy of each cell and the check's. */
  validSpearman: number;
  testSpearman: number;
  entries: Array<{ arch: string; table: { valid: number; test: number }; check: { valid: number; test: number } }>;
};

/**
 * Trains the first `preset.check.cells` cells of the work list (the table's first, a random
 * sample) again at the check's higher fidelity into `DIR/check/`, and writes `DIR/check.json`.
 * Needs those cells in the table's run directory already (its first part).
 */
export async function checkBenchmark(request: BenchmarkBuildRequest): Promise<BenchmarkCheck> {
  const preset = benchmarkPreset(request.scale);
  const { cells, fidelity, data: checkData } = preset.check;
  const tableTrials = RunStore.existing(path.join(request.out, "run")).trials<Nb201Genotype>();
  const byId = new Map(tableTrials.map((t) => [t.id, t]));
  const list = tableList(preset, request.seed).slice(0, cells);
  if (list.some((_, id) => byId.get(id)?.status !== "ok")) {
    throw new UsageError(`bench check compares the table's first ${cells} cells: train them first (\`nasbook bench build ... --part 1/N\` into ${request.out}).`);
  }
  const data: SplitOptions = { seed: request.seed, ...preset.data, ...checkData };
  const phase = { method: "bench-check" as const, list, end: list.length, data, fidelity, runDir: path.join(request.out, "check") };
  const { trials } = await trainPhase(request, preset, phase);
  const scores = (t: TrialRecord<Nb201Genotype> | undefined) => {
    const m = t?.metrics as BenchmarkMetrics | undefined;
    return { valid: m?.validAccuracy ?? NaN, test: m?.testAccuracy ?? NaN };
  };
  const entries = list.map((g, id) => ({ arch: formatNb201(g), table: scores(byId.get(id)), check: scores(trials[id]) }));
  const correlation = (key: "valid" | "test") => spearman(entries.map((e) => e.table[key]), entries.map((e) => e.check[key]));
  const check: BenchmarkCheck = { cells, fidelity: toJsonObject(fidelity), data: toJsonObject(data), validSpearman: correlation("valid"), testSpearman: correlation("test"), entries };
  writeFileAtomic(path.join(request.out, "check.json"), `${JSON.stringify(check, null, 1)}\n`);
  return check;
}
