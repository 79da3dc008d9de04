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
import { NAO_PAPER_MODEL } from "../../strategies/nao/model";
import type { NaoSearchOptions } from "../../strategies/nao/search";

export interface TabularPreset {
  /** Trials per run. */
  readonly budget: number;
  readonly evolution: EvolutionOptions;
  /** The NAS-RL controller over the table's decisions; its reward is the validation accuracy. */
  readonly controller: Omit<ReinforceOptions, "reward">;
  /** NASNet's PPO controller over the same decisions, with the same reward. */
  readonly ppo: Omit<PpoOptions, "reward">;
  /** NAO's search over the same decisions, on the looked-up validation accuracy. */
  readonly nao: NaoSearchOptions;
  readonly reductions: string;
}

const { reward: _reward, ...nasRlController } = NASRL_CONTROLLER;
const { reward: _ppoReward, ...ppoController } = NASNET_CONTROLLER;

/** NAO on the table: rounds of 30 from the best 30 after 30 random cells, so 150 trials make four model rounds. */
const NAO_ON_TABLE: NaoSearchOptions = {
  model: NAO_PAPER_MODEL,
  initial: 30,
  perRound: 30,
  topK: 30,
  epochs: 20,
  batchSize: 50,
  lambda: 1,
  lambdaGrowth: 2,
  lambdaSteps: 8,
};

const PRESETS: Record<Scale, TabularPreset> = {
  smoke: {
    budget: 8,
    evolution: { populationSize: 4, sampleSize: 2 },
    controller: { ...nasRlController, batchSize: 2 },
    ppo: { ...ppoController, batchSize: 2 },
    nao: { ...NAO_ON_TABLE, model: { ...NAO_PAPER_MODEL, hiddenSize: 16, embeddingSize: 8, predictorUnits: 32 }, initial: 4, perRound: 2, topK: 2, epochs: 5, batchSize: 8 },
    reductions: "smoke: 8 trials, population 4, sample 2; NAO 4 random then rounds of 2, a model of 16 LSTM units trained 5 epochs a round",
  },
  quick: {
    budget: 150,
    evolution: { populationSize: 10, sampleSize: 3 },
    controller: { ...nasRlController, learningRate: 0.01 },
    ppo: { ...ppoController, learningRate: 0.01 },
    nao: NAO_ON_TABLE,
    reductions:
      "quick: 150 trials (NAS-Bench-201: 12,000 simulated seconds, about as many); controller Adam lr 0.01 (NAS-RL: 6e-4; NASNet's PPO: 3.5e-4); " +
      "NAO 30 random cells then rounds of 30 from the best 30, its model trained 20 epochs a round (carried over between rounds)",
  },
  paper: {
    budget: 150,
    evolution: { populationSize: 10, sampleSize: 3 },
    controller: { ...nasRlController, learningRate: 0.01 },
    ppo: { ...ppoController, learningRate: 0.01 },
    nao: NAO_ON_TABLE,
    reductions: "paper: as quick; the table, not the scale, sets the training",
  },
};

export function tabularPreset(scale: Scale): TabularPreset {
  return PRESETS[scale];
}
