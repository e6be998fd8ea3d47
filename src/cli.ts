#!/usr/bin/env node
/** The CLI's entry point (`node dist/cli.js [options] PATH...`). */
import { cli } from './cli/main.js'
import { runBounded } from './util/worker-entry.js'

await runBounded(import.meta.url, async () => {
  const code = await cli(process.argv.slice(2), {
    // wait for the stream to drain: a report written in pieces must not pile up in memory
    stdout: (text) => new Promise<void>((resolve) => (process.stdout.write(text) ? resolve() : process.stdout.once('drain', resolve))),
    stderr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    env: process.env
  })
  // exit once the output is flushed: a connection left hanging past the deadline (a TLS handshake
  // that never ends) must not keep the process alive
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)))
})
