/**
 * An evaluator that looks candidates up in a benchmark table instead of training them. It returns
 * what training would have: the stored validation accuracy (after a chosen epoch, so
 * multi-fidelity methods can ask for less) and the stored training time as the trial's simulated
 * cost. Cells trained with several seeds answer with the run the trial's seed picks, so repeated
 * searches see the table's seed noise. Test accuracies never leave through `evaluate`: like a
 * `SealedTest`, `finalTest` opens them once, for the chosen architecture.
 */
import { NasbookError } from "../core/errors";
import type { EvaluationContext, Evaluator, Json, TrialMetrics } from "../core/types";
import type { BenchmarkTable } from "../benchmarks/table";

export interface TabularOptions {
  /** The epoch (1-based) whose validation accuracy is returned; default the table's last. */
  readonly epoch?: number;
}

export class TabularEvaluator<G extends Json> implements Evaluator<G> {
  readonly #table: BenchmarkTable<G>;
  readonly epoch: number;
  #testOpenedFor: string | null = null;

  constructor(table: BenchmarkTable<G>, options: TabularOptions = {}) {
    this.#table = table;
    this.epoch = options.epoch ?? table.epochs;
    if (!Number.isInteger(this.epoch) || this.epoch < 1 || this.epoch > table.epochs) {
      throw new NasbookError(`TabularEvaluator epoch must be an integer from 1 to ${table.epochs} (the table's epochs); got ${options.epoch}.`);
    }
  }

  /** The table's name, for config files and reports. */
  get table(): string {
    return this.#table.name;
  }

  async evaluate(genotype: G, context: EvaluationContext): Promise<TrialMetrics> {
    const entry = this.#table.entry(genotype);
    const run = entry.runs[context.seed % entry.runs.length];
    const history = run.validAccuracy.slice(0, this.epoch);
    return {
      validAccuracy: history[history.length - 1],
      validAccuracyHistory: history,
      params: entry.params,
      flops: entry.flops,
      latencyMs: entry.latencyMs,
      // Simulated: what training to this epoch cost when the table was built.
      trainSeconds: (run.trainSeconds * this.epoch) / this.#table.epochs,
    };
  }

  /** The chosen cell's test accuracy (mean over its runs), as a table lookup; opens the test column once. */
  async finalTest(genotype: G, purpose: string): Promise<number> {
    if (this.#testOpenedFor !== null) {
      throw new NasbookError(
        `The ${this.#table.name} test accuracies were already opened for "${this.#testOpenedFor}"; opening them again ` +
          `for "${purpose}" would let results tuned on them pass as test results.`,
      );
    }
    this.#testOpenedFor = purpose;
    return this.#table.accuracy(this.#table.entry(genotype), "test");
  }
}
