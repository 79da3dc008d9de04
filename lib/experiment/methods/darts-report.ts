/**
 * What report.html shows of a DARTS, DARTS-2nd or GDAS run, from alphas.json and trial 0: the
 * architecture weights (at the end, and per epoch), the search's losses and supernet accuracy per
 * epoch against a uniform guess, and the derived cell drawn and trained from scratch.
 */
import type { TrialRecord } from "../../core/types";
import { CELL_TYPES, DARTS_OPS, EDGE_NAMES, type CellType, type DartsGenotype } from "../../spaces/darts/genotypes";
import { cellSvg } from "../../spaces/darts/draw";
import type { DartsSpace } from "../../spaces/darts/space";
import type { AlphaSnapshot, EpochRecord, StepLosses } from "../../strategies/darts/search";
import { alphaHistoryFigure, finalAlphaFigure, searchLossFigure, supernetAccuracyFigure } from "../../viz/one-shot-figures";
import type { ReportSection } from "../../viz/report";
import type { ReportContext } from "../search-method";

/** alphas.json, as a DARTS method writes it once the search is done. */
export interface AlphasArtifact {
  readonly alphaHistory: AlphaSnapshot<CellType>[];
  readonly losses: StepLosses[];
  readonly epochs: EpochRecord<DartsGenotype>[];
  readonly secondsPerEpoch: number;
}

export const ALPHAS_ARTIFACT = "alphas.json";

const CELL_NAMES: Record<CellType, string> = { normal: "normal cell", reduce: "reduction cell" };

function weightsSection(artifact: AlphasArtifact): ReportSection {
  const layout = { alphas: CELL_TYPES, edges: EDGE_NAMES, ops: DARTS_OPS };
  return {
    heading: "Architecture weights",
    text:
      "softmax(α) of every edge of the normal and the reduction cell (rows: edges, \"node ← input\"; columns: the 8 operations). " +
      `White is the uniform weight 1/${DARTS_OPS.length}, red above it, blue below. The second figure has a row per (edge, operation) and a column per epoch, epoch 0 being the initialisation.`,
    figures: [finalAlphaFigure(artifact.alphaHistory, layout), alphaHistoryFigure(artifact.alphaHistory, layout)],
  };
}

function searchSection(artifact: AlphasArtifact, space: DartsSpace, classes: number, gdas: boolean): ReportSection {
  const last = artifact.epochs[artifact.epochs.length - 1];
  const steps = artifact.losses.length;
  const verdict =
    `After ${artifact.epochs.length} epochs (${steps} steps, ${artifact.secondsPerEpoch.toFixed(1)} s per epoch): ` +
    `train loss ${last.trainLoss.toFixed(3)} and valid loss ${last.validLoss.toFixed(3)} (a uniform guess scores ln ${classes} = ${Math.log(classes).toFixed(3)}), ` +
    `supernet accuracy ${last.supernetAccuracy.toFixed(3)} on the search-validation half (chance: ${(1 / classes).toFixed(3)}).`;
  const gdasNote = gdas
    ? "GDAS trains one sampled operation per edge per step, so its losses are those of the sampled paths, and its supernet is scored with each edge's likeliest operation; " +
      "with few steps each operation is trained on about 1/8 of them and the path changes every step, so the supernet learns far slower than DARTS's, which trains every operation at every step."
    : "";
  return {
    heading: "Search",
    text: [verdict, gdasNote].filter((t) => t !== "").join("\n\n"),
    figures: [searchLossFigure(artifact.epochs, classes), supernetAccuracyFigure(artifact.epochs, classes)],
    tables: [
      {
        caption: "Per epoch (alphas.json)",
        data: artifact.epochs.map((e) => ({
          epoch: e.epoch,
          "weight lr": e.weightLr,
          ...(gdas ? { "GDAS τ": e.tau } : {}),
          "train loss": e.trainLoss,
          "valid loss": e.validLoss,
          "supernet accuracy": e.supernetAccuracy,
          seconds: e.seconds,
          "derived cell": space.describe(e.genotype),
        })),
      },
    ],
  };
}

function cellSection(trial: TrialRecord<DartsGenotype>): ReportSection {
  const history = trial.metrics?.validAccuracyHistory ?? [];
  const trained =
    trial.status === "ok"
      ? `Trained from scratch as trial 0: validation accuracy ${history.map((a) => a.toFixed(4)).join(", ")} after each of its ${history.length} epochs.`
      : `Its training from scratch failed: ${trial.error ?? "no reason recorded"}.`;
  return {
    heading: "Derived cell",
    text: `The cell derived from the final α (each node keeps its two strongest non-none edges). ${trained}`,
    drawings: CELL_TYPES.map((type) => ({ svg: cellSvg(trial.genotype[type], CELL_NAMES[type]), caption: `${CELL_NAMES[type]}: ${JSON.stringify(trial.genotype[type])}` })),
  };
}

/** The sections of a finished DARTS-family run; a run without alphas.json (none yet) gets only its cell. */
export function dartsReportSections(run: ReportContext, space: DartsSpace, gdas: boolean): ReportSection[] {
  const artifact = run.store.readArtifact(ALPHAS_ARTIFACT) as unknown as AlphasArtifact | null;
  const trial = run.trials[0] as TrialRecord<DartsGenotype> | undefined;
  return [
    ...(artifact ? [weightsSection(artifact), searchSection(artifact, space, run.info.numClasses, gdas)] : []),
    ...(trial ? [cellSection(trial)] : []),
  ];
}
