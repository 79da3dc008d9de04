import { NasbookError } from "./errors";

/** How big an experiment is: `smoke` (CI), `quick` (a laptop CPU, the default), `paper` (a GPU). */
export type Scale = "smoke" | "quick" | "paper";
export const SCALES: readonly Scale[] = ["smoke", "quick", "paper"];

export function isScale(value: unknown): value is Scale {
  return typeof value === "string" && (SCALES as readonly string[]).includes(value);
}

/** The scale from `NASBOOK_SCALE`, `quick` when unset. */
export function scaleFromEnv(env: NodeJS.ProcessEnv = process.env): Scale {
  const value = env.NASBOOK_SCALE;
  if (value === undefined || value === "") return "quick";
  if (!isScale(value)) {
    throw new NasbookError(`NASBOOK_SCALE must be one of ${SCALES.join(", ")}; got "${value}".`);
  }
  return value;
}

/** Picks the setting for a scale: `byScale(scale, { smoke: 1, quick: 5, paper: 50 })`. */
export function byScale<T>(scale: Scale, settings: Record<Scale, T>): T {
  return settings[scale];
}
