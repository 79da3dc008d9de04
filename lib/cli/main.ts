#!/usr/bin/env node
/** `nasbook`: run searches from the command line. User mistakes print a paragraph, not a stack. */
import { backendReport, initBackend } from "../backend/select";
import { NasbookError, UsageError } from "../core/errors";
import { METHODS } from "../experiment/methods";
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
  } catch (error) {
    if (!(error instanceof NasbookError)) throw error;
    console.error(`nasbook: ${error.message}`);
    if (error instanceof UsageError) console.error(`\n${usage(methods)}`);
    return error instanceof UsageError ? 2 : 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(70);
  },
);
