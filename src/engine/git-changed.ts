import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { UsageError } from './options.js'

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
  const git = (args: string[]) => promisify(execFile)('git', ['-C', workspace, ...args], { maxBuffer: 64 * 1024 * 1024 })
  try {
    const range = head ? [base, head] : [base]
    const all = (await git(['diff', '--name-only', '-z', '--no-renames', ...range])).stdout.split('\0').filter(Boolean)
    const kept = (await git(['diff', '--name-only', '-z', '--diff-filter=d', '-M', ...range])).stdout.split('\0').filter(Boolean)
    return { files: kept, total: all.length, source: 'git' }
  } catch (error) {
    throw new UsageError(
      `could not list the changed files with git diff ${base.slice(0, 12)}${head ? ` ${head.slice(0, 12)}` : ''} (${(error as Error).message.split('\n')[0]}); ` +
        'check out with `fetch-depth: 0` so both commits are there, or set scope: all'
    )
  }
}
