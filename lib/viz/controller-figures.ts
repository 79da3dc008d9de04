/**
 * The figures of a controller search (NAS-RL's REINFORCE, NASNet's PPO), from the updates it
 * kept (controller.json): the probability of every choice after each update, and the reward of
 * each batch against the baseline it was compared with.
 */
import { mean } from "../core/stats";
import type { Decision } from "../core/types";
import { methodStyle } from "./palette";
import type { Figure, Trace } from "./plotly";

/** One controller update, as controller.json keeps it (the controller's ControllerUpdate, in part). */
export interface UpdateRecord {
  /** Architectures told so far, this batch included (ENAS: the epoch). */
  readonly told: number;
  readonly rewards: readonly number[];
  readonly baseline: number;
  /** [decision][choice]: the batch's mean sampling distribution (anchors: [no, yes]). */
  readonly probabilities: readonly (readonly number[])[];
}

/** One heatmap row: choice `choice` of decision `decision`. */
export interface ChoiceRow {
  readonly name: string;
  readonly decision: number;
  readonly choice: number;
}

/** A row per choice of each decision, named by `labels[decision][choice]` (default its index); an anchor's one row is its "yes". */
export function choiceRows(decisions: readonly Decision[], labels: readonly (readonly string[])[] = []): ChoiceRow[] {
  return decisions.flatMap((d, k) =>
    d.kind === "anchor"
      ? [{ name: `${d.name}: yes`, decision: k, choice: 1 }]
      : Array.from({ length: d.choices }, (_, c) => ({ name: `${d.name} = ${labels[k]?.[c] ?? c}`, decision: k, choice: c })),
  );
}

/** Each row a choice, each column an update, coloured by the probability the controller gave it. */
export function controllerProbabilityFigure(updates: readonly UpdateRecord[], rows: readonly ChoiceRow[], title = "Controller probabilities per decision", xTitle = "architectures told"): Figure {
  return {
    data: [
      {
        type: "heatmap",
        x: updates.map((u) => u.told),
        y: rows.map((r) => r.name),
        z: rows.map((r) => updates.map((u) => u.probabilities[r.decision][r.choice])),
        zmin: 0,
        zmax: 1,
        colorscale: "Viridis",
        colorbar: { title: { text: "p" } },
      },
    ],
    layout: {
      title: { text: title },
      xaxis: { title: { text: xTitle } },
      yaxis: { autorange: "reversed", tickfont: { size: 9 } },
      height: Math.max(400, 120 + 14 * rows.length),
      margin: { l: 220 },
    },
  };
}

/** A controller run's updates, named for the legend (e.g. "seed 1"). */
export interface ControllerRun {
  readonly name: string;
  readonly updates: readonly UpdateRecord[];
}

/**
 * Per run, the mean reward of each batch (solid) and the baseline b its advantages R - b were
 * taken against (dotted), in one colour per run; `reward` says what the reward is.
 */
export function rewardFigure(runs: readonly ControllerRun[], reward: string, title = "Reward per controller batch, and the baseline", xTitle = "architectures told"): Figure {
  const data: Trace[] = runs.flatMap(({ name, updates }) => {
    const { color } = methodStyle(name);
    const x = updates.map((u) => u.told);
    return [
      { type: "scatter", mode: "lines+markers", name: `mean reward, ${name}`, legendgroup: name, x, y: updates.map((u) => mean(u.rewards)), line: { color } },
      { type: "scatter", mode: "lines", name: `baseline b, ${name}`, legendgroup: name, x, y: updates.map((u) => u.baseline), line: { color, dash: "dot" } },
    ];
  });
  return {
    data,
    layout: { title: { text: `${title} (reward: ${reward})` }, xaxis: { title: { text: xTitle } }, yaxis: { title: { text: "reward" } } },
  };
}
