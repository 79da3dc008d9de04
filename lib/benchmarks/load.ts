/**
 * Finding and reading a benchmark table: a name looks in the tables nasbook ships
 * (`data/benchmarks/NAME/table.json`), a path to a `.json` file reads a table built elsewhere
 * (`nasbook bench build`). The table's space is rebuilt from its spec, so its strings are
 * checked by the space's own validation.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { BenchmarkError } from "../core/errors";
import type { Json, SearchSpace, TabulatedSpace } from "../core/types";
import { packageRoot } from "../data/cache";
import { spaceFromSpec } from "../spaces/registry";
import { BenchmarkTable, validateBenchmarkFile } from "./table";

/** Where the shipped tables live. */
export function benchmarksDir(): string {
  return path.join(packageRoot(), "data", "benchmarks");
}

/** The names of the shipped tables. */
export function shippedBenchmarks(): string[] {
  const dir = benchmarksDir();
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((name) => fs.existsSync(path.join(dir, name, "table.json"))).sort();
}

export function loadBenchmark<G extends Json = Json>(nameOrFile: string): BenchmarkTable<G> {
  const file = nameOrFile.endsWith(".json") ? path.resolve(nameOrFile) : path.join(benchmarksDir(), nameOrFile, "table.json");
  if (!fs.existsSync(file)) {
    const known = shippedBenchmarks();
    throw new BenchmarkError(
      `No benchmark table at ${file}. Shipped tables: ${known.length > 0 ? known.join(", ") : "none"}; ` +
        "or give the path of a table.json written by `nasbook bench build`.",
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new BenchmarkError(`${file} is not valid JSON (${(error as Error).message}).`);
  }
  const table = validateBenchmarkFile(parsed, file);
  const space = spaceFromSpec(table.space);
  if (!isTabulated(space)) throw new BenchmarkError(`${file}: space "${table.space.kind}" has no string form or canonical key, so it cannot be tabulated.`);
  return new BenchmarkTable(table, space as unknown as TabulatedSpace<G>, file);
}

function isTabulated(space: SearchSpace<Json>): space is TabulatedSpace<Json> {
  const s = space as Partial<TabulatedSpace<Json>>;
  return typeof s.toArch === "function" && typeof s.fromArch === "function" && typeof s.canonicalKey === "function";
}
