/**
 * Entry point of one evaluation worker thread (started by `WorkerPool`). It rebuilds the search
 * space and the evaluator from the plain `EvaluationJob` it was started with, on its own backend
 * instance, over the parent's shared splits when it was given them (else it loads the dataset),
 * then answers one `EvaluationRequest` at a time.
 */
import { parentPort, workerData } from "node:worker_threads";
import { initBackend } from "../backend/select";
import { NasbookError } from "../core/errors";
import type { Json, TrialMetrics } from "../core/types";
import { loadDataset, splitsFromShared } from "../data";
import { TrainFromScratch } from "../evaluators/train-from-scratch";
import { spaceFromSpec } from "../spaces/registry";
import type { EvaluationJob, EvaluationReply, EvaluationRequest, WorkerSetup } from "./worker-pool";

async function evaluatorFor(setup: WorkerSetup): Promise<TrainFromScratch<Json>> {
  // The pool shares the cores out among its workers (one each when there is a worker per core); wasm takes at most 8.
  const threads = { NASBOOK_WASM_THREADS: String(Math.min(setup.threads, 8)), NASBOOK_NATIVE_THREADS: String(setup.threads) };
  const env = { ...process.env, ...threads, ...(setup.backend ? { NASBOOK_BACKEND: setup.backend } : {}) };
  await initBackend(env);
  const job: EvaluationJob = setup.job;
  const space = spaceFromSpec(job.space);
  const splits = setup.splits ? splitsFromShared(setup.splits) : await loadDataset(job.dataset, job.data);
  const test = job.benchmarkTest ? splits.test.open("benchmark table: every cell's test accuracy") : undefined;
  return new TrainFromScratch(space, splits, job.fidelity, job.hyperparameters, test);
}

function reply(message: EvaluationReply): void {
  parentPort?.postMessage(message);
}

function start(): void {
  if (!parentPort) throw new Error("evaluation-worker is a worker_threads entry point, not a script to run");
  const ready = evaluatorFor(workerData as WorkerSetup);
  // Keeps an initialisation failure from being an unhandled rejection; each request reports it.
  ready.catch(() => {});
  parentPort.on("message", async (request: EvaluationRequest) => {
    try {
      const evaluator = await ready;
      const metrics: TrialMetrics = await evaluator.evaluate(request.genotype, { seed: request.seed });
      reply({ ok: true, metrics });
    } catch (error) {
      reply({ ok: false, error: error instanceof Error ? error.message : String(error), fatal: !(error instanceof NasbookError) });
    }
  });
}

start();
