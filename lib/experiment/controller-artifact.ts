/**
 * controller.json: what a controller method (NAS-RL's REINFORCE, NASNet's PPO) learned, its
 * per-decision probabilities after each update, kept in the run directory for the notebooks'
 * heatmaps. Written once the search is done; replaying the trials rebuilds the same updates.
 */
import { RunStoreError } from "../core/errors";
import { toJson } from "../core/json";
import type { Decision } from "../core/types";
import type { RunStore } from "../store/run-store";
import type { ControllerUpdate } from "../strategies/controller/reinforce";

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
