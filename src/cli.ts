#!/usr/bin/env node
/** The CLI's entry point (`node dist/cli.js [options] PATH...`). */
import { cli } from './cli/main.js'

const code = await cli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
  env: process.env
})
// exit once the output is flushed: a connection left hanging past the deadline (a TLS handshake
// that never ends) must not keep the process alive
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)))
