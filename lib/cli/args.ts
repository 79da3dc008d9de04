/** Parsing `nasbook search ...` and `nasbook bench build ...` flags into checked requests; every mistake is a UsageError. */
import { parseArgs } from "node:util";
import { UsageError } from "../core/errors";
import { isScale, scaleFromEnv, SCALES } from "../core/scale";
import { DATASET_NAMES } from "../data";
import { BENCHMARK_SPACES, type BenchmarkBuildRequest } from "../experiment/benchmark-build";
import { TABULAR_METHODS, isTabularMethod } from "../experiment/methods/tabular";
import { redisOptions } from "../experiment/queue/redis";
import type { QueueWorkerOptions } from "../experiment/queue/queue-worker";
import type { SearchRequest } from "../experiment/run-search";
import type { TabularSearchRequest } from "../experiment/tabular-search";

type BenchBuild = Omit<BenchmarkBuildRequest, "onProgress" | "log">;
type TabularSearch = Omit<TabularSearchRequest, "onTrials" | "log">;

export type Command =
  | { kind: "help" }
  | { kind: "backend" }
  | { kind: "search"; request: SearchRequest }
  | { kind: "tabular-search"; request: TabularSearch }
  | { kind: "bench-build"; request: BenchBuild }
  | { kind: "bench-check"; request: BenchBuild }
  | { kind: "worker"; request: Omit<QueueWorkerOptions, "log" | "env"> };

export function usage(methods: readonly string[]): string {
  return [
    "Usage:",
    `  nasbook search --method ${methods.join("|")} --dataset ${DATASET_NAMES.join("|")}`,
    `                 [--scale ${SCALES.join("|")}] [--seed N] [--queue redis://HOST:PORT] --out DIR`,
    `  nasbook search --method ${TABULAR_METHODS.join("|")} --benchmark NAME|TABLE.json`,
    `                 [--budget TRIALS|SECONDSs] [--scale ...] [--seed N] --out DIR`,
    "                       search a benchmark table: accuracies looked up, costs simulated (seconds)",
    `  nasbook bench build --space ${BENCHMARK_SPACES.join("|")} --dataset ${DATASET_NAMES.join("|")}`,
    `                 [--scale ${SCALES.join("|")}] [--seed N] [--part K/N] [--queue redis://HOST:PORT] --out DIR`,
    "                       train every unique cell and write DIR/table.json; --part K/N stops after",
    "                       the first K of N equal parts of the work (re-run to go on)",
    "  nasbook bench check  (the same flags but --part) train the table's first cells again at a higher",
    "                       fidelity and write DIR/check.json: does the table's ranking hold?",
    "  nasbook worker --queue redis://HOST:PORT [--concurrency N] [--threads N]",
    "                       train the trials that searches and builds given the same --queue put on it,",
    "                       N at once (default 1), each on --threads kernel threads; SIGTERM hands",
    "                       running trials back to the queue",
    "  nasbook backend      print which tensor backend would be used, and why",
    "  nasbook --help",
    "",
    "  --scale defaults to $NASBOOK_SCALE or quick; --seed defaults to 0.",
    "  Re-running with the same --out resumes the run: finished trials are not redone.",
  ].join("\n");
}

const HELP = ["--help", "-h", "help"];

export function parseCommand(argv: readonly string[], methods: readonly string[], env: NodeJS.ProcessEnv = process.env): Command {
  const [command, ...rest] = argv;
  // `nasbook search --help` asks for help too, whatever else is on the line.
  if (command === undefined || HELP.includes(command) || rest.some((arg) => arg === "--help" || arg === "-h")) return { kind: "help" };
  if (command === "backend") return { kind: "backend" };
  if (command === "worker") return { kind: "worker", request: parseWorker(rest) };
  if (command === "bench") {
    const [sub, ...flags] = rest;
    if (sub !== "build" && sub !== "check") throw new UsageError(`Unknown bench command "${sub ?? ""}"; the bench commands are: build, check.`);
    return { kind: sub === "build" ? "bench-build" : "bench-check", request: parseBenchBuild(flags, env) };
  }
  if (command !== "search") throw new UsageError(`Unknown command "${command}".`);
  return rest.some((flag) => flag === "--benchmark" || flag.startsWith("--benchmark=")) ? parseTabularSearch(rest, env) : { kind: "search", request: parseSearch(rest, methods, env) };
}

type Flags = Record<string, string | undefined>;

/** `--seed -1` as `--seed=-1`: parseArgs takes a value that starts with "-" for another flag ("ambiguous"). */
function joinNegativeValues(argv: readonly string[], names: readonly string[]): string[] {
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const next = argv[i + 1];
    if (names.includes(argv[i].replace(/^--/, "")) && argv[i].startsWith("--") && next !== undefined && /^-\d/.test(next)) {
      joined.push(`${argv[i]}=${next}`);
      i++;
    } else joined.push(argv[i]);
  }
  return joined;
}

function parseFlags(argv: readonly string[], names: readonly string[]): Flags {
  let values: Record<string, string[] | undefined>;
  try {
    const options = Object.fromEntries(names.map((name) => [name, { type: "string" as const, multiple: true }]));
    values = parseArgs({ args: joinNegativeValues(argv, names), options, strict: true, allowPositionals: false }).values as Record<string, string[] | undefined>;
  } catch (error) {
    throw new UsageError((error as Error).message.split("\n")[0]);
  }
  // A flag given twice is a mistake to report, not a choice of the last.
  for (const [name, given] of Object.entries(values)) {
    if (given && given.length > 1) throw new UsageError(`--${name} was given ${given.length} times (${given.map((v) => JSON.stringify(v)).join(", ")}); give it once.`);
  }
  return Object.fromEntries(Object.entries(values).map(([name, given]) => [name, given?.[0]]));
}

/** The flags every run takes: dataset, scale, seed and where it goes. */
function runFlags(values: Flags, env: NodeJS.ProcessEnv): Pick<SearchRequest, "dataset" | "scale" | "seed" | "out"> {
  const dataset = required(values, "dataset");
  if (!(DATASET_NAMES as readonly string[]).includes(dataset)) {
    throw new UsageError(`--dataset must be one of ${DATASET_NAMES.join(", ")}; got "${dataset}".`);
  }
  return { dataset: dataset as SearchRequest["dataset"], ...scaleSeedOut(values, env) };
}

function scaleSeedOut(values: Flags, env: NodeJS.ProcessEnv): Pick<SearchRequest, "scale" | "seed" | "out"> {
  const scale = values.scale === undefined ? scaleFromEnv(env) : values.scale;
  if (!isScale(scale)) throw new UsageError(`--scale must be one of ${SCALES.join(", ")}; got "${scale}".`);
  const seedText = values.seed ?? "0";
  const seed = Number(seedText);
  if (!/^\d+$/.test(seedText) || !Number.isSafeInteger(seed)) throw new UsageError(`--seed must be a non-negative integer; got "${seedText}".`);
  return { scale, seed, out: required(values, "out") };
}

/** `--benchmark`: the table says what the data was, so there is no --dataset. */
function parseTabularSearch(argv: readonly string[], env: NodeJS.ProcessEnv): Command {
  const values = parseFlags(argv, ["method", "benchmark", "budget", "scale", "seed", "out", "dataset"]);
  if (values.dataset !== undefined) throw new UsageError("--dataset does not go with --benchmark: the table was built on one dataset.");
  const method = required(values, "method");
  if (!isTabularMethod(method)) throw new UsageError(`--method with --benchmark must be one of ${TABULAR_METHODS.join(", ")}; got "${method}".`);
  const request: TabularSearch = { method, benchmark: required(values, "benchmark"), ...scaleSeedOut(values, env) };
  return { kind: "tabular-search", request: { ...request, ...parseBudget(values.budget) } };
}

/** `150`: trials; `3600s`: simulated seconds. */
function parseBudget(text: string | undefined): Pick<TabularSearch, "trials" | "simulatedSeconds"> {
  if (text === undefined) return {};
  const match = /^(\d+(?:\.\d+)?)(s?)$/.exec(text);
  const value = match ? Number(match[1]) : NaN;
  if (!match || !(value > 0) || (match[2] === "" && !Number.isInteger(value))) {
    throw new UsageError(`--budget must be a number of trials (150) or of simulated seconds (3600s); got "${text}".`);
  }
  return match[2] === "s" ? { simulatedSeconds: value } : { trials: value };
}

function parseSearch(argv: readonly string[], methods: readonly string[], env: NodeJS.ProcessEnv): SearchRequest {
  const values = parseFlags(argv, ["method", "dataset", "scale", "seed", "out", "queue"]);
  const method = required(values, "method");
  if (!methods.includes(method)) throw new UsageError(`--method must be one of ${methods.join(", ")}; got "${method}".`);
  return { method, ...runFlags(values, env), ...queueFlag(values) };
}

/** `--queue redis://...`, checked to be a Redis URL. */
function queueFlag(values: Flags): { queue?: string } {
  if (values.queue === undefined) return {};
  redisOptions(values.queue);
  return { queue: values.queue };
}

function parseWorker(argv: readonly string[]): Omit<QueueWorkerOptions, "log" | "env"> {
  const values = parseFlags(argv, ["queue", "concurrency", "threads"]);
  const url = queueFlag({ queue: required(values, "queue") }).queue as string;
  const count = (name: string) => {
    const text = values[name];
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`--${name} must be a positive integer; got "${text}".`);
    return Number(text);
  };
  return { url, concurrency: count("concurrency") ?? 1, threads: count("threads") };
}

function parseBenchBuild(argv: readonly string[], env: NodeJS.ProcessEnv): BenchBuild {
  const values = parseFlags(argv, ["space", "dataset", "scale", "seed", "part", "out", "queue"]);
  const space = required(values, "space");
  if (!(BENCHMARK_SPACES as readonly string[]).includes(space)) throw new UsageError(`--space must be one of ${BENCHMARK_SPACES.join(", ")}; got "${space}".`);
  const request = { space: space as BenchBuild["space"], ...runFlags(values, env), ...queueFlag(values) };
  if (values.part === undefined) return request;
  const match = /^(\d+)\/(\d+)$/.exec(values.part);
  if (!match) throw new UsageError(`--part must be K/N, e.g. 1/6; got "${values.part}".`);
  return { ...request, part: { k: Number(match[1]), n: Number(match[2]) } };
}

function required(values: Record<string, string | undefined>, name: string): string {
  const value = values[name];
  if (value === undefined || value === "") throw new UsageError(`--${name} is required.`);
  return value;
}
