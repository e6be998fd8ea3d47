#!/usr/bin/env node
/** The CLI's entry point (`node dist/cli.js [options] PATH...`). */
import { cli } from './cli/main.js'

process.exitCode = await cli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
  env: process.env
})
