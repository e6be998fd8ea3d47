/** The action's entry point (action.yml `main`): everything happens in run(). */
import { run } from './action/main.js'
import { runBounded } from './util/worker-entry.js'

await runBounded(import.meta.url, async () => {
  await run()
  // as the CLI: nothing left hanging past the deadline keeps the step running
  process.stdout.write('', () => process.exit())
})
