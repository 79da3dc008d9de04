/**
 * Sampling and mutating in token space, for spaces whose every token sequence is a valid
 * architecture (NAS-RL's, ENAS's macro space): uniform over each decision's choices, and a
 * mutation that moves one decision to one of its other choices.
 */
import type { Rng } from "../core/random";
import type { Decision } from "../core/types";

/** One token per decision, each uniform over its choices (a skip anchor present with probability 1/2). */
export function sampleTokens(decisions: readonly Decision[], rng: Rng): number[] {
  return decisions.map((d) => rng.int(d.choices));
}

/** `tokens` with one decision, chosen uniformly, changed to another of its choices (in place; returned). */
export function mutateOneToken(tokens: number[], decisions: readonly Decision[], rng: Rng): number[] {
  const k = rng.int(decisions.length);
  tokens[k] = (tokens[k] + 1 + rng.int(decisions[k].choices - 1)) % decisions[k].choices;
  return tokens;
}
