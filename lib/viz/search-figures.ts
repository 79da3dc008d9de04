/** The figures every search notebook and report draws from trial records. */
import { mean } from "../core/stats";
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

/**
 * Mean validation accuracy of the k best among the first n trials, for n = 1..budget, in id order
 * (failed trials count as tried; NaN until k have succeeded). NASNet's Fig. 6 compares searches by it.
 */
export function topKSoFar(trials: readonly TrialRecord[], k: number): number[] {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  const best: number[] = [];
  return [...trials]
    .sort((a, b) => a.id - b.id)
    .map((t) => {
      const accuracy = t.status === "ok" ? t.metrics?.validAccuracy : undefined;
      if (accuracy !== undefined) {
        best.push(accuracy);
        best.sort((x, y) => y - x);
        best.length = Math.min(best.length, k);
      }
      return best.length < k ? Number.NaN : best.reduce((sum, v) => sum + v, 0) / k;
    });
}

/** Best validation accuracy among the first n trials, for n = 1..budget (failed trials count as tried). */
export function bestSoFar(trials: readonly TrialRecord[]): number[] {
  return topKSoFar(trials, 1);
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

export interface BandStyle {
  readonly color?: string;
  /** The band's fill, e.g. the line colour with some transparency; default Plotly's. */
  readonly fillColor?: string;
  /** Plotly line dash: "solid", "dash", "dot"... */
  readonly dash?: string;
}

/**
 * One curve per seed as their mean line, named `name`, over a min..max band; toggling the line
 * in the legend toggles its band. At each x, curves that are NaN there (no value yet) are left
 * out; where all are, so is the point.
 */
export function meanWithBand(name: string, curves: readonly (readonly number[])[], style: BandStyle = {}): Trace[] {
  const length = Math.max(0, ...curves.map((c) => c.length));
  const x = Array.from({ length }, (_, i) => i + 1);
  const at = (i: number) => curves.map((c) => c[i]).filter((v) => v !== undefined && !Number.isNaN(v));
  const summary = (f: (values: number[]) => number) => x.map((_, i) => (at(i).length === 0 ? Number.NaN : f(at(i))));
  const band = { type: "scatter", mode: "lines", x, line: { width: 0 }, legendgroup: name, showlegend: false, hoverinfo: "skip" };
  return [
    { ...band, y: summary((v) => Math.max(...v)) },
    { ...band, y: summary((v) => Math.min(...v)), fill: "tonexty", ...(style.fillColor ? { fillcolor: style.fillColor } : {}) },
    { type: "scatter", mode: "lines", name, x, y: summary(mean), legendgroup: name, line: { color: style.color, dash: style.dash } },
  ];
}
