/**
 * The NAS-RL CNN space (Zoph & Le 2017): a stack of conv layers where each layer picks its filter
 * height, filter width, number of filters (and optionally stride), and an "anchor point" at
 * layer i decides for every earlier layer j whether j feeds i. The network it builds is in
 * `network.ts`, the genotype in `genotypes.ts`; this file is its token grammar and its validation.
 */
import { GenotypeError } from "../../core/errors";
import type { Rng } from "../../core/random";
import type { Scale } from "../../core/scale";
import type { BuildOptions, Decision, ImageShape, Network, SearchSpace } from "../../core/types";
import { checkTokens, isRecord, oneOf } from "../../core/validate";
import { mutateOneToken, sampleTokens } from "../tokens";
import type { NasRlGenotype, NasRlLayer } from "./genotypes";
import { NasRlNetwork } from "./network";

export interface NasRlSpaceOptions {
  readonly layers: number;
  readonly filterHeights: readonly number[];
  readonly filterWidths: readonly number[];
  readonly filters: readonly number[];
  /** [1] is the paper's main space; [1, 2, 3] its "with strides" variant. */
  readonly strides: readonly number[];
  /**
   * Average-pools the image by this factor before any layer reads it (1: no pooling, as in the
   * paper). A CPU-scale reduction: a factor of 2 makes every layer 4 times cheaper.
   */
  readonly inputPool: number;
}

/** The paper's choices at its starting depth of 6 (the paper then grows depth by 2 every 1,600 samples). */
export const NASRL_PAPER_SPACE: NasRlSpaceOptions = {
  layers: 6,
  filterHeights: [1, 3, 5, 7],
  filterWidths: [1, 3, 5, 7],
  filters: [24, 36, 48, 64],
  strides: [1],
  inputPool: 1,
};

/**
 * The space at each scale. Kernel choices stay the paper's (they are the science); quick keeps
 * 4 layers, divides the filter counts by 4 and halves the image; smoke keeps 3 layers and two
 * kernel sizes.
 */
export function nasRlSpaceOptions(scale: Scale): NasRlSpaceOptions {
  if (scale === "paper") return NASRL_PAPER_SPACE;
  if (scale === "quick") return { ...NASRL_PAPER_SPACE, layers: 4, filters: [6, 9, 12, 16], inputPool: 2 };
  return { layers: 3, filterHeights: [1, 3], filterWidths: [1, 3], filters: [4, 8], strides: [1], inputPool: 2 };
}

/** The categorical fields of a layer, in token order, with the option list each draws from. */
const FIELDS = [
  ["filterHeight", "filterHeights"],
  ["filterWidth", "filterWidths"],
  ["filters", "filters"],
  ["stride", "strides"],
] as const;

export class NasRlSpace implements SearchSpace<NasRlGenotype> {
  readonly name = "nas-rl";

  constructor(readonly options: NasRlSpaceOptions = NASRL_PAPER_SPACE) {
    for (const name of ["layers", "inputPool"] as const) {
      if (!Number.isInteger(options[name]) || options[name] < 1) {
        throw new RangeError(`NasRlSpace needs ${name} >= 1, got ${options[name]}`);
      }
    }
    for (const [, list] of FIELDS) {
      const values = options[list];
      if (values.length === 0 || values.some((v) => !Number.isInteger(v) || v < 1)) {
        throw new RangeError(`NasRlSpace option ${list} must be a non-empty list of positive integers`);
      }
    }
  }

  /**
   * Per layer i: the anchor (one yes/no decision per earlier layer j, "does j feed i"), then
   * filter height, filter width, filters, stride. A choice list of one value is a constant, not
   * a decision, so it emits no token (the paper's main space has no stride decision).
   */
  decisions(): Decision[] {
    return this.grammar().map((g) => g.decision);
  }

  /** For each decision, a label per choice (anchors: "no", "yes"); for tables and heatmaps. */
  choiceLabels(): string[][] {
    return this.grammar().map((g) => g.labels);
  }

  private grammar(): Array<{ decision: Decision; labels: string[] }> {
    const out: Array<{ decision: Decision; labels: string[] }> = [];
    for (let i = 0; i < this.options.layers; i++) {
      for (let j = 0; j < i; j++) {
        out.push({ decision: { name: `layers[${i}].skip[${j}]`, choices: 2, kind: "anchor", layer: i, from: j }, labels: ["no", "yes"] });
      }
      for (const [field, list] of FIELDS) {
        const values = this.options[list];
        if (values.length > 1) {
          out.push({ decision: { name: `layers[${i}].${field}`, choices: values.length, kind: "categorical", layer: i }, labels: values.map(String) });
        }
      }
    }
    return out;
  }

  encode(genotype: NasRlGenotype): number[] {
    const valid = this.validate(genotype);
    const tokens: number[] = [];
    valid.layers.forEach((layer, i) => {
      for (let j = 0; j < i; j++) tokens.push(layer.inputs.includes(j) ? 1 : 0);
      for (const [field, list] of FIELDS) {
        if (this.options[list].length > 1) tokens.push(this.options[list].indexOf(layer[field]));
      }
    });
    return tokens;
  }

  decode(tokens: readonly number[]): NasRlGenotype {
    checkTokens(tokens, this.decisions());
    let k = 0;
    const next = () => tokens[k++];
    const layers = Array.from({ length: this.options.layers }, (_, i): NasRlLayer => {
      const inputs = Array.from({ length: i }, (_, j) => j).filter(() => next() === 1);
      const pick = (list: readonly number[]) => (list.length > 1 ? list[next()] : list[0]);
      const [filterHeight, filterWidth, filters, stride] = FIELDS.map(([, list]) => pick(this.options[list]));
      return { filterHeight, filterWidth, filters, stride, inputs };
    });
    return { layers };
  }

  /** Uniform over tokens: each choice equally likely, each skip present with probability 1/2. */
  sample(rng: Rng): NasRlGenotype {
    return this.decode(sampleTokens(this.decisions(), rng));
  }

  /** Changes one decision (a field of one layer, or one skip connection) to another value. */
  mutate(value: NasRlGenotype, rng: Rng): NasRlGenotype {
    const genotype = this.validate(value);
    const decisions = this.decisions();
    if (decisions.length === 0) return this.validate(genotype);
    return this.decode(mutateOneToken(this.encode(genotype), decisions, rng));
  }

  validate(value: unknown): NasRlGenotype {
    if (!isRecord(value)) throw new GenotypeError("genotype", "must be an object with a `layers` array");
    const { layers } = value;
    if (!Array.isArray(layers)) throw new GenotypeError("layers", "must be an array");
    if (layers.length !== this.options.layers) {
      throw new GenotypeError("layers", `must have ${this.options.layers} entries, has ${layers.length}`);
    }
    return { layers: layers.map((layer, i) => this.validateLayer(layer, i)) };
  }

  private validateLayer(layer: unknown, i: number): NasRlLayer {
    const path = `layers[${i}]`;
    if (!isRecord(layer)) throw new GenotypeError(path, "must be an object {filterHeight, filterWidth, filters, stride, inputs}");
    const [filterHeight, filterWidth, filters, stride] = FIELDS.map(([name, list]) => oneOf(layer[name], this.options[list], `${path}.${name}`));
    return { filterHeight, filterWidth, filters, stride, inputs: validateInputs(layer.inputs, i, `${path}.inputs`) };
  }

  /** One line: `0:3x5x36 | 1:7x7x24<0 | 2:1x3x48/s2<0,1`; `<` lists a layer's inputs. */
  describe(value: NasRlGenotype): string {
    const genotype = this.validate(value);
    return genotype.layers
      .map((l, i) => {
        const stride = l.stride === 1 ? "" : `/s${l.stride}`;
        const inputs = l.inputs.length === 0 ? "" : `<${l.inputs.join(",")}`;
        return `${i}:${l.filterHeight}x${l.filterWidth}x${l.filters}${stride}${inputs}`;
      })
      .join(" | ");
  }

  build(value: NasRlGenotype, input: ImageShape, numClasses: number, rng: Rng, options: BuildOptions = {}): Network {
    const genotype = this.validate(value);
    const width = options.widthMultiplier ?? 1;
    const layers = this.validate(genotype).layers.map((l) => ({ ...l, filters: Math.max(1, Math.round(l.filters * width)) }));
    return new NasRlNetwork({ layers }, input, numClasses, rng, this.options.inputPool);
  }
}

/** Strictly ascending indices of earlier layers: the one canonical form, so encode/decode round-trip. */
function validateInputs(value: unknown, layer: number, path: string): number[] {
  if (!Array.isArray(value)) throw new GenotypeError(path, "must be an array of earlier layer indices");
  value.forEach((v, k) => {
    if (!Number.isInteger(v) || v < 0 || v >= layer) {
      throw new GenotypeError(`${path}[${k}]`, `must be an integer in [0, ${layer}), got ${JSON.stringify(v)}`);
    }
    if (k > 0 && v <= value[k - 1]) throw new GenotypeError(`${path}[${k}]`, "must be greater than the entry before it (ascending, no repeats)");
  });
  return [...value];
}
