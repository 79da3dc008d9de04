/**
 * One search, end to end, as the CLI runs it: choose the backend, open (or resume) the run
 * directory, load the data, run the method, test the best genotype once, write summary.json
 * and report.html. A run that finished before is read back instead. Notebooks call it too, so
 * both produce the same run directories.
 */
import { initBackend } from "../backend/select";
import type { Scale } from "../core/scale";
import type { ProgressCallback, TrialRecord } from "../core/types";
import { loadDataset, type DatasetName } from "../data";
import { RunStore, type RunSummary } from "../store/run-store";
import { methodNamed } from "./methods";
import { writeRunReport } from "./run-report";
import type { SearchMethod } from "./search-method";
import { bestTrial } from "./trial";

export interface SearchRequest {
  /** A method the CLI lists, by name, or any other (notebook 01's random search over the NAS-RL space). */
  readonly method: string | SearchMethod;
  readonly dataset: DatasetName;
  readonly scale: Scale;
  readonly seed: number;
  readonly out: string;
  /** `redis://HOST:PORT`: the trials train on that BullMQ queue's workers (`nasbook worker`). */
  readonly queue?: string;
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

/**
 * What a trial's "valid acc" is measured against: a child trained for a few steps scores near
 * chance, above or below it, and a reader should see where chance is.
 */
function chanceLine(labels: Int32Array, classes: number): string {
  const counts = new Array<number>(classes).fill(0);
  for (const label of labels) counts[label]++;
  const commonest = labels.length === 0 ? 0 : Math.max(...counts) / labels.length;
  return (
    `Validation accuracy is the fraction of the ${labels.length} validation images classified right: chance is 1/${classes} = ${(1 / classes).toFixed(3)}, ` +
    `always answering the commonest class scores ${commonest.toFixed(3)}.`
  );
}

export async function runSearch(request: SearchRequest, progress: SearchOptions = {}): Promise<SearchResult> {
  const start = performance.now();
  const log = progress.log ?? (() => {});
  const method = typeof request.method === "string" ? methodNamed(request.method) : request.method;
  const backend = await initBackend();
  const { dataset, scale, seed } = request;
  const name = method.name;
  const scaled = method.at(scale);
  const store = RunStore.open(request.out, { method: name, dataset, scale, seed, ...scaled.settings });
  const testBest = progress.testBest ?? true;
  const finished = store.readSummary();
  // A finished run is read back, not run again: its winner was tested already (the test split is opened once) and its wall time stays.
  if (finished && (!testBest || finished.best === null || finished.best.testAccuracy !== null)) {
    log(`${store.dir} holds a finished ${name} run (summary.json): nothing to train or test again.`);
    return { summary: finished, trials: store.trials(), store };
  }
  // Wall time is additive across sessions, not across trials (workers train several at once).
  const earlierSeconds = finished?.wallSeconds ?? 0;
  const splits = await loadDataset(dataset, { seed, ...scaled.data, onProgress: progress.onDownload });
  log(`${method.description}: ${dataset} at ${scale} scale, seed ${seed}, backend ${backend.name}`);
  log(chanceLine(splits.valid.labels, splits.info.numClasses));
  const outcome = await scaled.run({ dataset, seed, splits, store, onProgress: progress.onTrials ?? (() => {}), queue: request.queue });
  const best = bestTrial(outcome.trials);
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
  writeRunReport(store, summary, outcome.trials, scaled.reportSections?.({ store, trials: outcome.trials, info: splits.info }));
  return { summary, trials: outcome.trials, store };
}
