/**
 * A NAS-Bench-201 cell written down as plain JSON: the ops of its 6 edges, in the order of the
 * benchmark's architecture strings (node 1's edge from node 0; node 2's from 0 and 1; node 3's
 * from 0, 1 and 2). Node 0 is the cell's input, node 3 its output; every node sums one op over
 * every earlier node. Genotypes print and parse as those strings, so results can be held
 * against the benchmark's own tables:
 *   |nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|
 */
import { GenotypeError } from "../../core/errors";
import { isRecord, oneOf } from "../../core/validate";

/** NAS-Bench-201's op list, in its order (nas_201_api's NAS_BENCH_201): token i is op i. */
export const NB201_OPS = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"] as const;
export type Nb201Op = (typeof NB201_OPS)[number];

/** One edge of the cell: `to` sums op(`from`). */
export interface Nb201Edge {
  readonly to: number;
  readonly from: number;
  /** As decisions and error messages name it, e.g. `node2.from1`. */
  readonly name: string;
}

/** Nodes after the input: 1, 2, 3. */
export const NB201_NODES = 3;

/** The 6 edges in string order. */
export const NB201_EDGES: readonly Nb201Edge[] = Array.from({ length: NB201_NODES }, (_, n) => n + 1).flatMap((to) =>
  Array.from({ length: to }, (_, from) => ({ to, from, name: `node${to}.from${from}` })),
);

// A type alias, not an interface: only aliases are assignable to the `Json` constraint.
export type Nb201Genotype = {
  /** The op of each edge of NB201_EDGES, in that order. */
  edges: Nb201Op[];
};

/** Checks untrusted JSON; throws GenotypeError naming the first bad field (e.g. `edges[2] (node2.from1)`). */
export function validateNb201Genotype(value: unknown): Nb201Genotype {
  if (!isRecord(value)) throw new GenotypeError("genotype", 'must be an object like {"edges": ["nor_conv_3x3", ...]}');
  const { edges } = value;
  if (!Array.isArray(edges) || edges.length !== NB201_EDGES.length) {
    throw new GenotypeError("edges", `must be an array of ${NB201_EDGES.length} ops (${NB201_EDGES.map((e) => e.name).join(", ")})`);
  }
  return { edges: edges.map((op, k) => oneOf(op, NB201_OPS, `edges[${k}] (${NB201_EDGES[k].name})`)) };
}

/** The architecture string NAS-Bench-201 indexes its table by. */
export function formatNb201(genotype: Nb201Genotype): string {
  const groups = Array.from({ length: NB201_NODES }, (_, n) => {
    const terms = NB201_EDGES.flatMap((e, k) => (e.to === n + 1 ? [`${genotype.edges[k]}~${e.from}`] : []));
    return `|${terms.join("|")}|`;
  });
  return groups.join("+");
}

/**
 * Reads an architecture string. Each node's group must list its sources 0, 1, ... in order, as
 * NAS-Bench-201 prints them; errors say which node and term is wrong.
 */
export function parseNb201(text: string): Nb201Genotype {
  const field = (where?: string) => `architecture string ${JSON.stringify(text)}${where ? `, ${where},` : ""}`;
  const groups = text.split("+");
  if (groups.length !== NB201_NODES) {
    throw new GenotypeError(field(), `must have ${NB201_NODES} node groups joined by "+", has ${groups.length}`);
  }
  const edges = groups.flatMap((group, n) => parseGroup(group, n + 1, field));
  return { edges };
}

/** The ops of node `to`'s group `|op~0|op~1|...|`. */
function parseGroup(group: string, to: number, field: (where?: string) => string): Nb201Op[] {
  const terms = group.split("|");
  if (terms.length !== to + 2 || terms[0] !== "" || terms[terms.length - 1] !== "") {
    const expected = Array.from({ length: to }, (_, j) => `op~${j}`).join("|");
    throw new GenotypeError(field(`node ${to}'s group ${JSON.stringify(group)}`), `must read |${expected}|, one term per earlier node`);
  }
  return terms.slice(1, -1).map((term, from) => {
    const [op, source, ...rest] = term.split("~");
    const where = field(`node ${to}'s term ${from + 1} ${JSON.stringify(term)}`);
    if (source !== String(from) || rest.length > 0) throw new GenotypeError(where, `must end in ~${from} (sources are listed 0 to ${to - 1} in order)`);
    if (!(NB201_OPS as readonly string[]).includes(op)) throw new GenotypeError(where, `has unknown op ${JSON.stringify(op)}; the ops are ${NB201_OPS.join(", ")}`);
    return op as Nb201Op;
  });
}
