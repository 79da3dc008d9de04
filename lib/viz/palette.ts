/**
 * One colour per method in every figure and report, so that a reader who learns "evolution is
 * orange" in one notebook can read the next; random search, the baseline, is grey. A band takes
 * its line's colour, translucent.
 */
const METHOD_COLORS: Record<string, string> = {
  random: "#7f7f7f",
  evolution: "#ff7f0e",
  "nas-rl": "#d62728",
  controller: "#d62728",
  darts: "#1f77b4",
  darts2: "#9467bd",
  gdas: "#2ca02c",
  enas: "#8c564b",
  nao: "#e377c2",
  smash: "#17becf",
};

/** For names not above: the rest of Plotly's category10, by a hash of the name (stable across runs). */
const OTHERS = ["#bcbd22", "#393b79", "#637939", "#8c6d31", "#843c39"];

export interface MethodStyle {
  readonly color: string;
  /** The line colour at 15% opacity, for its band. */
  readonly fillColor: string;
}

function translucent(hex: string, alpha: number): string {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return `rgba(${r},${g},${b},${alpha})`;
}

export function methodStyle(method: string): MethodStyle {
  let hash = 0;
  for (const ch of method) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  const color = METHOD_COLORS[method] ?? OTHERS[hash % OTHERS.length];
  return { color, fillColor: translucent(color, 0.15) };
}
