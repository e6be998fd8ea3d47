import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { SHARE_ENV, Worker } from 'node:worker_threads'

/**
 * The young generation a run's heap may use, in MB. Left alone, V8 grows it to 128 MB while a
 * scan allocates YAML trees file after file, although almost all of that is garbage a moment
 * later; bounded, the offline scan of bench/full.js's 5,000 files peaks at ~185 MB RSS instead
 * of ~245 MB, in the same time. Only a worker's heap can be bounded from inside the program:
 * the action cannot pass node flags (`runs: using: node24`), nor can the CLI's shebang.
 */
const YOUNG_GENERATION_MB = 16

/**
 * Runs the bundle `file` (beside the calling entry point) in a worker thread with a bounded
 * young generation; the main thread, which loads nothing but this, waits for its exit code.
 * Standard streams, environment and exit code are the worker's, as if it were the process.
 * (The run files work on their own too: `node dist/cli-run.js …` for a debugger or a profiler.)
 */
export async function launch(entryUrl: string, file: string): Promise<void> {
  const target = path.join(path.dirname(fileURLToPath(entryUrl)), file)
  await new Promise<void>((resolve) => {
    const worker = new Worker(target, {
      argv: process.argv.slice(2),
      env: SHARE_ENV,
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB }
    })
    worker.on('error', (error) => {
      // the run never throws; this is a bug or the heap running out: said in one line
      process.stderr.write(`pullgate: internal error: ${error instanceof Error ? error.message : String(error)}\n`)
      process.exitCode = 2
    })
    worker.on('exit', (code) => {
      if (code !== 0 || process.exitCode === undefined) process.exitCode = code
      resolve()
    })
  })
}
