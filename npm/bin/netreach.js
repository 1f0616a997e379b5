#!/usr/bin/env node
// The `netreach` command. Everything lives in ../lib/cli; see `netreach --help`.

import { main } from "../lib/cli/main.js";

// `netreach ... | head` closes stdout early: that is not an error.
process.stdout.on("error", (error) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
