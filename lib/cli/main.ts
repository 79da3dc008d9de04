#!/usr/bin/env node
/** `nasbook`: run searches from the command line. User mistakes print a paragraph, not a stack. */
import { backendReport, initBackend } from "../backend/select";
import { NasbookError, UsageError } from "../core/errors";
import { fileError } from "../core/file-errors";
import { buildBenchmark, checkBenchmark, type BenchmarkBuildRequest } from "../experiment/benchmark-build";
import { METHODS } from "../experiment/methods";
import { QueueWorker, type QueueWorkerOptions } from "../experiment/queue/queue-worker";
import { runTabularSearch, type TabularSearchRequest } from "../experiment/tabular-search";
import { runSearch } from "../experiment/run-search";
import { ProgressBar } from "../viz/progress";
import { parseCommand, usage } from "./args";

async function main(argv: readonly string[]): Promise<number> {
  const methods = Object.keys(METHODS);
  try {
    const command = parseCommand(argv, methods);
    if (command.kind === "help") {
      console.log(usage(methods));
      return 0;
    }
    if (command.kind === "backend") {
      console.log(backendReport(await initBackend()));
      return 0;
    }
    if (command.kind === "worker") return await worker(command.request);
    if (command.kind === "bench-build") return await benchBuild(command.request);
    if (command.kind === "bench-check") return await benchCheck(command.request);
    if (command.kind === "tabular-search") return await tabularSearch(command.request);
    const { request } = command;
    const trials = new ProgressBar({ total: 0, label: `${request.method} search` });
    const download = new ProgressBar({ total: 0, label: "download" });
    const { summary, store } = await runSearch(request, {
      onTrials: trials.callback,
      onDownload: download.callback,
      log: (line) => console.error(line),
    });
    trials.finish();
    const best = summary.best;
    console.log(
      best
        ? `Best: trial ${best.id}, validation ${best.validAccuracy.toFixed(4)}, test ${best.testAccuracy?.toFixed(4)}.`
        : "No trial succeeded; see trials.jsonl for the errors.",
    );
    console.log(`Run directory: ${store.dir} (summary.json, trials.jsonl, report.html)`);
    return 0;
  } catch (thrown) {
    // A filesystem error that no layer named (a data or cache folder, say) is still the user's to fix.
    const error = fileError(thrown, "read or write a file");
    if (!(error instanceof NasbookError)) throw error;
    console.error(`nasbook: ${error.message}`);
    if (error instanceof UsageError) console.error(`\n${usage(methods)}`);
    return error instanceof UsageError ? 2 : 1;
  }
}

async function tabularSearch(request: Omit<TabularSearchRequest, "onTrials" | "log">): Promise<number> {
  const { summary, store } = await runTabularSearch({ ...request, log: (line) => console.error(line) });
  const best = summary.best;
  console.log(
    best
      ? `Best: trial ${best.id}, validation ${best.validAccuracy.toFixed(4)}, test ${best.testAccuracy?.toFixed(4)} (looked up in ${summary.benchmark}), ` +
          `${summary.trials.ok + summary.trials.failed} trials, ${Number(summary.simulatedSeconds).toFixed(0)} simulated seconds.`
      : "No trial succeeded; see trials.jsonl for the errors.",
  );
  console.log(`Run directory: ${store.dir} (summary.json, trials.jsonl, report.html)`);
  return 0;
}

/** Runs until SIGTERM or SIGINT, then hands its running trials back to the queue. */
async function worker(request: Omit<QueueWorkerOptions, "log" | "env">): Promise<number> {
  const running = await QueueWorker.start({ ...request, log: (line) => console.error(`nasbook worker: ${line}`) });
  const signal = await new Promise<string>((resolve) => {
    for (const name of ["SIGTERM", "SIGINT"] as const) process.once(name, () => resolve(name));
  });
  console.error(`nasbook worker: ${signal}: handing running trials back and stopping`);
  await running.stop();
  return 0;
}

async function benchBuild(request: Omit<BenchmarkBuildRequest, "onProgress" | "log">): Promise<number> {
  const bar = new ProgressBar({ total: 0, label: `${request.space} table` });
  const result = await buildBenchmark({ ...request, onProgress: bar.callback, log: (line) => console.error(line) });
  bar.finish();
  if (result.table) console.log(`Table: ${result.table} (${result.total} trainings; run directory ${result.runDir})`);
  else console.log(`Trained ${result.trained} of ${result.total}; re-run to go on (run directory ${result.runDir}).`);
  return 0;
}

async function benchCheck(request: Omit<BenchmarkBuildRequest, "onProgress" | "log">): Promise<number> {
  const bar = new ProgressBar({ total: 0, label: `${request.space} check` });
  const check = await checkBenchmark({ ...request, onProgress: bar.callback, log: (line) => console.error(line) });
  bar.finish();
  console.log(`${check.cells} cells trained again at ${JSON.stringify(check.fidelity)}: Spearman with the table ${check.validSpearman.toFixed(3)} (validation), ${check.testSpearman.toFixed(3)} (test).`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(70);
  },
);
