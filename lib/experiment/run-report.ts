/** report.html for a run directory: what was run, the best genotype, and the search figures. */
import type { TrialRecord } from "../core/types";
import type { RunStore, RunSummary } from "../store/run-store";
import { writeReport } from "../viz/report";
import { bestSoFarFigure, paramsVsAccuracyFigure } from "../viz/search-figures";

export function writeRunReport(store: RunStore, summary: RunSummary, trials: readonly TrialRecord[]): void {
  const series = [{ name: summary.method, trials }];
  const best = summary.best;
  const outcome = best
    ? `Best: trial ${best.id}, validation accuracy ${best.validAccuracy.toFixed(4)}, test accuracy ${best.testAccuracy?.toFixed(4) ?? "n/a"} (measured once).`
    : "No trial succeeded.";
  writeReport(store.path("report.html"), {
    title: `nasbook: ${summary.method} on ${summary.dataset} (${summary.scale}, seed ${summary.seed})`,
    sections: [
      {
        heading: "Run",
        text: `${summary.trials.ok} trials succeeded, ${summary.trials.failed} failed, on the ${summary.backend} backend in ${summary.wallSeconds.toFixed(1)} s. ${outcome}`,
        tables: [{ data: [store.config], caption: "config.json" }],
      },
      { heading: "Search", figures: [paramsVsAccuracyFigure(series), bestSoFarFigure(series)] },
      { heading: "Trials", tables: [{ data: trials.map(trialRow), caption: "trials.jsonl" }] },
    ],
  });
}

function trialRow(t: TrialRecord): Record<string, unknown> {
  return {
    id: t.id,
    status: t.status,
    validAccuracy: t.metrics?.validAccuracy ?? null,
    params: t.metrics?.params ?? null,
    flops: t.metrics?.flops ?? null,
    latencyMs: t.metrics?.latencyMs ?? null,
    seconds: t.seconds,
    genotype: JSON.stringify(t.genotype),
    error: t.error ?? "",
  };
}
