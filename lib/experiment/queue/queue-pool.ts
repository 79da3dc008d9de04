/**
 * Evaluating candidates on other machines: a `ConcurrentEvaluator` that puts each trial on a
 * BullMQ queue as a job (trial-job.ts) and waits for a worker (queue-worker.ts) to return it.
 * It is what a `WorkerPool` is to the multi-trial loop, so the loop, its run directory, resume
 * and reports are the same: the coordinator is the only writer of the run directory and records
 * the results in trial-id order, which makes them those of a local run.
 *
 * Waiting for a job, in a loop: read its state from Redis; none (never added, or lost when Redis
 * restarted without its data) -> add it; finished -> its reply; else sleep until a
 * completed/failed event for it or `pollMs`, whichever comes first. Adding a job whose id
 * exists is a no-op in BullMQ, so a coordinator killed and re-run picks up the jobs it
 * submitted before, those that finished meanwhile included. Redis calls that fail are retried
 * until Redis has been silent for `reconnectMs`; then evaluate throws EvaluatorUnavailableError
 * and the search stops after its last recorded trial.
 */
import { Queue, QueueEvents, type JobsOptions } from "bullmq";
import type { BackendName } from "../../backend/select";
import { EvaluatorUnavailableError, NasbookError } from "../../core/errors";
import { firstLine, intFromEnv } from "../../core/env";
import { canonicalJson, toJson } from "../../core/json";
import type { EvaluationContext, Json, TrialMetrics } from "../../core/types";
import { isRecord } from "../../core/validate";
import type { ConcurrentEvaluator } from "../multi-trial-search";
import type { EvaluationJob, EvaluationReply } from "../worker-pool";
import { checkRedis, redisAddress, redisOptions } from "./redis";
import { JOB_NAME, QUEUE_NAME, jobId, runId, type TrialJob } from "./trial-job";

export interface QueuePoolOptions {
  /** `redis://HOST:PORT` */
  readonly url: string;
  /** The run's config.json: with the evaluation and backend it names the run's jobs (trial-job.ts). */
  readonly config: Json;
  readonly evaluation: EvaluationJob;
  readonly backend: BackendName;
  /** Longest wait between two looks at a job (events usually wake it sooner); default 1 s. */
  readonly pollMs?: number;
  /** How long Redis may be unreachable before the search stops; default `$NASBOOK_QUEUE_RECONNECT_S` or 60 s. */
  readonly reconnectMs?: number;
}

/** A finished job stays this long, for a re-run coordinator or a second search with the same run id. */
const KEEP_FINISHED_SECONDS = 7 * 24 * 3600;

/** No retries on failure: a worker replies with a failed trial instead of throwing; only a bad payload fails a job. */
const JOB_OPTIONS: JobsOptions = { attempts: 1, removeOnComplete: { age: KEEP_FINISHED_SECONDS }, removeOnFail: { age: KEEP_FINISHED_SECONDS } };

/** Each Redis call may take this long before it counts as unanswered. */
const CALL_TIMEOUT_MS = 5000;

export class QueuePool<G extends Json> implements ConcurrentEvaluator<G> {
  /** The queue takes a whole round at once; how many train at the same time is up to the workers. */
  readonly concurrency = Number.POSITIVE_INFINITY;
  readonly run: string;
  private readonly waiting = new Map<string, () => void>();
  /** The queue and its event stream, made once Redis has answered: clients of an unreachable address would retry forever. */
  private readonly clients: Promise<{ queue: Queue; events: QueueEvents }>;
  private readonly pollMs: number;
  private readonly reconnectMs: number;

  constructor(private readonly options: QueuePoolOptions) {
    this.run = runId(options.config, options.evaluation, options.backend);
    this.pollMs = options.pollMs ?? 1000;
    this.reconnectMs = options.reconnectMs ?? 1000 * intFromEnv(process.env, "NASBOOK_QUEUE_RECONNECT_S", { min: 1, fallback: 60 });
    this.clients = checkRedis(options.url).then(() => this.connect());
    this.clients.catch(() => {});
  }

  async evaluate(genotype: G, context: EvaluationContext): Promise<TrialMetrics> {
    if (context.trial === undefined) throw new NasbookError("A queue evaluates a run's trials: the evaluation needs its trial id.");
    const { queue } = await this.clients;
    const job: TrialJob = { run: this.run, trial: context.trial, evaluation: this.options.evaluation, backend: this.options.backend, genotype, seed: context.seed };
    const reply = await this.waitFor(queue, jobId(this.run, context.trial), job);
    if (!reply.ok) throw new Error(reply.error);
    return reply.metrics;
  }

  /** Closes the clients; with Redis gone, a close that cannot say goodbye is cut short. */
  async close(): Promise<void> {
    const clients = await this.clients.catch(() => null);
    if (!clients) return;
    const { queue, events } = clients;
    await withTimeout(Promise.all([queue.close(), events.close()]), CALL_TIMEOUT_MS).catch(() => {});
    await Promise.allSettled([queue.disconnect(), events.disconnect()]);
  }

  private connect(): { queue: Queue; events: QueueEvents } {
    const connection = redisOptions(this.options.url);
    const queue = new Queue(QUEUE_NAME, { connection });
    const events = new QueueEvents(QUEUE_NAME, { connection });
    // Connection errors surface as calls that fail (see waitFor); the clients reconnect by themselves.
    queue.on("error", () => {});
    events.on("error", () => {});
    const wake = ({ jobId: id }: { jobId: string }) => this.waiting.get(id)?.();
    events.on("completed", wake);
    events.on("failed", wake);
    return { queue, events };
  }

  private async waitFor(queue: Queue, id: string, job: TrialJob): Promise<EvaluationReply> {
    let lastAnswer = Date.now();
    for (;;) {
      // Listening before looking: an event between the look and the sleep is not missed.
      const woken = this.sleep(id);
      try {
        const reply = await withTimeout(this.look(queue, id, job), CALL_TIMEOUT_MS);
        lastAnswer = Date.now();
        if (reply) return reply;
      } catch (error) {
        if (error instanceof NasbookError) throw error;
        if (Date.now() - lastAnswer > this.reconnectMs) {
          throw new EvaluatorUnavailableError(
            `Lost Redis at ${redisAddress(this.options.url)} for ${Math.round(this.reconnectMs / 1000)} s while waiting for trial ${job.trial} (${firstLine(error)}). ` +
              "The run directory holds every trial finished before; start Redis again and re-run the same command to resume.",
          );
        }
      }
      await woken;
    }
  }

  /** The job's reply when it has finished; null while it waits or runs (added first if Redis has no such job). */
  private async look(queue: Queue, id: string, job: TrialJob): Promise<EvaluationReply | null> {
    const found = await queue.getJob(id);
    if (!found) {
      await queue.add(JOB_NAME, job, { ...JOB_OPTIONS, jobId: id });
      return null;
    }
    if (canonicalJson(toJson(found.data)) !== canonicalJson(toJson(job))) {
      throw new NasbookError(
        `Queue job ${id} holds another trial than this run's trial ${job.trial} (stored genotype ${JSON.stringify(found.data?.genotype)}, ` +
          `proposed ${JSON.stringify(job.genotype)}): it was submitted by another version of nasbook. Remove it from Redis, or use another Redis database (redis://HOST:PORT/1).`,
      );
    }
    const state = await found.getState();
    if (state !== "completed" && state !== "failed") return null;
    // Read again: the job read above may predate its finish (a worker's reply and the move to
    // finished are one step in Redis, so a job seen finished already holds its reply).
    const finished = await queue.getJob(id);
    if (!finished) return null;
    if (state === "completed") return checkedReply(finished.returnvalue, id);
    return { ok: false, error: `queue job ${id} failed: ${finished.failedReason}`, fatal: false };
  }

  private sleep(id: string): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.waiting.get(id) === done) this.waiting.delete(id);
        resolve();
      };
      const timer = setTimeout(done, this.pollMs);
      this.waiting.set(id, done);
    });
  }
}

/** A worker's reply as Redis returns it, checked: it becomes a line of trials.jsonl. */
function checkedReply(value: unknown, id: string): EvaluationReply {
  if (isRecord(value) && value.ok === true && isRecord(value.metrics)) return value as unknown as EvaluationReply;
  if (isRecord(value) && value.ok === false && typeof value.error === "string") return value as unknown as EvaluationReply;
  throw new NasbookError(`Queue job ${id} returned ${JSON.stringify(value)}, which is no trial result; was it run by a nasbook worker?`);
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Redis in ${ms / 1000} s`)), ms);
  });
  // A call that answers after its timeout is dropped.
  work.catch(() => {});
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
