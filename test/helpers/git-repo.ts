import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ROOT } from './shared.js'

/** A real git repository with a base and a head commit, as actions/checkout leaves a pull request (fetch-depth: 0). */
export interface PullRequestRepo {
  readonly dir: string
  readonly base: string
  readonly head: string
  /** an event payload fixture with this repository's commits filled in */
  event(fixture: string): string
}

function git(dir: string, args: string[]): string {
  return execFileSync('git', ['-C', dir, ...args], {
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x', GIT_CONFIG_NOSYSTEM: '1', HOME: dir }
  }).trim()
}

const pod = (name: string, image: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers:\n    - name: c\n      image: ${image}\n`

/**
 * Base: deploy/{kept,changed,removed,old-name}.yaml. Head: changed.yaml gets a mutable tag,
 * added.yaml appears, removed.yaml goes, old-name.yaml is renamed to new-name.yaml, README changes.
 * Every changed manifest in head has one `mutable-tag` finding at line 8; kept.yaml has one too,
 * which only a full scan reports.
 */
export function pullRequestRepo(): PullRequestRepo {
  const dir = mkdtempSync(path.join(tmpdir(), 'pullgate-git-'))
  git(dir, ['init', '-q', '-b', 'main'])
  mkdirSync(path.join(dir, 'deploy'))
  writeFileSync(path.join(dir, 'deploy/kept.yaml'), pod('kept', 'nginx'))
  writeFileSync(path.join(dir, 'deploy/changed.yaml'), pod('changed', 'nginx:1.25'))
  writeFileSync(path.join(dir, 'deploy/removed.yaml'), pod('removed', 'redis'))
  writeFileSync(path.join(dir, 'deploy/old-name.yaml'), pod('renamed', 'busybox'))
  writeFileSync(path.join(dir, 'README.md'), '# shop\n')
  git(dir, ['add', '-A'])
  git(dir, ['commit', '-q', '-m', 'base'])
  const base = git(dir, ['rev-parse', 'HEAD'])
  writeFileSync(path.join(dir, 'deploy/changed.yaml'), pod('changed', 'nginx:latest'))
  writeFileSync(path.join(dir, 'deploy/added.yaml'), pod('added', 'alpine'))
  rmSync(path.join(dir, 'deploy/removed.yaml'))
  renameSync(path.join(dir, 'deploy/old-name.yaml'), path.join(dir, 'deploy/new-name.yaml'))
  writeFileSync(path.join(dir, 'README.md'), '# shop\n\nNow with images.\n')
  git(dir, ['add', '-A'])
  git(dir, ['commit', '-q', '-m', 'head'])
  const head = git(dir, ['rev-parse', 'HEAD'])
  return {
    dir,
    base,
    head,
    event(fixture) {
      const text = readFileSync(path.join(ROOT, '__fixtures__/events', fixture), 'utf8').replace(/BASE_SHA/g, base).replace(/HEAD_SHA/g, head)
      const file = path.join(mkdtempSync(path.join(tmpdir(), 'pullgate-event-')), 'event.json')
      writeFileSync(file, text)
      return file
    }
  }
}

/** What GitHub's pull request file list says for that repository's change. */
export const PR_FILES = [
  { filename: 'deploy/changed.yaml', status: 'modified' },
  { filename: 'deploy/added.yaml', status: 'added' },
  { filename: 'deploy/removed.yaml', status: 'removed' },
  { filename: 'deploy/new-name.yaml', status: 'renamed', previous_filename: 'deploy/old-name.yaml' },
  { filename: 'README.md', status: 'modified' }
]
