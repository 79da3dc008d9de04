/**
 * A line of trials.jsonl read back: replayed trials steer a resumed search (an accuracy of 99
 * would become its best trial), so every field is checked against the record's schema, and a
 * bad one is named with its file and line.
 */
import { GenotypeError, RunStoreError } from "../core/errors";
import { isRecord } from "../core/validate";
import type { Json, TrialRecord } from "../core/types";

type Check = (value: unknown, field: string) => void;

const METRICS: Record<string, Check> = {
  validAccuracy: (v, f) => number(v, f, 0, 1),
  validAccuracyHistory: (v, f) => list(v, f, (x, g) => number(x, g, 0, 1)),
  params: (v, f) => number(v, f, 0, Infinity),
  flops: (v, f) => number(v, f, 0, Infinity),
  latencyMs: (v, f) => number(v, f, 0, Infinity),
  trainSeconds: (v, f) => number(v, f, 0, Infinity),
};

function fail(field: string, problem: string): never {
  throw new RunStoreError(`${field} ${problem}`);
}

function number(value: unknown, field: string, min: number, max: number): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    fail(field, `must be a number in [${min}, ${max === Infinity ? "inf" : max}], got ${JSON.stringify(value)}`);
  }
}

function spaceChecked<G>(genotype: unknown, validateGenotype: (genotype: unknown) => G): G {
  try {
    return validateGenotype(genotype);
  } catch (e) {
    if (e instanceof GenotypeError) fail("genotype", `is not in this run's space (${e.message})`);
    throw e;
  }
}

function list(value: unknown, field: string, each: Check): void {
  if (!Array.isArray(value)) fail(field, `must be a list, got ${JSON.stringify(value)}`);
  (value as unknown[]).forEach((x, i) => each(x, `${field}[${i}]`));
}

/**
 * `value` as a TrialRecord, or a RunStoreError naming `where` (file and line) and the field; with
 * `validateGenotype` (the space's door) the genotype is checked too, and comes back as it returns it.
 */
export function validateTrialRecord<G extends Json>(value: unknown, where: string, validateGenotype?: (genotype: unknown) => G): TrialRecord<G> {
  try {
    if (!isRecord(value)) fail("the line", "must be a JSON object (a trial record)");
    const { id, genotype, status, metrics, seconds, error } = value;
    if (!Number.isInteger(id) || (id as number) < 0) fail("id", `must be a non-negative integer, got ${JSON.stringify(id)}`);
    if (genotype === undefined) fail("genotype", "is missing");
    if (status !== "ok" && status !== "failed") fail("status", `must be "ok" or "failed", got ${JSON.stringify(status)}`);
    number(seconds, "seconds", 0, Infinity);
    if (status === "ok") {
      if (!isRecord(metrics)) fail("metrics", "must be an object for an ok trial");
      for (const [key, check] of Object.entries(METRICS)) check((metrics as Record<string, unknown>)[key], `metrics.${key}`);
    } else if (typeof error !== "string") fail("error", "must be a string for a failed trial");
    if (!validateGenotype) return value as unknown as TrialRecord<G>;
    return { ...(value as unknown as TrialRecord<G>), genotype: spaceChecked(genotype, validateGenotype) };
  } catch (e) {
    if (!(e instanceof RunStoreError)) throw e;
    throw new RunStoreError(`${where}: ${e.message}; the other lines are intact. Fix or remove that line to resume.`);
  }
}
