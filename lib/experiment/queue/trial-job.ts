/**
 * One trial as a queue job: plain JSON that a worker on another machine turns into the same
 * training a local worker thread would run. The coordinator writes it, Redis keeps it, a worker
 * reads it back, so it is checked field by field on the way in (errors name the field).
 *
 *   job id = "<run>-<trial>",  run = sha256(config.json, evaluation, backend)[0:16]
 *
 * The run's id is a digest of everything that fixes its trials' results, so two searches
 * sharing a queue never take each other's jobs, while a re-run of the same run (a coordinator
 * killed and started again) finds the jobs it submitted before, finished or not.
 */
import { createHash } from "node:crypto";
import { BACKEND_NAMES, type BackendName } from "../../backend/select";
import { NasbookError } from "../../core/errors";
import { canonicalJson, toJson } from "../../core/json";
import type { Json } from "../../core/types";
import { isRecord } from "../../core/validate";
import { DATASET_NAMES } from "../../data";
import type { EvaluationJob } from "../worker-pool";

/** Every job of every run goes on this one queue; the job id says whose it is. */
export const QUEUE_NAME = "nasbook-trials";
export const JOB_NAME = "train";

export interface TrialJob {
  /** The run's id (see the header): digest of its config, evaluation and backend. */
  readonly run: string;
  readonly trial: number;
  /** What to train with: space spec, dataset and split, fidelity, hyperparameters. */
  readonly evaluation: EvaluationJob;
  /** The coordinator's backend, forced on the worker: another backend would round differently. */
  readonly backend: BackendName;
  readonly genotype: Json;
  /** The trial's training seed (trialSeed(run seed, trial)). */
  readonly seed: number;
}

export function runId(config: Json, evaluation: EvaluationJob, backend: BackendName): string {
  const digest = createHash("sha256").update(canonicalJson(toJson({ config, evaluation, backend })));
  return digest.digest("hex").slice(0, 16);
}

/** BullMQ refuses custom ids that are integers or hold ":". */
export function jobId(run: string, trial: number): string {
  return `${run}-${trial}`;
}

function fail(field: string, problem: string): never {
  throw new NasbookError(`Invalid queue job: ${field} ${problem}.`);
}

function integer(value: unknown, field: string, min: number): number {
  if (!Number.isSafeInteger(value) || (value as number) < min) fail(field, `must be an integer of at least ${min}, got ${JSON.stringify(value)}`);
  return value as number;
}

function optionalInteger(record: Record<string, unknown>, key: string, field: string, min: number): void {
  if (record[key] !== undefined) integer(record[key], `${field}.${key}`, min);
}

function object(value: unknown, field: string): Record<string, unknown> {
  if (!isRecord(value)) fail(field, `must be an object, got ${JSON.stringify(value)}`);
  return value;
}

function validateEvaluation(value: unknown): EvaluationJob {
  const evaluation = object(value, "evaluation");
  const space = object(evaluation.space, "evaluation.space");
  if (typeof space.kind !== "string") fail("evaluation.space.kind", `must be a space's name, got ${JSON.stringify(space.kind)}`);
  if (space.options === undefined) fail("evaluation.space.options", "is missing");
  if (!(DATASET_NAMES as readonly unknown[]).includes(evaluation.dataset)) {
    fail("evaluation.dataset", `must be one of ${DATASET_NAMES.join(", ")}, got ${JSON.stringify(evaluation.dataset)}`);
  }
  const data = object(evaluation.data, "evaluation.data");
  integer(data.seed, "evaluation.data.seed", 0);
  for (const key of ["trainSize", "testSize", "downsample"]) optionalInteger(data, key, "evaluation.data", 1);
  optionalInteger(data, "validSize", "evaluation.data", 0);
  const fidelity = object(evaluation.fidelity, "evaluation.fidelity");
  integer(fidelity.epochs, "evaluation.fidelity.epochs", 1);
  integer(fidelity.batchSize, "evaluation.fidelity.batchSize", 1);
  optionalInteger(fidelity, "trainSubset", "evaluation.fidelity", 1);
  if (fidelity.widthMultiplier !== undefined && !(typeof fidelity.widthMultiplier === "number" && fidelity.widthMultiplier > 0)) {
    fail("evaluation.fidelity.widthMultiplier", `must be a positive number, got ${JSON.stringify(fidelity.widthMultiplier)}`);
  }
  if (evaluation.hyperparameters !== undefined) object(evaluation.hyperparameters, "evaluation.hyperparameters");
  if (evaluation.benchmarkTest !== undefined && typeof evaluation.benchmarkTest !== "boolean") {
    fail("evaluation.benchmarkTest", `must be true or false, got ${JSON.stringify(evaluation.benchmarkTest)}`);
  }
  return evaluation as unknown as EvaluationJob;
}

/**
 * Checks untrusted job data; throws a NasbookError naming the first bad field. The genotype is
 * checked by its space where it is trained, as every evaluation checks it.
 */
export function validateTrialJob(value: unknown): TrialJob {
  const job = object(value, "the job's data");
  if (typeof job.run !== "string" || !/^[0-9a-f]{16}$/.test(job.run)) fail("run", `must be a run id (16 hex digits), got ${JSON.stringify(job.run)}`);
  integer(job.trial, "trial", 0);
  validateEvaluation(job.evaluation);
  if (!(BACKEND_NAMES as readonly unknown[]).includes(job.backend)) fail("backend", `must be one of ${BACKEND_NAMES.join(", ")}, got ${JSON.stringify(job.backend)}`);
  if (job.genotype === undefined) fail("genotype", "is missing");
  integer(job.seed, "seed", 0);
  return job as unknown as TrialJob;
}
