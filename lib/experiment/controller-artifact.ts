/**
 * controller.json: what a controller method (NAS-RL's REINFORCE, NASNet's PPO) learned, its
 * per-decision probabilities after each update, kept in the run directory for the notebooks'
 * heatmaps and the run's report. Written once the search is done; replaying the trials
 * rebuilds the same updates.
 */
import { RunStoreError } from "../core/errors";
import { toJson } from "../core/json";
import { mean } from "../core/stats";
import type { Decision } from "../core/types";
import type { RunStore } from "../store/run-store";
import type { ControllerUpdate } from "../strategies/controller/reinforce";
import { controllerProbabilityFigure, rewardFigure, type ChoiceRow } from "../viz/controller-figures";
import type { ReportSection } from "../viz/report";

const CONTROLLER_ARTIFACT = "controller.json";

/** Writes the decisions' names and the controller's updates so far. */
export function writeControllerUpdates(store: RunStore, space: { decisions(): Decision[] }, updates: readonly ControllerUpdate[]): void {
  const decisions = space.decisions().map((d) => d.name);
  store.writeArtifact(CONTROLLER_ARTIFACT, toJson({ decisions, updates }));
}

/** The controller's updates as a finished controller run (nas-rl, nasnet-ppo) kept them. */
export function controllerUpdates(store: RunStore): ControllerUpdate[] {
  const artifact = store.readArtifact(CONTROLLER_ARTIFACT) as unknown as { updates: ControllerUpdate[] } | null;
  if (!artifact) throw new RunStoreError(`${store.path(CONTROLLER_ARTIFACT)} is missing: ${store.dir} is not a finished controller run (nas-rl, nasnet-ppo).`);
  return artifact.updates;
}

/**
 * The report's section on the controller: the probability of every choice (`rows`) after each
 * update, and each batch's mean reward against the baseline. `reward` says what the reward is,
 * since it need not be the validation accuracy the trials list (NAS-RL's is its cube).
 */
export function controllerReportSection(store: RunStore, rows: readonly ChoiceRow[], reward: string): ReportSection {
  const updates = controllerUpdates(store);
  const last = updates[updates.length - 1];
  const summary = last
    ? `${updates.length} controller updates over ${last.told} architectures; the last batch's mean reward ${mean(last.rewards).toFixed(4)} against a baseline of ${last.baseline.toFixed(4)}.`
    : "The controller was never updated (fewer architectures than one batch).";
  return {
    heading: "Controller",
    text: `${summary} The reward is ${reward}.`,
    figures: [controllerProbabilityFigure(updates, rows), rewardFigure([{ name: `seed ${store.config.seed}`, updates }], reward)],
  };
}
