/** Reading settings from environment variables, with errors that name the variable. */
import { NasbookError } from "./errors";

/** The integer in `env[name]`, `fallback` when unset or empty; an error outside [min, max]. */
export function intFromEnv(env: NodeJS.ProcessEnv, name: string, range: { min: number; max?: number; fallback: number }): number {
  const value = env[name];
  if (value === undefined || value === "") return range.fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < range.min || number > (range.max ?? Infinity)) {
    const allowed = range.max === undefined ? `an integer of at least ${range.min}` : `an integer from ${range.min} to ${range.max}`;
    throw new NasbookError(`${name} must be ${allowed}; got "${value}".`);
  }
  return number;
}

/** The first line of an error's message: enough for a one-line report. */
export function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split("\n")[0];
}
