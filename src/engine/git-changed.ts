import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { UsageError } from './options.js'

const run = promisify(execFile)

/** The files a change touches (added, modified, renamed to), and how that was learned. */
export interface ChangedFiles {
  readonly files: string[]
  /** files in the change, removed ones included */
  readonly total: number
  readonly source: 'api' | 'git'
  /** why the git fallback ran, said in the summary */
  readonly note?: string
}

/**
 * The files changed between two commits (`git diff`), removed ones left out and renamed ones
 * under their new name; `head` undefined compares with the working tree.
 */
export async function gitChangedFiles(workspace: string, base: string, head?: string): Promise<Omit<ChangedFiles, 'note'>> {
  try {
    const range = head ? [base, head] : [base]
    // without rename detection a renamed file is its old name deleted and its new name added
    const out = (await run('git', ['-C', workspace, 'diff', '--name-status', '-z', '--no-renames', ...range], { maxBuffer: 64 * 1024 * 1024 })).stdout.split('\0')
    const entries: Array<{ status: string; file: string }> = []
    for (let i = 0; i + 1 < out.length; i += 2) entries.push({ status: out[i]!, file: out[i + 1]! })
    return { files: entries.filter((e) => e.status !== 'D').map((e) => e.file), total: entries.length, source: 'git' }
  } catch (error) {
    throw new UsageError(
      `could not list the changed files with git diff ${base.slice(0, 12)}${head ? ` ${head.slice(0, 12)}` : ''} (${(error as Error).message.split('\n')[0]}); ` +
        'check out with `fetch-depth: 0` so both commits are there, or set scope: all'
    )
  }
}
