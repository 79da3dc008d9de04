/**
 * The multi-trial loop: ask the strategy, evaluate, record, tell. Trials already in the store
 * are replayed through ask/tell instead of being trained again, so a killed run resumes exactly
 * where it stopped and the same seed gives the same sequence. A candidate that fails (NaN loss,
 * out of memory, invalid genotype) is recorded as failed and the search goes on.
 */
import { RunStoreError } from "../core/errors";
import type { Candidate, Evaluator, Json, Outcome, ProgressCallback, SearchSpace, Strategy, TrialRecord } from "../core/types";
import { canonicalJson, type RunStore } from "../store/run-store";

export interface BlackBoxSearchOptions<G extends Json> {
  readonly space: SearchSpace<G>;
  readonly strategy: Strategy<G>;
  readonly evaluator: Evaluator<G>;
  readonly store: RunStore;
  /** Total number of trials, including those already stored. */
  readonly budget: number;
  /** Run seed; each trial trains with a seed derived from it and the trial id. */
  readonly seed: number;
  /** Called once per trial finished in this call (not for replayed ones). */
  readonly onTrial?: (record: TrialRecord<G>) => void;
  /** Progress in trials: (finished, budget, text). */
  readonly onProgress?: ProgressCallback;
}

/** Returns every trial of the run, replayed and new, in id order. */
export async function runBlackBoxSearch<G extends Json>(options: BlackBoxSearchOptions<G>): Promise<TrialRecord<G>[]> {
  const { strategy, store, budget, onProgress } = options;
  const records = replay(strategy, store.trials<G>());
  onProgress?.(records.length, budget, records.length > 0 ? `resumed after ${records.length} trials` : undefined);
  while (records.length < budget) {
    const candidate = strategy.ask();
    const record = await runTrial(candidate, options);
    store.append(record);
    strategy.tell(candidate, outcomeOf(record));
    records.push(record);
    options.onTrial?.(record);
    onProgress?.(records.length, budget, describeTrial(record));
  }
  return records;
}

function replay<G extends Json>(strategy: Strategy<G>, stored: TrialRecord<G>[]): TrialRecord<G>[] {
  const byId = [...stored].sort((a, b) => a.id - b.id);
  for (const record of byId) {
    const candidate = strategy.ask();
    if (candidate.id !== record.id || canonicalJson(candidate.genotype) !== canonicalJson(record.genotype)) {
      throw new RunStoreError(
        `Stored trial ${record.id} is not what strategy "${strategy.name}" proposes with this seed ` +
          `(stored ${JSON.stringify(record.genotype)}, proposed ${JSON.stringify(candidate.genotype)}); ` +
          `the run directory was written by another version of the code. Choose another --out directory.`,
      );
    }
    strategy.tell(candidate, outcomeOf(record));
  }
  return byId;
}

async function runTrial<G extends Json>(candidate: Candidate<G>, options: BlackBoxSearchOptions<G>): Promise<TrialRecord<G>> {
  const start = performance.now();
  const seconds = () => (performance.now() - start) / 1000;
  try {
    const genotype = options.space.validate(candidate.genotype);
    const metrics = await options.evaluator.evaluate(genotype, { seed: trialSeed(options.seed, candidate.id) });
    return { id: candidate.id, genotype: candidate.genotype, status: "ok", metrics, seconds: seconds() };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { id: candidate.id, genotype: candidate.genotype, status: "failed", seconds: seconds(), error: message };
  }
}

/** A trial's training seed: fixed by the run seed and the trial id, whatever ran before it. */
export function trialSeed(runSeed: number, trialId: number): number {
  return (Math.imul(runSeed + 1, 1000003) + trialId * 7919) >>> 1;
}

export function outcomeOf(record: TrialRecord): Outcome {
  return record.status === "ok" ? { status: "ok", metrics: record.metrics } : { status: "failed" };
}

function describeTrial(record: TrialRecord): string {
  if (record.status === "failed") return `trial ${record.id} failed: ${record.error ?? "unknown error"}`;
  return `trial ${record.id}: valid acc ${(record.metrics?.validAccuracy ?? 0).toFixed(3)}`;
}
