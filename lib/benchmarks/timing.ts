/**
 * A table's seconds on one machine. A build longer than a session is trained in parts, and the
 * parts may run on different machines (the part-2 machine of nasbook's own table trained 1.6x
 * faster than part 1's). Each call of the build records the machine it runs on and how many
 * trials the run already held (`MachineSpan`), so every trial's machine is known from its line
 * in trials.jsonl. The work list is a seeded shuffle, so every machine trains a random sample of
 * the same cells, and the ratio of mean training times is an unbiased speed factor:
 *
 *   factor(m) = mean_{trials on reference} trainSeconds / mean_{trials on m} trainSeconds,
 *
 * with the reference the machine that trained the most. The table's `trainSeconds` and
 * `latencyMs` are the measured ones times their machine's factor: seconds on the reference.
 */
import { BenchmarkError } from "../core/errors";
import type { TrialRecord } from "../core/types";

/** From trial record `fromRecord` (0-based, in file order) on, trials were trained on `machine`. */
export type MachineSpan = { fromRecord: number; machine: string };

/** What trained before the first recorded span (a run begun before machines were recorded). */
export const UNRECORDED_MACHINE = "not recorded";

export type MachineTiming = { machine: string; trials: number; meanTrainSeconds: number; factor: number };

/** How the table's times were put on one machine: written into table.json. */
export type TableTiming = { reference: string; machines: MachineTiming[] };

/** The spans as a run keeps them, each call's appended; a span that repeats the last one's machine adds nothing. */
export function addSpan(spans: readonly MachineSpan[], span: MachineSpan): MachineSpan[] {
  const last = spans[spans.length - 1];
  if (last && span.fromRecord < last.fromRecord) {
    throw new BenchmarkError(`machine span from record ${span.fromRecord} comes before the last one (${last.fromRecord}): the run directory was edited.`);
  }
  return last?.machine === span.machine ? [...spans] : [...spans, span];
}

/** The machine of each record (records in file order). */
export function machineOfRecords(count: number, spans: readonly MachineSpan[]): string[] {
  const machines: string[] = [];
  let at = -1;
  for (let i = 0; i < count; i++) {
    while (at + 1 < spans.length && spans[at + 1].fromRecord <= i) at++;
    machines.push(at < 0 ? UNRECORDED_MACHINE : spans[at].machine);
  }
  return machines;
}

/** Each machine's speed factor to the one that trained the most (its successful trials only). */
export function tableTiming(records: readonly TrialRecord[], machines: readonly string[]): TableTiming {
  const seconds = new Map<string, number[]>();
  records.forEach((record, i) => {
    if (record.status !== "ok" || !record.metrics) return;
    const list = seconds.get(machines[i]) ?? [];
    list.push(record.metrics.trainSeconds);
    seconds.set(machines[i], list);
  });
  if (seconds.size === 0) throw new BenchmarkError("no successful training to time the table by.");
  const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;
  const [reference, referenceSeconds] = [...seconds].reduce((a, b) => (b[1].length > a[1].length ? b : a));
  const referenceMean = mean(referenceSeconds);
  return {
    reference,
    machines: [...seconds].map(([machine, list]) => ({
      machine,
      trials: list.length,
      meanTrainSeconds: Number(mean(list).toFixed(3)),
      factor: Number((referenceMean / mean(list)).toFixed(4)),
    })),
  };
}
