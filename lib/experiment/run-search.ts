/**
 * One search, end to end, as the CLI runs it: choose the backend, open (or resume) the run
 * directory, load the data, run the method, test the best genotype once, write summary.json
 * and report.html. Notebooks call it too, so both produce the same run directories.
 */
import { initBackend } from "../backend/select";
import type { Scale } from "../core/scale";
import type { ProgressCallback, TrialRecord } from "../core/types";
import { loadDataset, type DatasetName } from "../data";
import { RunStore, type RunSummary } from "../store/run-store";
import { methodNamed } from "./methods";
import { writeRunReport } from "./run-report";

export interface SearchRequest {
  readonly method: string;
  readonly dataset: DatasetName;
  readonly scale: Scale;
  readonly seed: number;
  readonly out: string;
}

export interface SearchProgress {
  /** Trials finished out of the budget. */
  readonly onTrials?: ProgressCallback;
  /** Bytes of a dataset download. */
  readonly onDownload?: ProgressCallback;
  readonly log?: (line: string) => void;
}

export interface SearchOptions extends SearchProgress {
  /**
   * Train the best genotype again and score it on the test split (default true). A notebook that
   * compares several runs turns this off and tests only the overall winner, once.
   */
  readonly testBest?: boolean;
}

export interface SearchResult {
  readonly summary: RunSummary;
  readonly trials: TrialRecord[];
  readonly store: RunStore;
}

export async function runSearch(request: SearchRequest, progress: SearchOptions = {}): Promise<SearchResult> {
  const start = performance.now();
  const log = progress.log ?? (() => {});
  const method = methodNamed(request.method);
  const backend = await initBackend();
  const { method: name, dataset, scale, seed } = request;
  const store = RunStore.open(request.out, { method: name, dataset, scale, seed, ...method.settings(scale) });
  // Wall time is additive across sessions, not across trials (workers train several at once).
  const earlierSeconds = store.readSummary()?.wallSeconds ?? 0;
  const splits = await loadDataset(dataset, { seed, ...method.dataSizes(scale), onProgress: progress.onDownload });
  log(`${method.description}: ${dataset} at ${scale} scale, seed ${seed}, backend ${backend.name}`);
  const outcome = await method.run({ dataset, scale, seed, splits, store, onProgress: progress.onTrials ?? (() => {}) });
  const best = bestTrial(outcome.trials);
  const testBest = progress.testBest ?? true;
  if (best) log(`best: trial ${best.id}, validation accuracy ${best.metrics?.validAccuracy.toFixed(4)}${testBest ? "; testing it once" : ""}`);
  const testAccuracy = best && testBest ? await outcome.finalTest(best) : null;
  const summary: RunSummary = {
    method: name,
    dataset,
    scale,
    seed,
    backend: backend.name,
    wallSeconds: earlierSeconds + (performance.now() - start) / 1000,
    trials: {
      ok: outcome.trials.filter((t) => t.status === "ok").length,
      failed: outcome.trials.filter((t) => t.status === "failed").length,
    },
    best: best && { id: best.id, genotype: best.genotype, validAccuracy: best.metrics?.validAccuracy ?? 0, testAccuracy },
  };
  store.writeSummary(summary);
  writeRunReport(store, summary, outcome.trials);
  return { summary, trials: outcome.trials, store };
}

/** The trial with the highest validation accuracy (the lowest id among ties); null if none succeeded. */
export function bestTrial(trials: readonly TrialRecord[]): TrialRecord | null {
  let best: TrialRecord | null = null;
  for (const t of trials) {
    if (t.status !== "ok" || !t.metrics) continue;
    if (!best || t.metrics.validAccuracy > (best.metrics?.validAccuracy ?? -1)) best = t;
  }
  return best;
}
