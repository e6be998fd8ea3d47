/** The action's entry point (action.yml `main`): everything happens in run(). */
import { run } from './action/main.js'

await run()
