/**
 * The numbers a table's README reports, computed from the table itself so that the README and
 * the file cannot drift apart (a test recomputes them): how many cells and trainings, how well
 * two seeds of the same cell agree (Spearman over the cells trained twice, and the noise of one
 * training around its cell's mean), how far apart the cells are, the accuracy distribution, the
 * best cell, and the training time the table cost (on its reference machine).
 */
import { spearman } from "../core/rank-correlation";
import { pairNoise, std } from "../core/stats";
import type { Json } from "../core/types";
import type { BenchmarkMetric, BenchmarkTable } from "./table";

export type Quantiles = { min: number; q25: number; median: number; q75: number; max: number };

export type BenchmarkSummary = {
  name: string;
  cells: number;
  trainings: number;
  /** Cells with a second training. */
  repeated: number;
  /** Spearman between the two trainings' final validation accuracies, over the repeated cells. */
  seedSpearman: number | null;
  /** RMS over repeated cells of |a - b| / sqrt(2): one training's spread around its cell's mean. */
  seedNoise: number | null;
  /** Standard deviation across cells of their mean final validation accuracy. */
  spreadAcrossCells: number;
  valid: Quantiles;
  test: Quantiles;
  best: { byValid: { arch: string; valid: number; test: number }; byTest: { arch: string; valid: number; test: number } };
  /** Sum of every training's seconds: the table's cost on its reference machine (`machine`). */
  trainHours: number;
  machine: string;
};

function round(value: number, digits = 4): number {
  return Number(value.toFixed(digits));
}

function quantiles(values: readonly number[]): Quantiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => round(sorted[Math.round(q * (sorted.length - 1))]);
  return { min: at(0), q25: at(0.25), median: at(0.5), q75: at(0.75), max: at(1) };
}

export function summarizeBenchmark<G extends Json>(table: BenchmarkTable<G>): BenchmarkSummary {
  const entries = table.entries;
  const final = table.epochs - 1;
  const twice = entries.filter((e) => e.runs.length >= 2);
  const [a, b] = [twice.map((e) => e.runs[0].validAccuracy[final]), twice.map((e) => e.runs[1].validAccuracy[final])];
  const noise = twice.length > 0 ? pairNoise(a, b) : null;
  const scores = (metric: BenchmarkMetric) => entries.map((e) => table.accuracy(e, metric));
  const cell = (metric: BenchmarkMetric) => {
    const entry = table.best(metric);
    return { arch: entry.arch, valid: round(table.accuracy(entry, "valid")), test: round(table.accuracy(entry, "test")) };
  };
  const seconds = entries.reduce((s, e) => s + e.runs.reduce((t, r) => t + r.trainSeconds, 0), 0);
  return {
    name: table.name,
    cells: entries.length,
    trainings: entries.reduce((n, e) => n + e.runs.length, 0),
    repeated: twice.length,
    seedSpearman: twice.length >= 2 ? round(spearman(a, b), 3) : null,
    seedNoise: noise === null ? null : round(noise),
    spreadAcrossCells: round(std(scores("valid"))),
    valid: quantiles(scores("valid")),
    test: quantiles(scores("test")),
    best: { byValid: cell("valid"), byTest: cell("test") },
    trainHours: round(seconds / 3600, 2),
    machine: table.file.timing.reference,
  };
}
