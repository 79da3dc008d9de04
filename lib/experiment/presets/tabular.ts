/**
 * Multi-trial searches against a benchmark table, per scale. NAS-Bench-201 runs each method
 * hundreds of times under a fixed simulated-time budget; its REA keeps a population of 10 and
 * samples 3. A run's budget is in trials, or in simulated seconds (the table's recorded training
 * time) when one is given.
 */
import type { Scale } from "../../core/scale";
import type { EvolutionOptions } from "../../strategies/regularized-evolution";
import type { ReinforceOptions } from "../../strategies/controller/reinforce";
import { NASRL_CONTROLLER } from "../../strategies/controller/reinforce";
import { NASNET_CONTROLLER, type PpoOptions } from "../../strategies/controller/ppo";

export interface TabularPreset {
  /** Trials per run. */
  readonly budget: number;
  readonly evolution: EvolutionOptions;
  /** The NAS-RL controller over the table's decisions; its reward is the validation accuracy. */
  readonly controller: Omit<ReinforceOptions, "reward">;
  /** NASNet's PPO controller over the same decisions, with the same reward. */
  readonly ppo: Omit<PpoOptions, "reward">;
  readonly reductions: string;
}

const { reward: _reward, ...nasRlController } = NASRL_CONTROLLER;
const { reward: _ppoReward, ...ppoController } = NASNET_CONTROLLER;

const PRESETS: Record<Scale, TabularPreset> = {
  smoke: {
    budget: 8,
    evolution: { populationSize: 4, sampleSize: 2 },
    controller: { ...nasRlController, batchSize: 2 },
    ppo: { ...ppoController, batchSize: 2 },
    reductions: "smoke: 8 trials, population 4, sample 2",
  },
  quick: {
    budget: 150,
    evolution: { populationSize: 10, sampleSize: 3 },
    controller: { ...nasRlController, learningRate: 0.01 },
    ppo: { ...ppoController, learningRate: 0.01 },
    reductions: "quick: 150 trials (NAS-Bench-201: 12,000 simulated seconds, about as many); controller Adam lr 0.01 (NAS-RL: 6e-4; NASNet's PPO: 3.5e-4)",
  },
  paper: {
    budget: 150,
    evolution: { populationSize: 10, sampleSize: 3 },
    controller: { ...nasRlController, learningRate: 0.01 },
    ppo: { ...ppoController, learningRate: 0.01 },
    reductions: "paper: as quick; the table, not the scale, sets the training",
  },
};

export function tabularPreset(scale: Scale): TabularPreset {
  return PRESETS[scale];
}
