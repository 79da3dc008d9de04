import { test } from "node:test";
import assert from "node:assert/strict";
import { allNb201Genotypes, nb201CanonicalKey, nb201Index, nb201Representative, uniqueNb201Genotypes } from "../../lib/spaces/nb201/canonical";
import { computedEdges } from "../../lib/spaces/nb201/cell";
import { formatNb201, parseNb201, type Nb201Genotype } from "../../lib/spaces/nb201/genotypes";

const key = (text: string) => nb201CanonicalKey(parseNb201(text));

test("the 15,625 strings fall into NAS-Bench-201's 6,466 unique cells", () => {
  const keys = new Set(allNb201Genotypes().map(nb201CanonicalKey));
  assert.equal(keys.size, 6466);
  const unique = uniqueNb201Genotypes();
  assert.equal(unique.length, 6466);
  assert.equal(new Set(unique.map(nb201CanonicalKey)).size, 6466, "one representative per class");
  const indices = unique.map(nb201Index);
  assert.deepEqual(indices, [...indices].sort((a, b) => a - b), "in enumeration order");
});

test("a class's representative is its first member in enumeration order, and computes the fewest edges", () => {
  const firstOf = new Map<string, number>();
  const fewest = new Map<string, number>();
  const cost = (g: Nb201Genotype) => computedEdges(g).filter(Boolean).length;
  allNb201Genotypes().forEach((g, i) => {
    const k = nb201CanonicalKey(g);
    if (!firstOf.has(k)) firstOf.set(k, i);
    fewest.set(k, Math.min(fewest.get(k) ?? Infinity, cost(g)));
    assert.equal(nb201Index(nb201Representative(g)), firstOf.get(k));
  });
  for (const r of uniqueNb201Genotypes()) assert.equal(cost(r), fewest.get(nb201CanonicalKey(r)), formatNb201(r));
});

test("the key is node 3's expression: skip copies a node, none is a zero term, sums are sorted", () => {
  assert.equal(key("|nor_conv_3x3~0|+|none~0|none~1|+|none~0|nor_conv_1x1~1|skip_connect~2|"), "#+#+#+((0)@nor_conv_3x3)@nor_conv_1x1");
  assert.equal(key("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"), "#+#+#");
});

test("cells that differ only on edges that cannot reach the output share a key", () => {
  // Node 3 reads only the input: nodes 1 and 2 are dead whatever their ops.
  const base = key("|none~0|+|none~0|none~1|+|nor_conv_3x3~0|none~1|none~2|");
  assert.equal(key("|nor_conv_1x1~0|+|avg_pool_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|none~1|none~2|"), base);
  assert.equal(key("|skip_connect~0|+|nor_conv_3x3~0|skip_connect~1|+|nor_conv_3x3~0|none~1|none~2|"), base);
});

test("isomorphic cells share a key", () => {
  // Node 1 is a copy of the input, so reading node 1 or node 0 is the same; the order of a sum does not matter.
  assert.equal(
    key("|skip_connect~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|none~0|none~1|skip_connect~2|"),
    key("|skip_connect~0|+|avg_pool_3x3~0|nor_conv_3x3~1|+|none~0|none~1|skip_connect~2|"),
  );
  // A conv through a skip chain: conv(skip(x)) read through node 2 or conv(x) straight into node 3.
  assert.equal(
    key("|skip_connect~0|+|none~0|nor_conv_3x3~1|+|none~0|none~1|skip_connect~2|"),
    key("|none~0|+|nor_conv_3x3~0|none~1|+|none~0|none~1|skip_connect~2|"),
  );
});

test("cells that compute different functions have different keys", () => {
  // Same ops, other wiring: conv then pool in sequence vs the two side by side.
  assert.notEqual(
    key("|nor_conv_3x3~0|+|none~0|avg_pool_3x3~1|+|none~0|none~1|skip_connect~2|"),
    key("|nor_conv_3x3~0|+|avg_pool_3x3~0|none~1|+|none~0|skip_connect~1|skip_connect~2|"),
  );
  assert.notEqual(key("|nor_conv_3x3~0|+|none~0|none~1|+|none~0|skip_connect~1|none~2|"), key("|nor_conv_1x1~0|+|none~0|none~1|+|none~0|skip_connect~1|none~2|"));
});

test("the network computes only the edges that can change the output", () => {
  const computed = (text: string) => computedEdges(parseNb201(text));
  assert.deepEqual(computed("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"), [false, false, false, false, false, false]);
  assert.deepEqual(
    computed("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|"),
    [true, true, true, true, true, true],
  );
  // Node 2 reaches the output only through none: its edges and node 1's are dead.
  assert.deepEqual(computed("|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|avg_pool_3x3~0|none~1|none~2|"), [false, false, false, true, false, false]);
  // Node 1 is zero: skip and pooling of it are zero, a conv of it is BatchNorm's shift and is computed.
  assert.deepEqual(computed("|none~0|+|none~0|skip_connect~1|+|none~0|avg_pool_3x3~1|skip_connect~2|"), [false, false, false, false, false, false]);
  assert.deepEqual(computed("|none~0|+|none~0|nor_conv_1x1~1|+|none~0|none~1|skip_connect~2|"), [false, false, true, false, false, true]);
});
