/**
 * Several multi-trial methods against one benchmark table, each over many seeds, in memory: what
 * NAS-Bench-201's Figure 7 is made of (best-so-far against simulated time, hundreds of runs per
 * method). Every run is the CLI's `search --benchmark` without its run directory: the same
 * strategy, the same seeded loop, the same evaluator, so a run here and the CLI's with the same
 * method and seed propose the same cells. Each run's chosen cell (best validation accuracy) has
 * its test accuracy looked up once, through the evaluator's sealed path.
 */
import { initBackend } from "../backend/select";
import type { Scale } from "../core/scale";
import { mean, std } from "../core/stats";
import type { Json, ProgressCallback, SearchSpace, TrialRecord } from "../core/types";
import { loadBenchmark } from "../benchmarks/load";
import type { BenchmarkTable } from "../benchmarks/table";
import type { ControllerUpdate } from "../strategies/controller/reinforce";
import type { NaoRound } from "../strategies/nao/search";
import { TabularEvaluator } from "../evaluators/tabular";
import type { MethodRuns } from "../viz";
import { tabularStrategy, type TabularMethod } from "./methods/tabular";
import { runMultiTrialSearch } from "./multi-trial-search";
import { tabularPreset } from "./presets/tabular";
import { bestTrial } from "./trial";

export interface TabularComparisonRequest {
  /** A shipped table's name, a table.json path, or a loaded table. */
  readonly benchmark: string | BenchmarkTable<Json>;
  readonly methods: readonly TabularMethod[];
  readonly seeds: readonly number[];
  readonly scale: Scale;
  /** Trials per run; default the scale's (tabular preset). */
  readonly trials?: number;
  /** Also stop a run once its simulated training seconds reach this. */
  readonly simulatedSeconds?: number;
  /** Runs finished of all. */
  readonly onProgress?: ProgressCallback;
}

export type TabularRun = {
  method: TabularMethod;
  seed: number;
  trials: TrialRecord<Json>[];
  /** The run's best cell by validation accuracy; its test accuracy is looked up in the table. */
  best: { arch: string; validAccuracy: number; testAccuracy: number } | null;
  simulatedSeconds: number;
  /** NAS-RL: the controller's updates, its per-decision probabilities after each. */
  controller?: ControllerUpdate[];
  /** NAO: its model rounds. */
  nao?: NaoRound[];
};

export type TabularComparison = {
  table: string;
  /** Trials per run (a cap when there is a time budget) and the time budget, as run. */
  budget: { trials: number; simulatedSeconds: number | null };
  /** Each method's settings (population, controller...), for the notebook to print. */
  settings: Record<string, { [key: string]: Json }>;
  runs: TabularRun[];
};

export async function compareOnBenchmark(request: TabularComparisonRequest): Promise<TabularComparison> {
  const table = typeof request.benchmark === "string" ? loadBenchmark(request.benchmark) : request.benchmark;
  // The controllers and NAO's model train on tensors.
  if (request.methods.some((method) => method === "nas-rl" || method === "ppo" || method === "nao")) await initBackend();
  const preset = tabularPreset(request.scale);
  const space = table.space as unknown as SearchSpace<Json>;
  const trials = request.trials ?? preset.budget;
  const runs: TabularRun[] = [];
  const settings: TabularComparison["settings"] = {};
  const total = request.methods.length * request.seeds.length;
  for (const method of request.methods) {
    for (const seed of request.seeds) {
      const chosen = tabularStrategy(method, space, preset, seed);
      settings[method] = chosen.settings;
      try {
        const evaluator = new TabularEvaluator(table);
        const records = await runMultiTrialSearch({ space, strategy: chosen.strategy, evaluator, budget: trials, simulatedSeconds: request.simulatedSeconds, seed });
        const best = bestTrial(records);
        const testAccuracy = best ? await evaluator.finalTest(space.validate(best.genotype), `run ${method} seed ${seed}`) : null;
        runs.push({
          method,
          seed,
          trials: records,
          best: best && testAccuracy !== null ? { arch: table.space.toArch(best.genotype), validAccuracy: best.metrics?.validAccuracy ?? 0, testAccuracy } : null,
          simulatedSeconds: records.reduce((sum, t) => sum + (t.metrics?.trainSeconds ?? 0), 0),
          ...(chosen.updates ? { controller: [...chosen.updates] } : {}),
          ...(chosen.rounds ? { nao: [...chosen.rounds] } : {}),
        });
      } finally {
        chosen.dispose();
      }
      request.onProgress?.(runs.length, total, `${method}, seed ${seed}`);
    }
  }
  return { table: table.name, budget: { trials, simulatedSeconds: request.simulatedSeconds ?? null }, settings, runs };
}

/** The runs of each method, for bestSoFarVsTimeFigure. */
export function methodRuns(comparison: TabularComparison): MethodRuns[] {
  const methods = [...new Set(comparison.runs.map((r) => r.method))];
  return methods.map((name) => ({ name, runs: comparison.runs.filter((r) => r.method === name).map((r) => r.trials) }));
}

/** Each run's chosen cell's value of `key`, for one method (runs without a best are left out). */
export function chosenAccuracies(comparison: TabularComparison, method: TabularMethod, key: "validAccuracy" | "testAccuracy"): number[] {
  return comparison.runs.filter((r) => r.method === method && r.best).map((r) => (r.best as NonNullable<TabularRun["best"]>)[key]);
}

const plusMinus = (values: readonly number[]) => `${mean(values).toFixed(4)} ± ${(values.length > 1 ? std(values) : 0).toFixed(4)}`;

/** One row per method, as NAS-Bench-201's results table: every accuracy looked up in the table, not trained. */
export function comparisonRows(comparison: TabularComparison, table: BenchmarkTable<Json>): Array<{ [column: string]: string | number }> {
  return [...new Set(comparison.runs.map((r) => r.method))].map((method) => {
    const runs = comparison.runs.filter((r) => r.method === method);
    const ranks = runs.filter((r) => r.best).map((r) => table.rank((r.best as NonNullable<TabularRun["best"]>).arch, "test")).sort((a, b) => a - b);
    return {
      method,
      runs: runs.length,
      "trials per run": mean(runs.map((r) => r.trials.length)),
      "simulated seconds per run": Math.round(mean(runs.map((r) => r.simulatedSeconds))),
      "best validation accuracy": plusMinus(chosenAccuracies(comparison, method, "validAccuracy")),
      "test accuracy of the chosen cell (looked up)": plusMinus(chosenAccuracies(comparison, method, "testAccuracy")),
      [`median rank by test accuracy (of ${table.entries.length})`]: ranks[Math.floor((ranks.length - 1) / 2)],
    };
  });
}
