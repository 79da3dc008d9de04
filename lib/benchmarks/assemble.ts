/**
 * From a finished build's trials to the table: the trials of one class of cells (the unique cell,
 * and its repeat with another seed) become one entry with one run each, its times put on the
 * header's reference machine (timing.ts). A cell none of whose trainings succeeded is an error
 * naming it: a table with a hole would fail every lookup of it.
 */
import { BenchmarkError } from "../core/errors";
import type { Json, TabulatedSpace, TrialRecord } from "../core/types";
import type { BenchmarkMetrics } from "../evaluators/train-from-scratch";
import { BENCHMARK_FORMAT, type BenchmarkEntry, type BenchmarkFile } from "./table";

/** Everything of table.json but its entries. */
export type BenchmarkHeader = Omit<BenchmarkFile, "format" | "entries">;

/** Accuracies and losses keep 5 significant decimals: far below the seed noise, and a smaller file. */
function rounded(value: number, digits = 5): number {
  return Number(value.toFixed(digits));
}

export function assembleTable<G extends Json>(
  header: BenchmarkHeader,
  space: TabulatedSpace<G>,
  trials: readonly TrialRecord<G>[],
  seedOf: (trialId: number) => number,
  /** The speed factor of the machine that trained a trial (1: the reference). */
  speedOf: (trialId: number) => number,
): BenchmarkFile {
  const byKey = new Map<string, BenchmarkEntry>();
  const failed: string[] = [];
  for (const trial of trials) {
    const key = space.canonicalKey(trial.genotype);
    const entry = byKey.get(key) ?? newEntry(space.toArch(trial.genotype), trial);
    byKey.set(key, entry);
    if (trial.status !== "ok" || !trial.metrics) continue;
    const metrics = trial.metrics as BenchmarkMetrics;
    const factor = speedOf(trial.id);
    entry.params = metrics.params;
    entry.flops = metrics.flops;
    entry.latencyMs = rounded(metrics.latencyMs * factor, 3);
    entry.runs.push({
      seed: seedOf(trial.id),
      validAccuracy: metrics.validAccuracyHistory.map((v) => rounded(v)),
      trainLoss: metrics.trainLossHistory.map((v) => rounded(v)),
      testAccuracy: rounded(metrics.testAccuracy),
      trainSeconds: rounded(metrics.trainSeconds * factor, 3),
    });
  }
  for (const entry of byKey.values()) if (entry.runs.length === 0) failed.push(entry.arch);
  if (failed.length > 0) {
    throw new BenchmarkError(`${failed.length} cells have no successful training (${failed.slice(0, 3).join(", ")}${failed.length > 3 ? ", ..." : ""}); see trials.jsonl for their errors.`);
  }
  return { format: BENCHMARK_FORMAT, ...header, entries: [...byKey.values()] };
}

function newEntry<G extends Json>(arch: string, trial: TrialRecord<G>): BenchmarkEntry {
  return { arch, params: trial.metrics?.params ?? 0, flops: trial.metrics?.flops ?? 0, latencyMs: 0, runs: [] };
}
