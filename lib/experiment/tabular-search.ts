/**
 * One search against a benchmark table, end to end, as the CLI runs it: the run directory reads
 * like any other (config.json, trials.jsonl, summary.json, report.html), but every validation
 * accuracy is looked up in the table and every trial's cost is the training time the table
 * recorded. The winner's test accuracy is looked up once, through the evaluator's sealed path,
 * and the summary says it was looked up.
 */
import { initBackend } from "../backend/select";
import type { Scale } from "../core/scale";
import type { Json, ProgressCallback, SearchSpace } from "../core/types";
import { loadBenchmark } from "../benchmarks/load";
import { TabularEvaluator } from "../evaluators/tabular";
import { RunStore, type RunSummary } from "../store/run-store";
import { tabularStrategy } from "./methods/tabular";
import { runMultiTrialSearch } from "./multi-trial-search";
import { tabularPreset } from "./presets/tabular";
import type { SearchResult } from "./run-search";
import { writeRunReport } from "./run-report";
import { bestTrial } from "./trial";

/** Trials at most in a run with only a time budget. */
const TIME_BUDGET_TRIAL_CAP = 100_000;

export interface TabularSearchRequest {
  readonly method: string;
  /** A shipped table's name (nb201-fashion-mnist) or the path of a table.json. */
  readonly benchmark: string;
  readonly scale: Scale;
  readonly seed: number;
  readonly out: string;
  /** Trials; default the scale's. */
  readonly trials?: number;
  /** Stop once the trials' simulated training seconds reach this, whatever the trial count. */
  readonly simulatedSeconds?: number;
  readonly onTrials?: ProgressCallback;
  readonly log?: (line: string) => void;
}

export async function runTabularSearch(request: TabularSearchRequest): Promise<SearchResult> {
  const start = performance.now();
  const table = loadBenchmark(request.benchmark);
  // The NAS-RL controller trains on tensors; the other strategies never touch the backend.
  const backend = await initBackend();
  const preset = tabularPreset(request.scale);
  const space = table.space as unknown as SearchSpace<Json>;
  const { method, scale, seed } = request;
  // Without a time budget the trial count is the budget; with one, a trial count is only a cap.
  const budget = { trials: request.trials ?? (request.simulatedSeconds === undefined ? preset.budget : null), simulatedSeconds: request.simulatedSeconds ?? null };
  const chosen = tabularStrategy(method, space, preset, seed);
  try {
    const store = RunStore.open(request.out, { method, dataset: table.file.dataset, scale, seed, benchmark: table.name, budget, ...chosen.settings });
    request.log?.(`${method} on the ${table.name} table (${table.entries.length} cells, looked up, not trained): seed ${seed}, ${describeBudget(budget)}`);
    const evaluator = new TabularEvaluator(table);
    const records = await runMultiTrialSearch({
      space,
      strategy: chosen.strategy,
      evaluator,
      store,
      // A failed lookup costs no time: the cap ends a time-budgeted run that only fails.
      budget: budget.trials ?? TIME_BUDGET_TRIAL_CAP,
      simulatedSeconds: request.simulatedSeconds,
      seed,
      onProgress: request.onTrials,
    });
    const best = bestTrial(records);
    const testAccuracy = best ? await evaluator.finalTest(space.validate(best.genotype), `final test of trial ${best.id}`) : null;
    const summary: RunSummary = {
      method,
      dataset: table.file.dataset,
      scale,
      seed,
      backend: backend.name,
      wallSeconds: (performance.now() - start) / 1000,
      trials: { ok: records.filter((t) => t.status === "ok").length, failed: records.filter((t) => t.status === "failed").length },
      best: best && { id: best.id, genotype: best.genotype, validAccuracy: best.metrics?.validAccuracy ?? 0, testAccuracy },
      benchmark: table.name,
      simulatedSeconds: records.reduce((sum, t) => sum + (t.metrics?.trainSeconds ?? 0), 0),
      accuracies: `looked up in the ${table.name} table, not trained in this run`,
    };
    store.writeSummary(summary);
    writeRunReport(store, summary, records);
    return { summary, trials: records, store };
  } finally {
    chosen.dispose();
  }
}

function describeBudget(budget: { trials: number | null; simulatedSeconds: number | null }): string {
  const parts = [budget.trials !== null ? `${budget.trials} trials` : "", budget.simulatedSeconds !== null ? `${budget.simulatedSeconds} simulated seconds` : ""];
  return parts.filter((p) => p !== "").join(" or ");
}
