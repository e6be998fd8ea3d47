/** The action's entry point (action.yml `main`): the run happens in dist/action-run.js, in a worker. */
import { launch } from './util/worker-entry.js'

await launch(import.meta.url, 'action-run.js')
