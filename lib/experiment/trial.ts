/**
 * One trial, as every kind of method records it: its training seed, its record (`ok` with
 * metrics or `failed` with the error), the outcome a strategy is told, and the best of a run.
 */
import { EvaluatorUnavailableError } from "../core/errors";
import type { Json, Outcome, TrialMetrics, TrialRecord } from "../core/types";

/** A trial's training seed: fixed by the run seed and the trial id, whatever ran before it. */
export function trialSeed(runSeed: number, trialId: number): number {
  return (Math.imul(runSeed + 1, 1000003) + trialId * 7919) >>> 1;
}

/**
 * Runs one evaluation and records it: `ok` with its metrics, or `failed` with the error's message
 * (a failed candidate never stops a search). An unreachable evaluator is no failed candidate: it
 * is thrown, and the search stops with nothing recorded of the trial. `priorSeconds` is time
 * spent on the trial before (a DARTS search, for its derived cell).
 */
export async function recordTrial<G extends Json>(
  id: number,
  genotype: G,
  evaluate: () => Promise<TrialMetrics>,
  priorSeconds = 0,
): Promise<TrialRecord<G>> {
  const start = performance.now();
  const seconds = () => priorSeconds + (performance.now() - start) / 1000;
  try {
    const metrics = await evaluate();
    return { id, genotype, status: "ok", metrics, seconds: seconds() };
  } catch (error) {
    if (error instanceof EvaluatorUnavailableError) throw error;
    return { id, genotype, status: "failed", seconds: seconds(), error: error instanceof Error ? error.message : String(error) };
  }
}

/** What a strategy is told about a finished trial. */
export function outcomeOf(record: TrialRecord): Outcome {
  return record.status === "ok" ? { status: "ok", metrics: record.metrics } : { status: "failed" };
}

/** The trial with the highest validation accuracy (the lowest id among ties); null if none succeeded. */
export function bestTrial(trials: readonly TrialRecord[]): TrialRecord | null {
  let best: TrialRecord | null = null;
  for (const t of trials) {
    if (t.status !== "ok" || !t.metrics) continue;
    if (!best || t.metrics.validAccuracy > (best.metrics?.validAccuracy ?? -1)) best = t;
  }
  return best;
}
