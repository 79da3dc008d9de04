/** Small checks for validating untrusted genotype data; each failure names the field. */
import { GenotypeError } from "./errors";
import type { Decision } from "./types";

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `value` if it is one of `allowed`, else a GenotypeError for `field` listing the choices. */
export function oneOf<T>(value: unknown, allowed: readonly T[], field: string): T {
  if (!allowed.includes(value as T)) {
    throw new GenotypeError(field, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

/** Checks a token sequence against a space's decisions before it is decoded. */
export function checkTokens(tokens: readonly number[], decisions: readonly Decision[]): void {
  if (tokens.length !== decisions.length) {
    throw new GenotypeError("tokens", `must have length ${decisions.length}, has ${tokens.length}`);
  }
  tokens.forEach((t, i) => {
    if (!Number.isInteger(t) || t < 0 || t >= decisions[i].choices) {
      throw new GenotypeError(`tokens[${i}] (${decisions[i].name})`, `must be an integer in [0, ${decisions[i].choices}), got ${t}`);
    }
  });
}
