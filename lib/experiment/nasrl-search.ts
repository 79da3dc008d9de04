/** NAS-RL (Zoph & Le 2017) as a CLI method: the REINFORCE controller over the NAS-RL space. */
import type { Json } from "../core/types";
import { NasRlSpace } from "../spaces/nasrl/space";
import { nasRlPreset } from "../spaces/nasrl/preset";
import { toJson } from "../store/run-store";
import { ReinforceController } from "../strategies/controller/reinforce";
import type { MethodContext, MethodOutcome, SearchMethod } from "./method";
import { runMultiTrial } from "./multi-trial";

export const nasRlMethod: SearchMethod = {
  name: "nas-rl",
  description: "NAS-RL: an LSTM controller trained by REINFORCE over the layer-wise space with skip anchors",
  dataSizes: (scale) => nasRlPreset(scale).data,
  settings(scale) {
    const { budget, round, fidelity, space, data, controller } = nasRlPreset(scale);
    return toJson({ space: "nas-rl", spaceOptions: space, budget, round, fidelity, data, controller }) as { [key: string]: Json };
  },
  async run(context: MethodContext): Promise<MethodOutcome> {
    const preset = nasRlPreset(context.scale);
    const space = new NasRlSpace(preset.space);
    const controller = new ReinforceController(space, context.seed, preset.controller);
    try {
      const outcome = await runMultiTrial(context, {
        space,
        spec: { kind: "nas-rl", options: toJson(preset.space) },
        data: preset.data,
        fidelity: preset.fidelity,
        strategy: controller,
        budget: preset.budget,
        round: preset.round,
      });
      // The controller's per-decision probabilities after each update: the heatmap of notebook 01.
      context.store.writeArtifact("controller.json", toJson({ decisions: space.decisions().map((d) => d.name), updates: controller.updates }));
      return outcome;
    } finally {
      controller.dispose();
    }
  },
};
