/** The figures every search notebook and report draws from trial records. */
import { mean, std } from "../core/stats";
import type { TrialRecord } from "../core/types";
import { methodStyle } from "./palette";
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

/**
 * The best validation accuracy among the trials whose training seconds, added up in id order,
 * are at most t, for each t of `times` (NaN before the first success): best-so-far against
 * (simulated) time, NAS-Bench-201's x-axis, on a grid every run of a comparison shares.
 */
export function bestSoFarAtTimes(trials: readonly TrialRecord[], times: readonly number[]): number[] {
  const sorted = [...trials].sort((a, b) => a.id - b.id);
  const steps: Array<{ at: number; best: number }> = [];
  let spent = 0;
  let best = Number.NaN;
  for (const t of sorted) {
    spent += t.metrics?.trainSeconds ?? 0;
    const accuracy = t.status === "ok" ? t.metrics?.validAccuracy : undefined;
    if (accuracy !== undefined && !(accuracy <= best)) best = accuracy;
    steps.push({ at: spent, best });
  }
  let i = -1;
  return times.map((time) => {
    while (i + 1 < steps.length && steps[i + 1].at <= time) i++;
    return i < 0 ? Number.NaN : steps[i].best;
  });
}

export interface BandStyle {
  readonly color?: string;
  /** The band's fill, e.g. the line colour with some transparency; default Plotly's. */
  readonly fillColor?: string;
  /** Plotly line dash: "solid", "dash", "dot"... */
  readonly dash?: string;
  /** The band: "range" (min..max, default) or "std" (mean -/+ one standard deviation, for many seeds). */
  readonly band?: "range" | "std";
  /** The x of each curve's points; default 1, 2, 3... (trials). */
  readonly x?: readonly number[];
}

/**
 * One curve per seed as their mean line, named `name`, over a band (min..max, or one standard
 * deviation); toggling the line in the legend toggles its band. At each x, curves that are NaN
 * there (no value yet) are left out; where all are, so is the point.
 */
export function meanWithBand(name: string, curves: readonly (readonly number[])[], style: BandStyle = {}): Trace[] {
  const length = Math.max(0, ...curves.map((c) => c.length));
  const x = style.x ? [...style.x] : Array.from({ length }, (_, i) => i + 1);
  const at = (i: number) => curves.map((c) => c[i]).filter((v) => v !== undefined && !Number.isNaN(v));
  const summary = (f: (values: number[]) => number) => x.map((_, i) => (at(i).length === 0 ? Number.NaN : f(at(i))));
  const [upper, lower] = style.band === "std"
    ? [(v: number[]) => mean(v) + std(v), (v: number[]) => mean(v) - std(v)]
    : [(v: number[]) => Math.max(...v), (v: number[]) => Math.min(...v)];
  const band = { type: "scatter", mode: "lines", x, line: { width: 0 }, legendgroup: name, showlegend: false, hoverinfo: "skip" };
  return [
    { ...band, y: summary(upper) },
    { ...band, y: summary(lower), fill: "tonexty", ...(style.fillColor ? { fillcolor: style.fillColor } : {}) },
    { type: "scatter", mode: "lines", name, x, y: summary(mean), legendgroup: name, line: { color: style.color, dash: style.dash } },
  ];
}

/** Runs of one method (one trial list per seed), named for the legend. */
export interface MethodRuns {
  readonly name: string;
  readonly runs: readonly (readonly TrialRecord[])[];
}

/**
 * NAS-Bench-201's Figure 7: each method's best validation accuracy so far against the simulated
 * training time, the mean over its runs within one standard deviation, on `points` times from the
 * first to the shortest run's last (so every run counts at every point).
 */
export function bestSoFarVsTimeFigure(methods: readonly MethodRuns[], title = "Best validation accuracy so far", points = 100): Figure {
  const totals = methods.flatMap((m) => m.runs.map((trials) => trials.reduce((s, t) => s + (t.metrics?.trainSeconds ?? 0), 0)));
  const end = Math.min(...totals);
  const times = Array.from({ length: points }, (_, i) => (end * (i + 1)) / points);
  const data = methods.flatMap(({ name, runs }) =>
    meanWithBand(`${name} (${runs.length} runs)`, runs.map((trials) => bestSoFarAtTimes(trials, times)), { ...methodStyle(name), band: "std", x: times }),
  );
  return {
    data,
    layout: { title: { text: title }, xaxis: { title: { text: "simulated training seconds (from the table)" } }, yaxis: { title: { text: "best validation accuracy, mean ± std" } } },
  };
}

