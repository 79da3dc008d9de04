/**
 * The DARTS cell space as a `SearchSpace` for multi-trial strategies, so random search and
 * evolution can search the very cells DARTS derives: per cell type and node, a pair of distinct
 * inputs and an op for each. The two edges of a node are summed, so their order does not
 * matter; sample, mutate and decode list them by ascending input.
 */
import { checkTokens } from "../../core/validate";
import type { Rng } from "../../core/random";
import type { BuildOptions, Decision, ImageShape, Network, SearchSpace } from "../../core/types";
import { CELL_OPS, CELL_TYPES, CONCAT, STEPS, validateDartsGenotype, type CellType, type DartsEdge, type DartsGenotype } from "./genotypes";
import { DartsNetwork } from "./network";
import type { SkeletonOptions } from "./skeleton";

/** The input pairs (a < b) a node with `inputs` predecessors can keep, in lexicographic order. */
function inputPairs(inputs: number): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  for (let a = 0; a < inputs; a++) for (let b = a + 1; b < inputs; b++) pairs.push([a, b]);
  return pairs;
}

/** A node's two edges ordered by input. */
function canonicalCell(edges: readonly DartsEdge[]): DartsEdge[] {
  const out: DartsEdge[] = [];
  for (let node = 0; node < STEPS; node++) {
    const pair = [edges[2 * node], edges[2 * node + 1]].sort((x, y) => x.input - y.input);
    out.push(...pair.map((e) => ({ ...e })));
  }
  return out;
}

function genotypeOf(cells: Record<CellType, DartsEdge[]>): DartsGenotype {
  return { normal: cells.normal, normal_concat: [...CONCAT], reduce: cells.reduce, reduce_concat: [...CONCAT] };
}

export class DartsSpace implements SearchSpace<DartsGenotype> {
  readonly name = "darts";

  /** `network` sizes the networks `build` makes (the supernet is sized separately). */
  constructor(readonly network: SkeletonOptions) {}

  sample(rng: Rng): DartsGenotype {
    const cell = (): DartsEdge[] => {
      const edges: DartsEdge[] = [];
      for (let node = 0; node < STEPS; node++) {
        for (const input of rng.choice(inputPairs(node + 2))) edges.push({ op: rng.choice(CELL_OPS), input });
      }
      return edges;
    };
    return genotypeOf({ normal: cell(), reduce: cell() });
  }

  /**
   * AmoebaNet's two mutations: change one edge's op, or move one edge to another input (never
   * onto the node's other input). Node 0 has only c_{k-2} and c_{k-1}, so it mutates its ops.
   */
  mutate(value: DartsGenotype, rng: Rng): DartsGenotype {
    const genotype = this.validate(value);
    const cells = { normal: canonicalCell(genotype.normal), reduce: canonicalCell(genotype.reduce) };
    const edges = cells[rng.choice(CELL_TYPES)];
    const k = rng.int(edges.length);
    const node = Math.floor(k / 2);
    const sibling = edges[k % 2 === 0 ? k + 1 : k - 1];
    const freeInputs = Array.from({ length: node + 2 }, (_, i) => i).filter((i) => i !== sibling.input && i !== edges[k].input);
    if (freeInputs.length > 0 && rng.next() < 0.5) edges[k].input = rng.choice(freeInputs);
    else edges[k].op = rng.choiceExcept(CELL_OPS, edges[k].op);
    return genotypeOf({ normal: canonicalCell(cells.normal), reduce: canonicalCell(cells.reduce) });
  }

  validate(value: unknown): DartsGenotype {
    return validateDartsGenotype(value);
  }

  decisions(): Decision[] {
    return CELL_TYPES.flatMap((type) =>
      Array.from({ length: STEPS }, (_, node) => [
        { name: `${type}.node${node}.inputs`, choices: inputPairs(node + 2).length },
        { name: `${type}.node${node}.op0`, choices: CELL_OPS.length },
        { name: `${type}.node${node}.op1`, choices: CELL_OPS.length },
      ]).flat(),
    );
  }

  encode(value: DartsGenotype): number[] {
    const genotype = this.validate(value);
    return CELL_TYPES.flatMap((type) => {
      const edges = canonicalCell(genotype[type]);
      return Array.from({ length: STEPS }, (_, node) => {
        const [a, b] = [edges[2 * node], edges[2 * node + 1]];
        const pair = inputPairs(node + 2).findIndex(([x, y]) => x === a.input && y === b.input);
        return [pair, CELL_OPS.indexOf(a.op), CELL_OPS.indexOf(b.op)];
      }).flat();
    });
  }

  decode(tokens: readonly number[]): DartsGenotype {
    checkTokens(tokens, this.decisions());
    const perCell = 3 * STEPS;
    const [normal, reduce] = CELL_TYPES.map((_, c) => {
      const edges: DartsEdge[] = [];
      for (let node = 0; node < STEPS; node++) {
        const [pair, op0, op1] = tokens.slice(c * perCell + 3 * node, c * perCell + 3 * node + 3);
        const [a, b] = inputPairs(node + 2)[pair];
        edges.push({ op: CELL_OPS[op0], input: a }, { op: CELL_OPS[op1], input: b });
      }
      return edges;
    });
    return genotypeOf({ normal, reduce });
  }

  describe(value: DartsGenotype): string {
    const genotype = this.validate(value);
    const cell = (edges: readonly DartsEdge[]) =>
      Array.from({ length: STEPS }, (_, node) => {
        const [a, b] = [edges[2 * node], edges[2 * node + 1]];
        return `${node}=${a.op}(${a.input})+${b.op}(${b.input})`;
      }).join(" ");
    return `normal: ${cell(genotype.normal)}\nreduce: ${cell(genotype.reduce)}`;
  }

  build(value: DartsGenotype, input: ImageShape, numClasses: number, rng: Rng, options: BuildOptions = {}): Network {
    const genotype = this.validate(value);
    const multiplier = options.widthMultiplier ?? 1;
    // FactorizedReduce needs an even channel count.
    const channels = Math.max(2, 2 * Math.round((this.network.channels * multiplier) / 2));
    return new DartsNetwork(genotype, { ...this.network, channels }, input, numClasses, rng);
  }
}
