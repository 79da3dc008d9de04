/**
 * The multi-trial loop, in rounds of `round` candidates: ask them all, evaluate them (several at
 * once when the evaluator is a worker pool), then append and tell them in id order. The round
 * size is a run setting: it decides what the strategy has been told when it proposes, so the
 * same seed and round give the same trials whether 1 or k evaluations run at once. Trials
 * already in the store are replayed through ask/tell instead of being trained again, so a killed
 * run resumes exactly where it stopped (the unfinished rest of a round is asked again). A
 * candidate that fails (NaN loss, out of memory, a crashed worker) is recorded as failed and the
 * search goes on.
 */
import { RunStoreError } from "../core/errors";
import { canonicalJson } from "../core/json";
import type { Candidate, Evaluator, Json, ProgressCallback, SearchSpace, Strategy, TrialRecord } from "../core/types";
import type { RunStore } from "../store/run-store";
import { outcomeOf, recordTrial, trialSeed } from "./trial";

/** An evaluator that may be given several candidates at once (a worker pool). */
export interface ConcurrentEvaluator<G extends Json> extends Evaluator<G> {
  /** How many evaluations it runs at once. */
  readonly concurrency: number;
}

export interface MultiTrialSearchOptions<G extends Json> {
  readonly space: SearchSpace<G>;
  readonly strategy: Strategy<G>;
  /** A plain evaluator runs one candidate at a time in this thread; a `ConcurrentEvaluator` up to its concurrency. */
  readonly evaluator: Evaluator<G> | ConcurrentEvaluator<G>;
  /** Where trials are appended and replayed from; none: the search runs in memory (many seeds against a table). */
  readonly store?: RunStore;
  /** Total number of trials, including those already stored. */
  readonly budget: number;
  /**
   * Also stop once the trials' training seconds add up to this (a search against a benchmark
   * table runs on the table's recorded time); replayed trials count.
   */
  readonly simulatedSeconds?: number;
  /** Run seed; each trial trains with a seed derived from it and the trial id. */
  readonly seed: number;
  /** Candidates asked before any of them is told (default 1: one at a time). Store it with the run's settings. */
  readonly round?: number;
  /** Called once per trial finished in this call (not for replayed ones). */
  readonly onTrial?: (record: TrialRecord<G>) => void;
  /** Progress in trials: (finished, budget, text). */
  readonly onProgress?: ProgressCallback;
}

/** Returns every trial of the run, replayed and new, in id order. */
export async function runMultiTrialSearch<G extends Json>(options: MultiTrialSearchOptions<G>): Promise<TrialRecord<G>[]> {
  const { strategy, store, onProgress } = options;
  const round = options.round ?? 1;
  if (!Number.isInteger(round) || round < 1) throw new RangeError(`round must be a positive integer, got ${round}`);
  const stored = storedInIdOrder(store?.trials<G>((genotype) => options.space.validate(genotype)) ?? []);
  const budget = Math.max(options.budget, stored.length);
  const records: TrialRecord<G>[] = [];
  onProgress?.(stored.length, budget, stored.length > 0 ? `resumed after ${stored.length} trials` : undefined);
  let spent = 0;
  const timeLeft = () => options.simulatedSeconds === undefined || spent < options.simulatedSeconds;
  while (records.length < budget && timeLeft()) {
    const candidates = Array.from({ length: Math.min(round, budget - records.length) }, () => strategy.ask());
    // Check the replayed part of the round before training anything.
    const replayed = candidates.filter((c) => c.id < stored.length).map((c) => checkedReplay(c, stored[c.id], strategy.name));
    const fresh = evaluateRound(candidates.slice(replayed.length), options);
    for (const [i, candidate] of candidates.entries()) {
      const record = i < replayed.length ? replayed[i] : await fresh[i - replayed.length];
      if (i >= replayed.length) store?.append(record);
      strategy.tell(candidate, outcomeOf(record));
      records.push(record);
      spent += record.metrics?.trainSeconds ?? 0;
      if (i < replayed.length) continue;
      options.onTrial?.(record);
      onProgress?.(records.length, budget, describeTrial(record));
    }
  }
  return records;
}

function storedInIdOrder<G extends Json>(stored: TrialRecord<G>[]): TrialRecord<G>[] {
  const byId = [...stored].sort((a, b) => a.id - b.id);
  byId.forEach((record, i) => {
    if (record.id !== i) throw new RunStoreError(`The run's trials.jsonl has no trial ${i} but has trial ${record.id}; it was edited or written by another tool.`);
  });
  return byId;
}

function checkedReplay<G extends Json>(candidate: Candidate<G>, record: TrialRecord<G>, strategy: string): TrialRecord<G> {
  if (candidate.id !== record.id || canonicalJson(candidate.genotype) !== canonicalJson(record.genotype)) {
    throw new RunStoreError(
      `Stored trial ${record.id} is not what strategy "${strategy}" proposes with this seed ` +
        `(stored ${JSON.stringify(record.genotype)}, proposed ${JSON.stringify(candidate.genotype)}); ` +
        `the run directory was written by another version of the code or another round size. Choose another --out directory.`,
    );
  }
  return record;
}

/**
 * Starts the round's evaluations, at most the evaluator's concurrency at once; results in
 * candidate order. Each of the `limit` lanes takes the next unstarted candidate as soon as it is
 * free (a work queue), so a lane that drew slow candidates does not leave the others idle. A
 * trial rejects only when the evaluator is unreachable; the lanes then stop starting trials.
 */
function evaluateRound<G extends Json>(candidates: Candidate<G>[], options: MultiTrialSearchOptions<G>): Promise<TrialRecord<G>>[] {
  const limit = "concurrency" in options.evaluator ? Math.max(1, options.evaluator.concurrency) : 1;
  const settle: Array<{ resolve: (record: TrialRecord<G>) => void; reject: (error: unknown) => void }> = [];
  const results = candidates.map(() => new Promise<TrialRecord<G>>((resolve, reject) => settle.push({ resolve, reject })));
  // The loop awaits the results in order and stops at the first rejection; the later ones are handled here.
  for (const result of results) result.catch(() => {});
  let next = 0;
  let stopped = false;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < candidates.length && !stopped; i = next++) {
      try {
        settle[i].resolve(await runTrial(candidates[i], options));
      } catch (error) {
        stopped = true;
        settle[i].reject(error);
      }
    }
  };
  for (let l = 0; l < Math.min(limit, candidates.length); l++) void lane();
  return results;
}

function runTrial<G extends Json>(candidate: Candidate<G>, options: MultiTrialSearchOptions<G>): Promise<TrialRecord<G>> {
  return recordTrial(candidate.id, candidate.genotype, () => {
    const genotype = options.space.validate(candidate.genotype);
    return options.evaluator.evaluate(genotype, { seed: trialSeed(options.seed, candidate.id), trial: candidate.id });
  });
}

function describeTrial(record: TrialRecord): string {
  if (record.status === "failed") return `trial ${record.id} failed: ${record.error ?? "unknown error"}`;
  return `trial ${record.id}: valid acc ${(record.metrics?.validAccuracy ?? 0).toFixed(3)}`;
}
