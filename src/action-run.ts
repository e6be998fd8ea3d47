/** The action's run (started by dist/index.js in a worker thread): everything happens in run(). */
import { run } from './action/main.js'

await run()
// as the CLI: nothing left hanging past the deadline keeps the step running
process.stdout.write('', () => process.exit())
