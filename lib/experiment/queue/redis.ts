/**
 * Where the queue lives: `--queue redis://[:PASSWORD@]HOST:PORT[/DB]` (rediss:// for TLS) as the
 * connection options of ioredis, which BullMQ uses. A Redis that cannot be reached is said so
 * at once, with the address and the reason, instead of a client that retries forever in silence.
 */
import { Redis, type RedisOptions } from "ioredis";
import { EvaluatorUnavailableError, UsageError } from "../../core/errors";
import { firstLine } from "../../core/env";

/** How long a first connection may take before the address is reported unreachable. */
const CONNECT_TIMEOUT_MS = 5000;

/** Reconnects after a lost connection every 0.2 s at first, then every 2 s, for as long as the caller waits. */
function retryDelay(attempt: number): number {
  return Math.min(attempt * 200, 2000);
}

export function redisOptions(url: string): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--queue must be a Redis URL such as redis://127.0.0.1:6379; got "${url}".`);
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new UsageError(`--queue must start with redis:// (or rediss:// for TLS); got "${url}".`);
  }
  const port = parsed.port === "" ? 6379 : Number(parsed.port);
  const db = parsed.pathname.replace(/^\//, "");
  if (db !== "" && !/^\d+$/.test(db)) throw new UsageError(`--queue: the database after the port must be a number (redis://HOST:PORT/0); got "${url}".`);
  return {
    host: parsed.hostname || "127.0.0.1",
    port,
    db: db === "" ? 0 : Number(db),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === "rediss:" ? { tls: {} } : {}),
    connectTimeout: CONNECT_TIMEOUT_MS,
    retryStrategy: retryDelay,
    // BullMQ's workers and event listeners block on Redis and must wait out a reconnect, not fail the command.
    maxRetriesPerRequest: null,
  };
}

/** The address without its password, for messages. */
export function redisAddress(url: string): string {
  const { host, port, db } = redisOptions(url);
  return `redis://${host}:${port}${db ? `/${db}` : ""}`;
}

/** Connects once and pings, without retrying; an EvaluatorUnavailableError saying why when Redis does not answer. */
export async function checkRedis(url: string): Promise<void> {
  const client = new Redis({ ...redisOptions(url), lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  // The socket's error (ECONNREFUSED...) says more than the "Connection is closed" that connect() rejects with.
  let cause: unknown;
  client.on("error", (error) => (cause ??= error));
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw new EvaluatorUnavailableError(
      `Cannot reach Redis at ${redisAddress(url)} (${firstLine(cause ?? error)}). Start redis-server there, or give --queue the address of a running one.`,
    );
  } finally {
    client.disconnect();
  }
}
