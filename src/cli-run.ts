/** The CLI's run (started by dist/cli.js in a worker thread). */
import { cli } from './cli/main.js'

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
