/** The figures every search notebook and report draws from trial records. */
import type { TrialRecord } from "../core/types";
import type { Figure, Trace } from "./plotly";

/** Trials of one search, named for the legend (e.g. "random, seed 1"). */
export interface TrialSeries {
  readonly name: string;
  readonly trials: readonly TrialRecord[];
}

function succeeded(trials: readonly TrialRecord[]): TrialRecord[] {
  return trials.filter((t) => t.status === "ok" && t.metrics);
}

/** Each trained network as a point: parameters (log scale) against validation accuracy. */
export function paramsVsAccuracyFigure(series: readonly TrialSeries[], title = "Parameters vs validation accuracy"): Figure {
  const data: Trace[] = series.map(({ name, trials }) => {
    const ok = succeeded(trials);
    return {
      type: "scatter",
      mode: "markers",
      name,
      x: ok.map((t) => t.metrics?.params),
      y: ok.map((t) => t.metrics?.validAccuracy),
      text: ok.map((t) => `trial ${t.id}`),
    };
  });
  return {
    data,
    layout: { title: { text: title }, xaxis: { title: { text: "parameters" }, type: "log" }, yaxis: { title: { text: "validation accuracy" } } },
  };
}

/** Best validation accuracy among the first n trials, for n = 1..budget (failed trials count as tried). */
export function bestSoFar(trials: readonly TrialRecord[]): number[] {
  let best: number | null = null;
  return [...trials]
    .sort((a, b) => a.id - b.id)
    .map((t) => {
      const accuracy = t.status === "ok" ? t.metrics?.validAccuracy : undefined;
      if (accuracy !== undefined && (best === null || accuracy > best)) best = accuracy;
      return best ?? Number.NaN;
    });
}

export function bestSoFarFigure(series: readonly TrialSeries[], title = "Best validation accuracy so far"): Figure {
  const data: Trace[] = series.map(({ name, trials }) => {
    const curve = bestSoFar(trials);
    return { type: "scatter", mode: "lines+markers", name, x: curve.map((_, i) => i + 1), y: curve };
  });
  return {
    data,
    layout: { title: { text: title }, xaxis: { title: { text: "trials" } }, yaxis: { title: { text: "best validation accuracy" } } },
  };
}
