import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import type { ServerResponse } from 'node:http'
import { FakeServer } from '../helpers/fake-registry.js'
import { PR_FILES, pullRequestRepo, type PullRequestRepo } from '../helpers/git-repo.js'
import { runAction } from '../helpers/run-dist.js'

// GitHub's REST API cannot run here: a local server at GITHUB_API_URL serves the pull request's
// files, paginated like the real one (per_page, Link rel="next").
let api: FakeServer
let repo: PullRequestRepo
let mode: 'normal' | 'huge' | 'broken' = 'normal'

function page(res: ServerResponse, all: object[], pageNo: number, perPage: number, url: URL): void {
  const slice = all.slice((pageNo - 1) * perPage, pageNo * perPage)
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (pageNo * perPage < all.length) {
    const next = new URL(url)
    next.searchParams.set('page', String(pageNo + 1))
    headers.link = `<${next.href}>; rel="next"`
  }
  res.writeHead(200, headers)
  res.end(JSON.stringify(slice))
}

beforeAll(async () => {
  repo = pullRequestRepo()
  api = await new FakeServer((req, res) => {
    const url = new URL(req.url!, api.url)
    if (!/^\/repos\/acme\/shop\/pulls\/\d+\/files$/.test(url.pathname)) {
      res.writeHead(404)
      res.end('{}')
      return
    }
    if (mode === 'broken') {
      res.writeHead(502, { 'content-type': 'application/json' })
      res.end('{"message":"Bad gateway"}')
      return
    }
    // 150 files (two pages) normally; 3,000 (GitHub's cap) for the huge pull request
    const filler = Array.from({ length: mode === 'huge' ? 3000 - PR_FILES.length : 145 }, (_, i) => ({ filename: `docs/page-${i}.md`, status: 'added' }))
    page(res, [...PR_FILES, ...filler], Number(url.searchParams.get('page') ?? '1'), Number(url.searchParams.get('per_page') ?? '30'), url)
  }).start()
})
afterAll(() => api.stop())

function run(event: string, fixture: string, inputs: Record<string, string> = {}) {
  return runAction(
    repo.dir,
    { offline: 'true', 'github-token': 'ghs_test_token_123', ...inputs },
    {
      GITHUB_EVENT_NAME: event,
      GITHUB_EVENT_PATH: repo.event(fixture),
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_API_URL: api.url
    }
  )
}

function annotatedFiles(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('::warning title=mutable-tag'))
    .map((l) => /file=([^,]+)/.exec(l)![1]!)
}

describe('scope', () => {
  test('a pull request: only the manifests it changes (GitHub API, paginated); removed files skipped, renamed ones under their new name', async () => {
    mode = 'normal'
    api.seen.length = 0
    const result = await run('pull_request', 'pull_request.json')
    expect(result.code).toBe(0)
    expect(annotatedFiles(result.stdout)).toEqual(['deploy/added.yaml', 'deploy/changed.yaml', 'deploy/new-name.yaml'])
    expect(api.seen.map((s) => s.path)).toEqual(['/repos/acme/shop/pulls/7/files?per_page=100', '/repos/acme/shop/pulls/7/files?per_page=100&page=2'])
    expect(api.seen[0]!.headers.authorization).toBe('token ghs_test_token_123')
    expect(result.summary).toContain("Scope: the 3 files among `paths` that this pull request changes (150 files changed, from GitHub's API).")
  })

  test('past the API cap of 3,000 files: git diff between base and head, and the summary says so', async () => {
    mode = 'huge'
    const result = await run('pull_request', 'pull_request.json')
    expect(annotatedFiles(result.stdout)).toEqual(['deploy/added.yaml', 'deploy/changed.yaml', 'deploy/new-name.yaml'])
    expect(result.stdout).toContain(
      "::notice::pullgate: the pull request changes 3000 files or more, more than GitHub's API lists, so the changed files come from git diff."
    )
    expect(result.summary).toContain('(6 files changed, from git diff:')
  })

  test('an API failure falls back to git diff too', async () => {
    mode = 'broken'
    const result = await run('pull_request', 'pull_request.json')
    expect(annotatedFiles(result.stdout)).toEqual(['deploy/added.yaml', 'deploy/changed.yaml', 'deploy/new-name.yaml'])
    expect(result.stdout).toMatch(/::notice::pullgate: GitHub's API did not list the files \(.*\), so the changed files come from git diff\./)
  })

  test.each([
    ['workflow_dispatch', 'workflow_dispatch.json'],
    ['schedule', 'schedule.json'],
    ['push', 'push.json']
  ])('%s audits every manifest', async (event, fixture) => {
    mode = 'normal'
    const result = await run(event, fixture)
    expect(annotatedFiles(result.stdout)).toEqual(['deploy/added.yaml', 'deploy/changed.yaml', 'deploy/kept.yaml', 'deploy/new-name.yaml'])
    expect(result.summary).toContain(`Scope: every manifest \`paths\` matches (${event}).`)
  })

  test('scope: all on a pull request checks everything; scope: changed outside one is a usage error', async () => {
    mode = 'normal'
    expect(annotatedFiles((await run('pull_request', 'pull_request.json', { scope: 'all' })).stdout)).toHaveLength(4)
    const wrong = await run('schedule', 'schedule.json', { scope: 'changed' })
    expect(wrong.code).toBe(1)
    expect(wrong.stdout.replace(/^::add-mask::.*\n/gm, '').trim()).toBe(
      '::error::pullgate: scope: changed needs a pull_request or pull_request_target event (this run is schedule)'
    )
  })

  test('a pull request that touches no manifest passes with a one-line summary', async () => {
    mode = 'normal'
    const result = await run('pull_request', 'pull_request.json', { paths: 'charts/**/*.yaml' })
    expect(result.code).toBe(0)
    expect(result.summary.trim()).toBe(
      "## pullgate ✅ passed\n\nNo manifest changed in this pull request (150 files changed, from GitHub's API): nothing to check."
    )
  })
})
