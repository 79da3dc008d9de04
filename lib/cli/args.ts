/** Parsing `nasbook search ...` flags into a checked request; every mistake is a UsageError. */
import { parseArgs } from "node:util";
import { UsageError } from "../core/errors";
import { isScale, scaleFromEnv, SCALES } from "../core/scale";
import { DATASET_NAMES } from "../data";
import type { SearchRequest } from "../experiment/run-search";

export type Command = { kind: "help" } | { kind: "backend" } | { kind: "search"; request: SearchRequest };

export function usage(methods: readonly string[]): string {
  return [
    "Usage:",
    `  nasbook search --method ${methods.join("|")} --dataset ${DATASET_NAMES.join("|")}`,
    `                 [--scale ${SCALES.join("|")}] [--seed N] --out DIR`,
    "  nasbook backend      print which tensor backend would be used, and why",
    "  nasbook --help",
    "",
    "  --scale defaults to $NASBOOK_SCALE or quick; --seed defaults to 0.",
    "  Re-running with the same --out resumes the run: finished trials are not redone.",
  ].join("\n");
}

export function parseCommand(argv: readonly string[], methods: readonly string[], env: NodeJS.ProcessEnv = process.env): Command {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") return { kind: "help" };
  if (command === "backend") return { kind: "backend" };
  if (command !== "search") throw new UsageError(`Unknown command "${command}".`);
  return { kind: "search", request: parseSearch(rest, methods, env) };
}

function parseSearch(argv: readonly string[], methods: readonly string[], env: NodeJS.ProcessEnv): SearchRequest {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        method: { type: "string" },
        dataset: { type: "string" },
        scale: { type: "string" },
        seed: { type: "string" },
        out: { type: "string" },
      },
      strict: true,
      allowPositionals: false,
    }) as { values: Record<string, string | undefined> });
  } catch (error) {
    throw new UsageError((error as Error).message.split("\n")[0]);
  }
  const method = required(values, "method");
  if (!methods.includes(method)) throw new UsageError(`--method must be one of ${methods.join(", ")}; got "${method}".`);
  const dataset = required(values, "dataset");
  if (!(DATASET_NAMES as readonly string[]).includes(dataset)) {
    throw new UsageError(`--dataset must be one of ${DATASET_NAMES.join(", ")}; got "${dataset}".`);
  }
  const scale = values.scale === undefined ? scaleFromEnv(env) : values.scale;
  if (!isScale(scale)) throw new UsageError(`--scale must be one of ${SCALES.join(", ")}; got "${scale}".`);
  const seedText = values.seed ?? "0";
  const seed = Number(seedText);
  if (!/^\d+$/.test(seedText) || !Number.isSafeInteger(seed)) throw new UsageError(`--seed must be a non-negative integer; got "${seedText}".`);
  return { method, dataset: dataset as SearchRequest["dataset"], scale, seed, out: required(values, "out") };
}

function required(values: Record<string, string | undefined>, name: string): string {
  const value = values[name];
  if (value === undefined || value === "") throw new UsageError(`--${name} is required.`);
  return value;
}
