/**
 * `nasbook worker`: a long-running process that takes trial jobs (trial-job.ts) off the queue
 * and returns their results. Each job trains in a worker thread of a `WorkerPool`, the one the
 * local search uses, kept per evaluation (space, data, fidelity, backend): its threads load the
 * dataset once and keep it for every later job of that kind. Training in threads also keeps this
 * process's event loop free to renew the job locks, which is how BullMQ tells a worker that is
 * slow from one that is dead: a worker killed mid-trial stops renewing, and after `lockMs` another
 * worker's stalled-job check (every `stalledMs`) puts the job back on the queue.
 *
 * A failed candidate is a reply ({ ok: false, error }), as a worker thread gives it, not a failed
 * job; only a job whose data is no trial fails. `stop()` (SIGTERM) takes no new job and hands
 * the running ones back to the queue at once, to be trained again elsewhere: a trial's result
 * depends only on its job, so nothing is lost but the time it had run.
 */
import { UnrecoverableError, WaitingError, Worker, type Job } from "bullmq";
import { firstLine, intFromEnv } from "../../core/env";
import { canonicalJson, toJson } from "../../core/json";
import type { Json } from "../../core/types";
import { WorkerPool, type EvaluationReply } from "../worker-pool";
import { checkRedis, redisAddress, redisOptions } from "./redis";
import { QUEUE_NAME, validateTrialJob, type TrialJob } from "./trial-job";

export interface QueueWorkerOptions {
  /** `redis://HOST:PORT` */
  readonly url: string;
  /** Jobs trained at once, each in its own thread (default 1). */
  readonly concurrency?: number;
  /** Kernel threads of each training; default the cores shared out among the `concurrency` trainings. */
  readonly threads?: number;
  readonly log?: (line: string) => void;
  readonly env?: NodeJS.ProcessEnv;
}

/** BullMQ's lock and stalled-check periods: `$NASBOOK_QUEUE_LOCK_MS`, `$NASBOOK_QUEUE_STALLED_MS` (default 30 s each). */
export function stallTiming(env: NodeJS.ProcessEnv): { lockMs: number; stalledMs: number } {
  return {
    lockMs: intFromEnv(env, "NASBOOK_QUEUE_LOCK_MS", { min: 100, fallback: 30_000 }),
    stalledMs: intFromEnv(env, "NASBOOK_QUEUE_STALLED_MS", { min: 100, fallback: 30_000 }),
  };
}

/** A job may stall (its worker died) this many times and still be retried; one more and it fails as the candidate's. */
const MAX_STALLS = 3;

export class QueueWorker {
  private readonly pools = new Map<string, WorkerPool<Json>>();
  private handBack!: () => void;
  private readonly stopping = new Promise<"stop">((resolve) => (this.handBack = () => resolve("stop")));

  private constructor(
    private readonly worker: Worker,
    private readonly options: QueueWorkerOptions,
  ) {}

  /** Connects (an EvaluatorUnavailableError when Redis does not answer) and starts taking jobs. */
  static async start(options: QueueWorkerOptions): Promise<QueueWorker> {
    await checkRedis(options.url);
    const log = options.log ?? (() => {});
    const { lockMs, stalledMs } = stallTiming(options.env ?? process.env);
    let self: QueueWorker | undefined;
    const worker = new Worker(QUEUE_NAME, (job, token) => (self as QueueWorker).process(job, token), {
      connection: redisOptions(options.url),
      concurrency: options.concurrency ?? 1,
      lockDuration: lockMs,
      stalledInterval: stalledMs,
      maxStalledCount: MAX_STALLS,
      autorun: false,
    });
    self = new QueueWorker(worker, options);
    // ioredis reconnects by itself; say so once per outage rather than once per retry.
    let down = false;
    worker.on("error", (error) => {
      if (!down) log(`queue ${redisAddress(options.url)}: ${firstLine(error)}; reconnecting`);
      down = true;
    });
    worker.on("ready", () => {
      if (down) log(`queue ${redisAddress(options.url)}: connected again`);
      down = false;
    });
    void worker.run();
    log(`worker on ${redisAddress(options.url)}, queue ${QUEUE_NAME}: ${options.concurrency ?? 1} at once`);
    return self;
  }

  /** Takes no new job, hands the running ones back to the queue, and stops the training threads. */
  async stop(): Promise<void> {
    this.handBack();
    await this.worker.close();
    await Promise.all([...this.pools.values()].map((pool) => pool.close()));
  }

  private async process(job: Job, token: string | undefined): Promise<EvaluationReply> {
    let trial: TrialJob;
    try {
      trial = validateTrialJob(job.data);
    } catch (error) {
      throw new UnrecoverableError(firstLine(error));
    }
    const log = this.options.log ?? (() => {});
    log(`trial ${trial.trial} of run ${trial.run}: started (job ${job.id}, attempt ${job.attemptsStarted})`);
    const evaluation = this.poolFor(trial)
      .evaluate(trial.genotype, { seed: trial.seed })
      .then(
        (metrics): EvaluationReply => ({ ok: true, metrics }),
        (error): EvaluationReply => ({ ok: false, error: error instanceof Error ? error.message : String(error), fatal: false }),
      );
    const outcome = await Promise.race([evaluation, this.stopping]);
    if (outcome === "stop") {
      await job.moveToWait(token);
      log(`trial ${trial.trial} of run ${trial.run}: handed back`);
      throw new WaitingError();
    }
    log(`trial ${trial.trial} of run ${trial.run}: ${outcome.ok ? `valid acc ${outcome.metrics.validAccuracy.toFixed(3)}` : `failed: ${outcome.error}`}`);
    return outcome;
  }

  /** One pool per kind of evaluation, made on its first job and kept. */
  private poolFor(trial: TrialJob): WorkerPool<Json> {
    const key = canonicalJson(toJson({ evaluation: trial.evaluation, backend: trial.backend }));
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new WorkerPool(trial.evaluation, { workers: this.options.concurrency ?? 1, backend: trial.backend, threads: this.options.threads });
      this.pools.set(key, pool);
    }
    return pool;
  }
}
