import * as github from '@actions/github'
import { UsageError } from '../engine/options.js'
import { gitChangedFiles } from '../engine/git-changed.js'

/** GitHub lists at most this many files of a pull request ("Responses include a maximum of 3000 files"). */
const API_FILE_CAP = 3000

/** The files a pull request changes (added, modified, renamed to), and how that was learned. */
export type { ChangedFiles } from '../engine/git-changed.js'
import type { ChangedFiles } from '../engine/git-changed.js'

/**
 * Lists a pull request's changed files from the REST API (paginated), falling back to
 * `git diff` between its base and head when the API is capped (3,000 files) or fails. Removed
 * files are left out (nothing to check); a renamed file counts under its new name.
 */
export async function changedFiles(token: string | undefined, workspace: string): Promise<ChangedFiles> {
  const pr = github.context.payload.pull_request as { number: number; base: { sha: string }; head: { sha: string } } | undefined
  if (!pr) throw new UsageError(`scope: changed needs a pull_request or pull_request_target event (this run is ${github.context.eventName || 'not from an event'})`)
  let note: string
  if (token) {
    try {
      const octokit = github.getOctokit(token)
      const { owner, repo } = github.context.repo
      const listed = await octokit.paginate(octokit.rest.pulls.listFiles, { owner, repo, pull_number: pr.number, per_page: 100 })
      if (listed.length < API_FILE_CAP) {
        return { files: listed.filter((f) => f.status !== 'removed').map((f) => f.filename), total: listed.length, source: 'api' }
      }
      note = `the pull request changes ${API_FILE_CAP} files or more, more than GitHub's API lists`
    } catch (error) {
      note = `GitHub's API did not list the files (${(error as Error).message.split('\n')[0]})`
    }
  } else {
    note = 'no github-token to ask GitHub'
  }
  return { ...(await gitChangedFiles(workspace, pr.base.sha, pr.head.sha)), note: `${note}, so the changed files come from git diff` }
}

