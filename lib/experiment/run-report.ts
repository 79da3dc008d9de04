/**
 * report.html for a run directory: what was run (config.json as one setting per row), the best
 * genotype, the search figures of a multi-trial run, the sections the method adds from its own
 * artifacts (alpha heatmaps and cells, controller probabilities and rewards...), and the trials.
 */
import type { Json, TrialRecord } from "../core/types";
import type { RunStore, RunSummary } from "../store/run-store";
import { writeReport, type ReportSection } from "../viz/report";
import { bestSoFarFigure, paramsVsAccuracyFigure } from "../viz/search-figures";

export function writeRunReport(store: RunStore, summary: RunSummary, trials: readonly TrialRecord[], methodSections: readonly ReportSection[] = []): void {
  const series = [{ name: summary.method, trials }];
  const best = summary.best;
  const outcome = best
    ? `Best: trial ${best.id}, validation accuracy ${best.validAccuracy.toFixed(4)}, test accuracy ${best.testAccuracy?.toFixed(4) ?? "n/a"} (measured once).`
    : "No trial succeeded.";
  // One trial (a one-shot method's derived cell) makes a figure of one point: the method's own sections say more.
  const search: ReportSection[] = trials.length > 1 ? [{ heading: "Search", figures: [paramsVsAccuracyFigure(series), bestSoFarFigure(series)] }] : [];
  writeReport(store.path("report.html"), {
    title: `nasbook: ${summary.method} on ${summary.dataset} (${summary.scale}, seed ${summary.seed})`,
    sections: [
      {
        heading: "Run",
        text: `${summary.trials.ok} trials succeeded, ${summary.trials.failed} failed, on the ${summary.backend} backend in ${summary.wallSeconds.toFixed(1)} s. ${outcome}`,
        tables: [{ data: settingRows(store.config), caption: "config.json" }],
      },
      ...search,
      ...methodSections,
      { heading: "Trials", tables: [{ data: trials.map(trialRow), caption: "trials.jsonl" }] },
    ],
  });
}

/** Nested settings as one row each, named by their path ("search.alphaLr"); lists stay whole. */
export function settingRows(config: { readonly [key: string]: Json }, prefix = ""): Array<{ setting: string; value: Json }> {
  return Object.entries(config).flatMap(([key, value]) =>
    value !== null && typeof value === "object" && !Array.isArray(value)
      ? settingRows(value as { [key: string]: Json }, `${prefix}${key}.`)
      : [{ setting: `${prefix}${key}`, value }],
  );
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
