/**
 * The fault suite's bookkeeping: every case tried is counted clean or failed, with what went wrong,
 * and the counts are printed (TAP diagnostics) whether or not the test then fails on them.
 */
import assert from "node:assert/strict";
import type { TestContext } from "node:test";

export class FaultTally {
  private readonly failures: string[] = [];
  private tried = 0;
  /** Counts that describe the cases (which door refused, where a kill landed), printed beside the totals. */
  readonly notes = new Map<string, number>();

  constructor(readonly what: string) {}

  private clean(note?: string): void {
    this.tried++;
    if (note) this.count(note);
  }

  private failed(detail: string): void {
    this.tried++;
    this.failures.push(detail);
  }

  private count(note: string): void {
    this.notes.set(note, (this.notes.get(note) ?? 0) + 1);
  }

  /** Runs one case: clean when `check` returns, failed (with the error's message) when it throws. */
  async check(name: string, check: () => unknown): Promise<void> {
    try {
      const note = await check();
      this.clean(typeof note === "string" ? note : undefined);
    } catch (error) {
      this.failed(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Prints the counts, then fails the test when any case failed, listing the first few. */
  report(t: TestContext): void {
    const notes = [...this.notes].map(([note, n]) => `${note} ${n}`).join(", ");
    t.diagnostic(`fault ${this.what}: tried ${this.tried}, clean ${this.tried - this.failures.length}, failed ${this.failures.length}${notes ? ` (${notes})` : ""}`);
    assert.equal(this.failures.length, 0, `${this.failures.length} of ${this.tried} ${this.what} cases failed:\n${this.failures.slice(0, 10).join("\n")}`);
  }
}
