/**
 * Pilot for the NAS-Bench-201 table on Fashion-MNIST: which fidelity buys a table whose ranking
 * can be trusted, within about two hours on two cores? For each candidate fidelity, a seeded
 * random sample of unique cells is trained twice (two training seeds) in worker threads; it
 * reports the seed-to-seed Spearman correlation, the spread of accuracy across cells against the
 * seed noise, and the projected build time of the whole table (6,466 cells plus a second seed for
 * 500). Then the same cells are trained once at a reference fidelity several times dearer, and the
 * Spearman between each candidate's mean and the reference says whether its ranking survives
 * more training. The table's README quotes this output.
 *
 *   npm run bench:pilot -- [--cells 48] [--only NAME,...]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { initBackend } from "../lib/backend/select";
import { Rng } from "../lib/core/random";
import { spearman } from "../lib/core/rank-correlation";
import { mean, pairNoise, std } from "../lib/core/stats";
import type { Fidelity, Json, TrialMetrics } from "../lib/core/types";
import { WorkerPool, defaultWorkerCount, type EvaluationJob } from "../lib/experiment/worker-pool";
import { formatNb201, uniqueNb201Genotypes, type Nb201Genotype } from "../lib/spaces/nb201";

/** What one candidate fidelity trains: the network's size, the data and the epochs. */
interface PilotFidelity {
  readonly name: string;
  readonly network: { cellsPerStage: number; channels: number };
  readonly fidelity: Fidelity;
  readonly validSize: number;
  readonly testSize: number;
  readonly downsample: number;
}

/** Trainings of the whole table: every unique cell once, 500 of them again. */
const TABLE_TRAININGS = 6466 + 500;

/** Fashion-MNIST at 14x14 (a 2x2 box filter), as ImageNet16-120 shrinks ImageNet: a quarter of the work per image. */
const DATA = { validSize: 1000, testSize: 2000, downsample: 2 } as const;
const SMALL = { cellsPerStage: 1, channels: 8 } as const;

const CANDIDATES: readonly PilotFidelity[] = [
  { name: "1k-e2-b64", network: SMALL, fidelity: { epochs: 2, batchSize: 64, trainSubset: 1000 }, ...DATA },
  { name: "1k-e3-b64", network: SMALL, fidelity: { epochs: 3, batchSize: 64, trainSubset: 1000 }, ...DATA },
  { name: "2k-e2-b64", network: SMALL, fidelity: { epochs: 2, batchSize: 64, trainSubset: 2000 }, ...DATA },
  { name: "2k-e2-b128", network: SMALL, fidelity: { epochs: 2, batchSize: 128, trainSubset: 2000 }, ...DATA },
  { name: "2k-e3-b64", network: SMALL, fidelity: { epochs: 3, batchSize: 64, trainSubset: 2000 }, ...DATA },
];

/** Several times the candidates' training, for the "does the ranking survive" check. */
const REFERENCE: PilotFidelity = { name: "reference 4k-e4-b64", network: SMALL, fidelity: { epochs: 4, batchSize: 64, trainSubset: 4000 }, ...DATA };

interface PilotResult {
  readonly name: string;
  readonly cells: number;
  readonly seedSpearman: number | null;
  /** Standard deviation across cells of the mean of the two seeds. */
  readonly spreadAcrossCells: number | null;
  /** Standard deviation of one training's accuracy around its cell's mean: |a - b| / sqrt(2), as an RMS. */
  readonly seedNoise: number | null;
  readonly meanAccuracy: number;
  readonly secondsPerTraining: number;
  readonly projectedTableHours: number;
  /** Spearman between this fidelity's per-cell mean and the reference's (null for the reference). */
  readonly referenceSpearman: number | null;
  readonly accuracies: number[][];
}

function jobFor(candidate: PilotFidelity): EvaluationJob {
  return {
    space: { kind: "nb201", options: candidate.network },
    dataset: "fashion-mnist",
    data: { seed: 0, trainSize: 4000, validSize: candidate.validSize, testSize: candidate.testSize, downsample: candidate.downsample },
    fidelity: candidate.fidelity,
  };
}

/** Trains every cell once per seed; returns accuracies [cell][seed] and wall seconds per training. */
async function trainAll(candidate: PilotFidelity, cells: Nb201Genotype[], seeds: readonly number[]): Promise<{ accuracies: number[][]; seconds: number }> {
  const workers = defaultWorkerCount();
  const pool = new WorkerPool<Json>(jobFor(candidate), { workers, backend: "wasm" });
  try {
    // Workers load the data and compile their kernels before the clock runs.
    await Promise.all(Array.from({ length: workers }, (_, i) => pool.evaluate(cells[i % cells.length], { seed: 1000 + i })));
    const start = performance.now();
    const jobs = cells.flatMap((cell, c) => seeds.map((seed, s) => ({ cell, c, s, seed })));
    const accuracies = cells.map(() => seeds.map(() => NaN));
    let done = 0;
    await Promise.all(
      jobs.map(async ({ cell, c, s, seed }) => {
        const metrics: TrialMetrics = await pool.evaluate(cell, { seed });
        accuracies[c][s] = metrics.validAccuracy;
        process.stderr.write(`\r${candidate.name}: ${++done}/${jobs.length}  ${formatNb201(cell)} ${metrics.validAccuracy.toFixed(3)}   `);
      }),
    );
    process.stderr.write("\n");
    return { accuracies, seconds: (performance.now() - start) / 1000 / jobs.length };
  } finally {
    await pool.close();
  }
}

function summarise(candidate: PilotFidelity, accuracies: number[][], seconds: number, reference: number[] | null): PilotResult {
  const means = accuracies.map(mean);
  const twoSeeds = accuracies[0].length >= 2;
  const [first, second] = [accuracies.map((a) => a[0]), accuracies.map((a) => a[1])];
  return {
    name: candidate.name,
    cells: accuracies.length,
    seedSpearman: twoSeeds ? spearman(first, second) : null,
    spreadAcrossCells: std(means),
    seedNoise: twoSeeds ? pairNoise(first, second) : null,
    meanAccuracy: mean(means),
    secondsPerTraining: seconds,
    projectedTableHours: (seconds * TABLE_TRAININGS) / 3600,
    referenceSpearman: reference ? spearman(means, reference) : null,
    accuracies,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { cells: { type: "string", default: "64" }, only: { type: "string" } } });
  const count = Number(values.cells);
  await initBackend({ ...process.env, NASBOOK_BACKEND: "wasm" });
  const cells = new Rng(2020).shuffle(uniqueNb201Genotypes()).slice(0, count);
  const only = values.only?.split(",");
  const candidates = CANDIDATES.filter((c) => !only || only.includes(c.name));
  const reference = await trainAll(REFERENCE, cells, [1]);
  const referenceMeans = reference.accuracies.map((a) => a[0]);
  const results = [summarise(REFERENCE, reference.accuracies, reference.seconds, null)];
  for (const candidate of candidates) {
    const { accuracies, seconds } = await trainAll(candidate, cells, [1, 2]);
    results.push(summarise(candidate, accuracies, seconds, referenceMeans));
  }
  console.table(
    results.map(({ accuracies: _, ...r }) => ({
      ...r,
      seedSpearman: r.seedSpearman?.toFixed(3) ?? "-",
      spreadAcrossCells: r.spreadAcrossCells?.toFixed(4),
      seedNoise: r.seedNoise?.toFixed(4) ?? "-",
      meanAccuracy: r.meanAccuracy.toFixed(4),
      secondsPerTraining: r.secondsPerTraining.toFixed(2),
      projectedTableHours: r.projectedTableHours.toFixed(2),
      referenceSpearman: r.referenceSpearman?.toFixed(3) ?? "-",
    })),
  );
  const out = path.join("build", "bench", "nb201-pilot.json");
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ cells: cells.map(formatNb201), workers: defaultWorkerCount(), results }, null, 1));
  console.log(`wrote ${out}`);
}

void main();
