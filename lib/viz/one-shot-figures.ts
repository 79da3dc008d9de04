/**
 * The figures of a one-shot search (DARTS, GDAS): softmax(alpha) per edge and op, at the end and
 * over the epochs, and the search's losses and supernet accuracy per epoch. Written against the
 * plain data a search records (alphas.json), so a notebook and a run's report draw the same.
 */
import type { Figure, Trace } from "./plotly";

/** softmax(alpha) of every alpha, by name ("normal", "reduce"; NAS-Bench-201: "cell"), [edge][op], after `epoch` epochs. */
export type AlphaWeights<K extends string> = Readonly<Record<K, readonly (readonly number[])[]>> & { readonly epoch: number };

/** What the heatmaps need to name their rows: the alphas to draw, each edge's name and the ops, in alpha column order. */
export interface AlphaLayout<K extends string> {
  readonly alphas: readonly K[];
  readonly edges: readonly string[];
  readonly ops: readonly string[];
}

/** Blue below the uniform weight 1/ops, white at it, red above. */
const DIVERGING = [
  [0, "#2166ac"],
  [0.5, "#ffffff"],
  [1, "#b2182b"],
];

/** The colour range, centred on the uniform weight and wide enough for every value drawn. */
function centredRange(values: readonly number[], ops: number) {
  const uniform = 1 / ops;
  const spread = Math.max(1e-6, ...values.map((v) => Math.abs(v - uniform)));
  return { zmid: uniform, zmin: uniform - spread, zmax: uniform + spread, colorscale: DIVERGING };
}

/** The alphas side by side: one x axis and one y axis per alpha, the first with the colour bar. */
function sideBySide<K extends string>(layout: AlphaLayout<K>, trace: (alpha: K) => Trace, title: string, xAxis: (alpha: K) => object, height: number): Figure {
  const n = layout.alphas.length;
  const gap = 0.12;
  const width = (1 - gap * (n - 1)) / n;
  const axes: Record<string, unknown> = {};
  const data = layout.alphas.map((alpha, i) => {
    const suffix = i === 0 ? "" : String(i + 1);
    axes[`xaxis${suffix}`] = { domain: [i * (width + gap), i * (width + gap) + width], ...xAxis(alpha), anchor: `y${suffix}` };
    axes[`yaxis${suffix}`] = { autorange: "reversed", anchor: `x${suffix}`, showticklabels: i === 0, tickfont: { size: 9 } };
    return { ...trace(alpha), name: alpha, xaxis: `x${suffix}`, yaxis: `y${suffix}`, showscale: i === 0 };
  });
  return { data, layout: { title: { text: title }, ...axes, height, margin: { l: 200 } } };
}

/** The last snapshot as an edge x op heatmap per alpha: which op each edge ended up favouring. */
export function finalAlphaFigure<K extends string>(history: readonly AlphaWeights<K>[], layout: AlphaLayout<K>, title = "softmax(α) per edge and operation at the end of the search"): Figure {
  const last = history[history.length - 1];
  const range = centredRange(layout.alphas.flatMap((a) => last[a].flat()), layout.ops.length);
  const trace = (alpha: K): Trace => ({ type: "heatmap", x: [...layout.ops], y: [...layout.edges], z: last[alpha].map((row) => [...row]), ...range, colorbar: { title: { text: "softmax" } } });
  return sideBySide(layout, trace, `${title} (epoch ${last.epoch}; white = uniform 1/${layout.ops.length})`, (alpha) => ({ title: { text: `operation (${alpha})` } }), 200 + 22 * layout.edges.length);
}

/** Every (edge, op) as a row, every snapshot as a column: how the weights moved, epoch 0 being the initialisation. */
export function alphaHistoryFigure<K extends string>(history: readonly AlphaWeights<K>[], layout: AlphaLayout<K>, title = "softmax(α) per edge and operation over the epochs"): Figure {
  const rows = layout.edges.flatMap((edge) => layout.ops.map((op) => `${edge}: ${op}`));
  const ops = layout.ops.length;
  const z = (alpha: K) => rows.map((_, r) => history.map((snapshot) => snapshot[alpha][Math.floor(r / ops)][r % ops]));
  const range = centredRange(layout.alphas.flatMap((a) => z(a).flat()), ops);
  const epochs = history.map((snapshot) => snapshot.epoch);
  const trace = (alpha: K): Trace => ({ type: "heatmap", x: epochs, y: rows, z: z(alpha), ...range, colorbar: { title: { text: "softmax" } } });
  return sideBySide(layout, trace, title, (alpha) => ({ title: { text: `epoch (${alpha})` }, dtick: 1 }), 200 + 9 * rows.length);
}

/** What a search records per epoch (the search's EpochRecord, in part). */
export interface SearchEpoch {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly validLoss: number;
  readonly supernetAccuracy: number;
}

/** Mean train (w step) and valid (alpha step) loss per epoch, against ln(classes), the loss of a uniform guess. */
export function searchLossFigure(epochs: readonly SearchEpoch[], classes: number, title = "Search losses per epoch"): Figure {
  const x = epochs.map((e) => e.epoch);
  return {
    data: [
      { type: "scatter", mode: "lines+markers", name: "train loss (w steps)", x, y: epochs.map((e) => e.trainLoss) },
      { type: "scatter", mode: "lines+markers", name: "valid loss (α steps)", x, y: epochs.map((e) => e.validLoss), line: { dash: "dot" } },
      { type: "scatter", mode: "lines", name: `ln ${classes}: a uniform guess`, x, y: x.map(() => Math.log(classes)), line: { color: "#999", dash: "dash" } },
    ],
    layout: { title: { text: title }, xaxis: { title: { text: "epoch" }, dtick: 1 }, yaxis: { title: { text: "cross-entropy" } } },
  };
}

/** The supernet's accuracy on the search-validation half after each epoch, against chance (1 / classes). */
export function supernetAccuracyFigure(epochs: readonly SearchEpoch[], classes: number, title = "Supernet accuracy per epoch"): Figure {
  const x = epochs.map((e) => e.epoch);
  return {
    data: [
      { type: "scatter", mode: "lines+markers", name: "supernet accuracy", x, y: epochs.map((e) => e.supernetAccuracy) },
      { type: "scatter", mode: "lines", name: `chance (1/${classes})`, x, y: x.map(() => 1 / classes), line: { color: "#999", dash: "dash" } },
    ],
    layout: { title: { text: title }, xaxis: { title: { text: "epoch" }, dtick: 1 }, yaxis: { title: { text: "accuracy (search-validation half)" }, rangemode: "tozero" } },
  };
}
