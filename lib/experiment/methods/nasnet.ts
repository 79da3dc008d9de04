/**
 * The NASNet cell space's methods: NASNet's PPO controller, regularized (aging) evolution as
 * AmoebaNet ran it on the same cells, and random search, each with the same budget, rounds,
 * children and training (presets/nasnet), so notebook 02 and the CLI compare only strategies.
 */
import { toJson, toJsonObject } from "../../core/json";
import type { Strategy } from "../../core/types";
import { NasnetSpace, nasnetSvg, type NasnetGenotype } from "../../spaces/nasnet";
import { PpoController } from "../../strategies/controller/ppo";
import { RandomSearch } from "../../strategies/random-search";
import { RegularizedEvolution } from "../../strategies/regularized-evolution";
import type { RunStore } from "../../store/run-store";
import { choiceRows } from "../../viz/controller-figures";
import type { ReportSection } from "../../viz/report";
import { controllerReportSection, writeControllerUpdates } from "../controller-artifact";
import { runMultiTrial } from "../multi-trial";
import { nasnetPreset, type NasnetPreset } from "../presets/nasnet";
import type { ReportContext, SearchMethod } from "../search-method";
import { bestTrial } from "../trial";

interface NasnetStrategy {
  readonly strategy: Strategy<NasnetGenotype>;
  /** What the strategy keeps in the run directory once the search is done (the controller's controller.json). */
  finish?(store: RunStore): void;
  dispose(): void;
}

interface StrategyChoice {
  /** The strategy's own settings, for config.json. */
  settings(preset: NasnetPreset): object;
  create(space: NasnetSpace, preset: NasnetPreset, seed: number): NasnetStrategy;
  /** What the strategy's report adds before the best cell (PPO: its controller). */
  reportSections?(run: ReportContext, space: NasnetSpace): ReportSection[];
}

/** Each decision's choices by name: an input's hidden state (h_{i-2}, h_{i-1}, then the blocks), an op's name. */
function choiceLabels(space: NasnetSpace): string[][] {
  return space.decisions().map((d) =>
    d.name.includes(".op") ? [...space.grammar.ops] : Array.from({ length: d.choices }, (_, c) => (c === 0 ? "h_{i-2}" : c === 1 ? "h_{i-1}" : `block ${c - 2}`)),
  );
}

function bestCellSection(run: ReportContext, space: NasnetSpace): ReportSection[] {
  const best = bestTrial(run.trials);
  if (!best) return [];
  const genotype = space.validate(best.genotype);
  return [{ heading: "Best cells", text: `Trial ${best.id}, validation accuracy ${best.metrics?.validAccuracy.toFixed(4)}.`, drawings: [{ svg: nasnetSvg(genotype), caption: JSON.stringify(genotype) }] }];
}

function nasnetMethod(name: string, description: string, choice: StrategyChoice): SearchMethod {
  return {
    name,
    description,
    at(scale) {
      const preset = nasnetPreset(scale);
      const { budget, round, fidelity, space, data } = preset;
      return {
        data,
        settings: toJsonObject({ space: "nasnet", spaceOptions: space, budget, round, fidelity, data, ...choice.settings(preset) }),
        async run(context) {
          const nasnetSpace = new NasnetSpace(space);
          const chosen = choice.create(nasnetSpace, preset, context.seed);
          try {
            const spec = { kind: "nasnet", options: toJson(space) };
            const outcome = await runMultiTrial(context, { space: nasnetSpace, spec, data, fidelity, strategy: chosen.strategy, budget, round });
            chosen.finish?.(context.store);
            return outcome;
          } finally {
            chosen.dispose();
          }
        },
        reportSections(run) {
          const nasnetSpace = new NasnetSpace(space);
          return [...(choice.reportSections?.(run, nasnetSpace) ?? []), ...bestCellSection(run, nasnetSpace)];
        },
      };
    },
  };
}

export const nasnetPpoMethod = nasnetMethod("nasnet-ppo", "NASNet: a 1-layer LSTM controller trained by PPO over the NASNet cell space", {
  settings: (preset) => ({ controller: preset.controller, reward: "validAccuracy" }),
  create(space, preset, seed) {
    const controller = new PpoController(space, seed, { ...preset.controller, reward: (metrics) => metrics.validAccuracy });
    return {
      strategy: controller,
      // Its per-decision probabilities after each update, as nas-rl keeps them: notebook 02's heatmap.
      finish: (store) => writeControllerUpdates(store, space, controller.updates),
      dispose: () => controller.dispose(),
    };
  },
  reportSections: (run, space) => [controllerReportSection(run.store, choiceRows(space.decisions(), choiceLabels(space)), "the child's validation accuracy (a child that failed: 0)")],
});

export const nasnetEvolutionMethod = nasnetMethod("nasnet-evolution", "AmoebaNet: regularized (aging) evolution over the NASNet cell space", {
  settings: (preset) => ({ evolution: preset.evolution }),
  create: (space, preset, seed) => ({ strategy: new RegularizedEvolution(space, preset.evolution, seed), dispose: () => {} }),
});

export const nasnetRandomMethod = nasnetMethod("nasnet-random", "random search over the NASNet cell space, the baseline of PPO and evolution", {
  settings: () => ({}),
  create: (space, _preset, seed) => ({ strategy: new RandomSearch(space, seed), dispose: () => {} }),
});

export const nasnetMethods: readonly SearchMethod[] = [nasnetPpoMethod, nasnetEvolutionMethod, nasnetRandomMethod];
