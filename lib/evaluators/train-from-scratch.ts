/**
 * The standard evaluator: build the genotype's network with fresh weights, train it at the
 * chosen fidelity, and score it on the validation split. The test split is not reachable from
 * here except through `finalTest`, which opens it (once) for the chosen architecture, or when a
 * benchmark build hands it over: a table scores every cell on a test split no search reads.
 */
import { Rng } from "../core/random";
import type { EvaluationContext, Evaluator, Fidelity, Json, Network, SearchSpace, TrialMetrics } from "../core/types";
import type { DataSplits, Subset } from "../data";
import { measureLatency } from "./latency";
import { train, accuracy, type TrainingOptions } from "./training";

export type TrainingHyperparameters = Omit<TrainingOptions, "epochs" | "batchSize" | "seed" | "onProgress">;

/** What a benchmark build records of a cell beyond a search's metrics. */
export interface BenchmarkMetrics extends TrialMetrics {
  /** Mean training loss of each epoch. */
  trainLossHistory: number[];
  testAccuracy: number;
}

export class TrainFromScratch<G extends Json> implements Evaluator<G> {
  constructor(
    readonly space: SearchSpace<G>,
    readonly splits: DataSplits,
    readonly fidelity: Fidelity,
    readonly hyperparameters: TrainingHyperparameters = {},
    /** Benchmark builds only: every evaluation also scores this (opened) test split. */
    readonly benchmarkTest?: Subset,
  ) {}

  async evaluate(genotype: G, context: EvaluationContext): Promise<TrialMetrics | BenchmarkMetrics> {
    const rng = new Rng(context.seed);
    const network = this.build(genotype, rng);
    const trainSet = this.fidelity.trainSubset ? this.splits.train.take(this.fidelity.trainSubset) : this.splits.train;
    const start = performance.now();
    try {
      const history = train(network, { train: trainSet, valid: this.splits.valid }, this.trainingOptions(rng, context));
      const trainSeconds = (performance.now() - start) / 1000;
      const metrics: TrialMetrics = {
        validAccuracy: history.validAccuracy[history.validAccuracy.length - 1],
        validAccuracyHistory: history.validAccuracy,
        params: network.paramCount(),
        flops: 2 * network.macs(),
        latencyMs: measureLatency(network, this.splits.info.shape),
        trainSeconds,
      };
      if (!this.benchmarkTest) return metrics;
      const testAccuracy = accuracy(network, this.benchmarkTest, this.fidelity.batchSize);
      return { ...metrics, trainLossHistory: history.trainLoss, testAccuracy };
    } finally {
      network.dispose();
    }
  }

  /**
   * Trains the chosen genotype once more (the same epochs and batch size, a given seed, on the
   * whole training split even when the search used a `trainSubset`) and scores it on the test
   * split. Opens the test split, which a DataSplits allows only once.
   */
  async finalTest(genotype: G, seed: number, purpose: string): Promise<number> {
    const rng = new Rng(seed);
    const network = this.build(genotype, rng);
    try {
      train(network, { train: this.splits.train, valid: this.splits.valid }, this.trainingOptions(rng, { seed }));
      return accuracy(network, this.splits.test.open(purpose), this.fidelity.batchSize);
    } finally {
      network.dispose();
    }
  }

  private build(genotype: G, rng: Rng): Network {
    const { info } = this.splits;
    return this.space.build(genotype, info.shape, info.numClasses, rng, { widthMultiplier: this.fidelity.widthMultiplier });
  }

  private trainingOptions(rng: Rng, context: EvaluationContext): TrainingOptions {
    return {
      ...this.hyperparameters,
      epochs: this.fidelity.epochs,
      batchSize: this.fidelity.batchSize,
      seed: rng.seed(),
      onProgress: context.onProgress,
    };
  }
}
