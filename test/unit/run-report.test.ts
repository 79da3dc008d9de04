import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Figure } from "../../lib/viz/plotly";
import type { ReportSection } from "../../lib/viz/report";
import { loadDataset } from "../../lib/data";
import { methodNamed } from "../../lib/experiment/methods";
import { settingRows } from "../../lib/experiment/run-report";
import { CELL_TYPES, DARTS_OPS, EDGE_COUNT, type DartsGenotype } from "../../lib/spaces/darts/genotypes";
import { NasRlSpace } from "../../lib/spaces/nasrl/space";
import { RunStore } from "../../lib/store/run-store";

const cli = path.join(__dirname, "..", "..", "lib", "cli", "main.js");
const env = { ...process.env, NASBOOK_BACKEND: process.env.NASBOOK_BACKEND || "wasm", NASBOOK_SCALE: "" };

/** A real smoke search through the CLI; its directory, its report and the method's sections read back from it. */
async function smokeRun(method: string): Promise<{ dir: string; html: string; sections: ReportSection[]; store: RunStore }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `nasbook-report-${method}-`));
  const result = spawnSync(process.execPath, [cli, "search", "--method", method, "--dataset", "fashion-mnist", "--scale", "smoke", "--seed", "1", "--out", dir], { env, encoding: "utf8" });
  assert.equal(result.status, 0, result.stderr);
  const store = RunStore.existing(dir);
  const scaled = methodNamed(method).at("smoke");
  const { info } = await loadDataset("fashion-mnist", { seed: 1, ...scaled.data });
  const sections = scaled.reportSections!({ store, trials: store.trials(), info });
  return { dir, html: fs.readFileSync(path.join(dir, "report.html"), "utf8"), sections, store };
}

function figureTitled(sections: readonly ReportSection[], start: string): Figure {
  const figure = sections.flatMap((s) => s.figures ?? []).find((f) => String((f.layout?.title as { text: string }).text).startsWith(start));
  assert.ok(figure, `a figure titled "${start}..."`);
  return figure;
}

const count = (haystack: string, needle: string) => haystack.split(needle).length - 1;

test("a darts run's report has the alpha heatmaps, the losses and accuracy per epoch, and both derived cells drawn", async () => {
  const { dir, html, sections, store } = await smokeRun("darts");
  try {
    const alphas = store.readArtifact("alphas.json") as unknown as { alphaHistory: Array<Record<string, number[][]>>; epochs: Array<{ trainLoss: number; supernetAccuracy: number }> };
    const [genotype] = store.trials().map((t) => t.genotype as DartsGenotype);

    // The final softmax(alpha): one heatmap per cell, edges x ops, each row a distribution, the numbers of alphas.json.
    const final = figureTitled(sections, "softmax(α) per edge and operation at the end");
    assert.deepEqual(final.data.map((t) => t.name), [...CELL_TYPES]);
    for (const [c, trace] of final.data.entries()) {
      const z = trace.z as number[][];
      assert.equal(z.length, EDGE_COUNT);
      assert.deepEqual(trace.x, [...DARTS_OPS]);
      for (const row of z) assert.ok(Math.abs(row.reduce((s, p) => s + p, 0) - 1) < 1e-5);
      assert.deepEqual(z, alphas.alphaHistory[alphas.alphaHistory.length - 1][CELL_TYPES[c]]);
    }
    // Over the epochs: a row per (edge, op), a column per snapshot (epoch 0 included).
    const history = figureTitled(sections, "softmax(α) per edge and operation over the epochs");
    const z = history.data[0].z as number[][];
    assert.equal(z.length, EDGE_COUNT * DARTS_OPS.length);
    assert.equal(z[0].length, alphas.alphaHistory.length);

    const losses = figureTitled(sections, "Search losses per epoch");
    assert.deepEqual(losses.data[0].y, alphas.epochs.map((e) => e.trainLoss));
    assert.deepEqual(losses.data[2].y, [Math.log(10)]);
    const accuracy = figureTitled(sections, "Supernet accuracy per epoch");
    assert.deepEqual(accuracy.data[0].y, alphas.epochs.map((e) => e.supernetAccuracy));

    // The page: every figure's title, both cells drawn with their ops, config.json one setting per row.
    for (const title of ["at the end of the search", "over the epochs", "Search losses per epoch", "Supernet accuracy per epoch"]) assert.ok(html.includes(title), title);
    assert.equal(count(html, '<figure class="nasbook-drawing-figure"><img class="nasbook-drawing"'), 2);
    const drawings = sections.flatMap((s) => s.drawings ?? []);
    for (const [i, type] of CELL_TYPES.entries()) for (const edge of genotype[type]) assert.ok(drawings[i].svg.includes(`>${edge.op}</text>`), `${type}: ${edge.op}`);
    assert.match(html, /<td>search\.alphaLr<\/td>/);
    assert.match(html, /<div class="nasbook-scroll"><table/);
    assert.doesNotMatch(html, /Parameters vs validation accuracy/, "no one-point search figures for a one-shot run");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a nas-rl run's report has the controller's probabilities, the reward against the baseline, and the best child drawn", async () => {
  const { dir, html, sections, store } = await smokeRun("nas-rl");
  try {
    const { updates } = store.readArtifact("controller.json") as unknown as { updates: Array<{ told: number; rewards: number[]; baseline: number; probabilities: number[][] }> };
    assert.ok(updates.length >= 2);
    const space = new NasRlSpace(methodNamed("nas-rl").at("smoke").settings.spaceOptions as never);
    const decisions = space.decisions();

    const probabilities = figureTitled(sections, "Controller probabilities per decision");
    const [heatmap] = probabilities.data;
    const rows = decisions.reduce((n, d) => n + (d.kind === "anchor" ? 1 : d.choices), 0);
    assert.equal((heatmap.y as string[]).length, rows);
    assert.deepEqual(heatmap.x, updates.map((u) => u.told));
    assert.deepEqual((heatmap.z as number[][])[0], updates.map((u) => u.probabilities[0][0]));

    const reward = figureTitled(sections, "Reward per controller batch");
    const [meanReward, baseline] = reward.data;
    assert.deepEqual(meanReward.y, updates.map((u) => u.rewards.reduce((s, r) => s + r, 0) / u.rewards.length));
    assert.deepEqual(baseline.y, updates.map((u) => u.baseline));
    assert.deepEqual((meanReward.line as { color: string }).color, (baseline.line as { color: string }).color, "a run's baseline in its reward's colour");

    for (const title of ["Controller probabilities per decision", "Reward per controller batch"]) assert.ok(html.includes(title), title);
    assert.equal(count(html, '<figure class="nasbook-drawing-figure"><img class="nasbook-drawing"'), 1);
    assert.match(html, /its reward is the best of its last 5 epochs&#39; accuracies, cubed/);
    assert.match(html, /Parameters vs validation accuracy/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("config.json is shown one setting per row, nested settings by their path, lists whole", () => {
  assert.deepEqual(settingRows({ method: "darts", search: { epochs: 2, alphaBetas: [0.5, 0.999], gdasTau: null }, data: {} }), [
    { setting: "method", value: "darts" },
    { setting: "search.epochs", value: 2 },
    { setting: "search.alphaBetas", value: [0.5, 0.999] },
    { setting: "search.gdasTau", value: null },
  ]);
});
