/**
 * The multi-trial methods against a benchmark table: the same strategies as on real training,
 * over the table's space, with NAS-Bench-201's settings where it has them (tabular preset).
 * Only the evaluator differs, so a method's effect shows over hundreds of seeds in seconds.
 */
import { UsageError } from "../../core/errors";
import { toJsonObject } from "../../core/json";
import type { Json, SearchSpace, Strategy } from "../../core/types";
import { NaoSearch, type NaoRound } from "../../strategies/nao/search";
import { PpoController } from "../../strategies/controller/ppo";
import { ReinforceController, type ControllerUpdate } from "../../strategies/controller/reinforce";
import { RandomSearch } from "../../strategies/random-search";
import { RegularizedEvolution } from "../../strategies/regularized-evolution";
import type { TabularPreset } from "../presets/tabular";

export const TABULAR_METHODS = ["random", "evolution", "nas-rl", "non-aging-evolution", "ppo", "nao"] as const;
export type TabularMethod = (typeof TABULAR_METHODS)[number];

export interface TabularStrategy {
  readonly strategy: Strategy<Json>;
  /** The method's own settings, for config.json. */
  readonly settings: { [key: string]: Json };
  /** NAS-RL: the controller's updates so far (what it learned). */
  readonly updates?: readonly ControllerUpdate[];
  /** NAO: its model rounds so far (how many decoded cells were invalid, repeated or new). */
  readonly rounds?: readonly NaoRound[];
  dispose(): void;
}

export function isTabularMethod(name: string): name is TabularMethod {
  return (TABULAR_METHODS as readonly string[]).includes(name);
}

export function tabularStrategy(method: string, space: SearchSpace<Json>, preset: TabularPreset, seed: number): TabularStrategy {
  if (!isTabularMethod(method)) throw new UsageError(`--benchmark runs the methods ${TABULAR_METHODS.join(", ")}; got "${method}".`);
  if (method === "random") return { strategy: new RandomSearch(space, seed), settings: {}, dispose: () => {} };
  if (method === "evolution") {
    return { strategy: new RegularizedEvolution(space, preset.evolution, seed), settings: { evolution: { ...preset.evolution } }, dispose: () => {} };
  }
  if (method === "non-aging-evolution") {
    const evolution = { ...preset.evolution, aging: false };
    return { strategy: new RegularizedEvolution(space, evolution, seed), settings: { evolution }, dispose: () => {} };
  }
  if (method === "ppo") {
    const controller = new PpoController(space, seed, { ...preset.ppo, reward: (metrics) => metrics.validAccuracy });
    return { strategy: controller, settings: { controller: toJsonObject(preset.ppo), reward: "validAccuracy" }, updates: controller.updates, dispose: () => controller.dispose() };
  }
  if (method === "nao") {
    const search = new NaoSearch(space, preset.nao, seed);
    return { strategy: search, settings: { search: toJsonObject(preset.nao) }, rounds: search.rounds, dispose: () => search.dispose() };
  }
  // NAS-Bench-201's REINFORCE rewards the validation accuracy itself.
  const controller = new ReinforceController(space, seed, { ...preset.controller, reward: (metrics) => metrics.validAccuracy });
  return { strategy: controller, settings: { controller: toJsonObject(preset.controller), reward: "validAccuracy" }, updates: controller.updates, dispose: () => controller.dispose() };
}
