/**
 * The experiment store: one directory per run.
 *   config.json   what was asked (method, dataset, scale, seed, budget, ...); fixed for the run
 *   trials.jsonl  one line per finished trial, appended durably
 *   summary.json  the outcome, written when the run finishes
 * plus any artifacts a method keeps (alpha history, controller probabilities, report.html).
 * Opening an existing directory with the same config resumes it; another config is refused.
 * A directory open to write is locked (`lock`, run-lock.ts): a second writer is refused, and
 * the temporary files of an atomic write that a kill interrupted are removed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { RunStoreError } from "../core/errors";
import type { Scale } from "../core/scale";
import type { Json, TrialRecord } from "../core/types";
import { appendLineDurable, ensureDirectory, writeFileAtomic } from "../core/atomic-files";
import { lockRunDirectory } from "./run-lock";
import { validateTrialRecord } from "./trial-record";
import { withFileErrors } from "../core/file-errors";
import { canonicalJson } from "../core/json";

export type RunConfig = {
  method: string;
  dataset: string;
  scale: Scale;
  seed: number;
  [setting: string]: Json;
};

export type RunSummary = {
  method: string;
  dataset: string;
  scale: Scale;
  seed: number;
  backend: string;
  /** Wall time of the sessions that wrote this summary, resumed ones added (a session killed before its summary is not counted). */
  wallSeconds: number;
  trials: { ok: number; failed: number };
  best: { id: number; genotype: Json; validAccuracy: number; testAccuracy: number | null } | null;
  [extra: string]: Json;
};

const CONFIG = "config.json";
const TRIALS = "trials.jsonl";
const SUMMARY = "summary.json";

export class RunStore {
  private constructor(
    readonly dir: string,
    readonly config: RunConfig,
  ) {}

  /** Creates the run directory, or reopens it to resume when its config equals `config`; locks it for this process. */
  static open(dir: string, config: RunConfig): RunStore {
    // Every write a run makes goes under `dir`: creating it and its lock proves it writable before any work.
    withFileErrors(`open the run directory ${dir}`, () => {
      ensureDirectory(dir);
      lockRunDirectory(dir);
      // With the lock held no one else is writing here: a temporary file is what a killed atomic write left.
      for (const name of fs.readdirSync(dir)) if (name.endsWith(".part")) fs.rmSync(path.join(dir, name), { force: true });
    });
    const file = path.join(dir, CONFIG);
    if (fs.existsSync(file)) {
      const stored = readJson(file) as RunConfig;
      const differences = differingKeys(stored, config);
      if (differences.length > 0) {
        const detail = differences.map((k) => `${k}: stored ${JSON.stringify(stored[k])}, asked ${JSON.stringify(config[k])}`).join("; ");
        throw new RunStoreError(
          `${dir} holds a run with another configuration (${detail}). Resume it with the same settings, or choose another --out directory.`,
        );
      }
    } else {
      withFileErrors(`write ${file}`, () => writeFileAtomic(file, `${JSON.stringify(config, null, 2)}\n`));
    }
    return new RunStore(dir, config);
  }

  /** An existing run directory, opened to read (its config as stored); a RunStoreError when there is none. */
  static existing(dir: string): RunStore {
    const file = path.join(dir, CONFIG);
    if (!fs.existsSync(file)) throw new RunStoreError(`${dir} holds no run (no ${CONFIG}).`);
    return new RunStore(dir, readJson(file) as RunConfig);
  }

  path(name: string): string {
    return path.join(this.dir, name);
  }

  /**
   * The finished trials, in the order they finished, each checked (trial-record.ts). A last line
   * cut short, with no newline after it (the process was killed while appending), is dropped
   * from the file; any other bad line means the file was edited, and is an error naming it.
   * `validateGenotype`, the run's space's door, checks each genotype too.
   */
  trials<G extends Json = Json>(validateGenotype?: (genotype: unknown) => G): TrialRecord<G>[] {
    const file = this.path(TRIALS);
    if (!fs.existsSync(file)) return [];
    const text = fs.readFileSync(file, "utf8");
    const lines = text.split("\n");
    const records: TrialRecord<G>[] = [];
    for (let i = 0; i < lines.length; i++) {
      if (lines[i].trim() === "") continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(lines[i]);
      } catch {
        // Only the very end of the file, after the last newline, can be a torn append.
        if (i < lines.length - 1) throw new RunStoreError(`${file}, line ${i + 1}, is not valid JSON; the earlier lines are intact. Fix or remove that line to resume.`);
        writeFileAtomic(file, lines.slice(0, i).map((l) => `${l}\n`).join(""));
        continue;
      }
      records.push(validateTrialRecord<G>(parsed, `${file}, line ${i + 1}`, validateGenotype));
    }
    return records;
  }

  append<G extends Json>(record: TrialRecord<G>): void {
    withFileErrors(`append trial ${record.id} to ${this.path(TRIALS)}`, () => appendLineDurable(this.path(TRIALS), JSON.stringify(record)));
  }

  writeSummary(summary: RunSummary): void {
    this.writeArtifact(SUMMARY, summary);
  }

  readSummary(): RunSummary | null {
    return this.readArtifact(SUMMARY) as RunSummary | null;
  }

  /** Any JSON a method keeps beside the trials (alpha history, controller probabilities...). */
  writeArtifact(name: string, data: Json): void {
    withFileErrors(`write ${this.path(name)}`, () => writeFileAtomic(this.path(name), `${JSON.stringify(data, null, 2)}\n`));
  }

  /** An artifact as `writeArtifact` wrote it; null when the run has none of that name. */
  readArtifact(name: string): Json | null {
    const file = this.path(name);
    return fs.existsSync(file) ? readJson(file) : null;
  }
}

function readJson(file: string): Json {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as Json;
  } catch (error) {
    throw new RunStoreError(`${file} is not valid JSON (${(error as Error).message}). Restore it or choose another --out directory.`);
  }
}

function differingKeys(a: Record<string, Json>, b: Record<string, Json>): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return keys.filter((k) => canonicalJson(a[k]) !== canonicalJson(b[k]));
}
