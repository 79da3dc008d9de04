/**
 * NAO's token vocabulary for any space's grammar. Position k of a space's sequence takes a local
 * token in [0, choices_k); NAO embeds and predicts over one shared vocabulary, so position k's
 * choices get the ids offset_k .. offset_k + choices_k - 1, with offset_k = sum_{j<k} choices_j.
 * The decoder scores only position k's ids at step k (NAO's own decoder masks the same way), so
 * every decoded sequence is in the grammar; the space's `decode`/`validate` still judge it.
 */
import type { Decision } from "../../core/types";

export class Vocabulary {
  /** First vocabulary id of each position. */
  readonly offsets: readonly number[];
  /** Choices at each position. */
  readonly choices: readonly number[];
  /** Ids in all. */
  readonly size: number;

  constructor(decisions: readonly Decision[]) {
    if (decisions.length === 0) throw new RangeError("NAO needs a space with at least one decision");
    this.choices = decisions.map((d) => d.choices);
    this.offsets = this.choices.map((_, k) => this.choices.slice(0, k).reduce((a, b) => a + b, 0));
    this.size = this.choices.reduce((a, b) => a + b, 0);
  }

  get length(): number {
    return this.choices.length;
  }

  /** A space's local tokens as vocabulary ids. */
  ids(tokens: readonly number[]): number[] {
    if (tokens.length !== this.length) throw new RangeError(`NAO vocabulary: ${this.length} tokens expected, got ${tokens.length}`);
    return tokens.map((t, k) => {
      if (!Number.isInteger(t) || t < 0 || t >= this.choices[k]) throw new RangeError(`NAO vocabulary: token ${k} must be in [0, ${this.choices[k]}), got ${t}`);
      return this.offsets[k] + t;
    });
  }
}
