/**
 * NAO (Luo et al. 2018) as a method: its encoder-predictor-decoder search over NAS-Bench-201's
 * cells, each proposal trained for real. The model needs no checkpoint: it is trained only on
 * what was told, with seeded generators, so replaying a killed run's stored trials through
 * ask/tell retrains it to the same weights and the run continues exactly. Random search over
 * the same space, budget, rounds and training, its baseline in notebook 05, is a method too
 * (not one the CLI lists).
 */
import { RunStoreError } from "../../core/errors";
import { toJson, toJsonObject } from "../../core/json";
import type { Strategy } from "../../core/types";
import { Nb201Space, formatNb201, nb201Svg, type Nb201Genotype } from "../../spaces/nb201";
import type { RunStore } from "../../store/run-store";
import { NaoSearch, type NaoRound } from "../../strategies/nao/search";
import { RandomSearch } from "../../strategies/random-search";
import { runMultiTrial } from "../multi-trial";
import type { ReportSection } from "../../viz/report";
import { naoPreset, type NaoPreset } from "../presets/nao";
import type { MethodContext, ReportContext, SearchMethod } from "../search-method";
import { bestTrial } from "../trial";

/** Each model round: its loss, the lambdas tried, and how many decoded cells were invalid, repeated or new. */
const ROUNDS_ARTIFACT = "nao-rounds.json";

function searchCells(context: MethodContext, preset: NaoPreset, space: Nb201Space, strategy: Strategy<Nb201Genotype>) {
  const { data, fidelity, budget, round, network } = preset;
  return runMultiTrial(context, { space, spec: { kind: "nb201", options: toJson(network) }, data, fidelity, strategy, budget, round });
}

/** The model rounds (nao-rounds.json) as a table, and the best cell drawn. */
function naoReportSections(run: ReportContext, space: Nb201Space): ReportSection[] {
  const rounds = naoRounds(run.store);
  const best = bestTrial(run.trials);
  const genotype = best && space.validate(best.genotype);
  return [
    {
      heading: "Model rounds",
      text: "Each round trains the encoder, predictor and decoder on every architecture trained so far, then moves the best ones' embeddings up the predictor's gradient and decodes them.",
      tables: [{
        caption: "nao-rounds.json",
        data: rounds.map((r, i) => ({ round: i + 1, "trained on": r.trainedOn, "loss (total)": r.loss.total, "MSE": r.loss.mse, "NLL": r.loss.nll, lambdas: r.lambdas.join(", "), decoded: r.decoded, invalid: r.invalid, repeated: r.repeated, "new from the decoder": r.fromDecoder, "random fill": r.randomFill })),
      }],
    },
    ...(best && genotype ? [{ heading: "Best cell", text: `Trial ${best.id}, validation accuracy ${best.metrics?.validAccuracy.toFixed(4)}.`, drawings: [{ svg: nb201Svg(genotype), caption: formatNb201(genotype) }] }] : []),
  ];
}

export const naoMethod: SearchMethod = {
  name: "nao",
  description: "NAO: an LSTM encoder, accuracy predictor and decoder; embeddings moved up the predictor's gradient and decoded, over the NAS-Bench-201 cell space",
  at(scale) {
    const preset = naoPreset(scale);
    const { budget, round, fidelity, network, data, search } = preset;
    return {
      data,
      settings: toJsonObject({ space: "nb201", spaceOptions: network, budget, round, fidelity, data, search }),
      async run(context) {
        const space = new Nb201Space(network);
        const strategy = new NaoSearch(space, search, context.seed);
        try {
          const outcome = await searchCells(context, preset, space, strategy);
          context.store.writeArtifact(ROUNDS_ARTIFACT, toJson({ rounds: strategy.rounds }));
          return outcome;
        } finally {
          strategy.dispose();
        }
      },
      reportSections: (run) => naoReportSections(run, new Nb201Space(network)),
    };
  },
};

/** The model rounds as a finished nao run kept them. */
export function naoRounds(store: RunStore): NaoRound[] {
  const artifact = store.readArtifact(ROUNDS_ARTIFACT) as unknown as { rounds: NaoRound[] } | null;
  if (!artifact) throw new RunStoreError(`${store.path(ROUNDS_ARTIFACT)} is missing: ${store.dir} is not a finished nao run.`);
  return artifact.rounds;
}

/** Random search with NAO's space, budget, rounds and training: only the strategy differs. */
export const naoRandomMethod: SearchMethod = {
  name: "nao-random",
  description: "random search over the NAS-Bench-201 cell space with NAO's budget and training, its baseline",
  at(scale) {
    const preset = naoPreset(scale);
    const { budget, round, fidelity, network, data } = preset;
    return {
      data,
      settings: toJsonObject({ space: "nb201", spaceOptions: network, budget, round, fidelity, data }),
      run(context) {
        const space = new Nb201Space(network);
        return searchCells(context, preset, space, new RandomSearch(space, context.seed));
      },
    };
  },
};
