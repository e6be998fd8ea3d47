#!/usr/bin/env node
/** The CLI's entry point (`node dist/cli.js [options] PATH...`): the run happens in dist/cli-run.js, in a worker. */
import { launch } from './util/worker-entry.js'

await launch(import.meta.url, 'cli-run.js')
