import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'
import { FakeServer } from '../helpers/fake-registry.js'
import { PR_FILES, pullRequestRepo } from '../helpers/git-repo.js'
import { runAction } from '../helpers/run-dist.js'
import { ROOT } from '../helpers/shared.js'

// The example workflows are documentation users copy: each one's pullgate step runs here, with
// its own inputs, on the event it is written for.
const WORKFLOWS = path.join(ROOT, 'examples/workflows')
const FIXTURE: Record<string, string> = { pull_request: 'pull_request.json', workflow_dispatch: 'workflow_dispatch.json', schedule: 'schedule.json' }

let api: FakeServer
beforeAll(async () => {
  api = await new FakeServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(PR_FILES))
  }).start()
})
afterAll(() => api.stop())

interface Step {
  uses?: string
  with?: Record<string, unknown>
}

describe('examples/workflows', () => {
  const files = readdirSync(WORKFLOWS).filter((f) => f.endsWith('.yml'))

  test('every workflow the README shows is a file the tests run', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8')
    expect(readme).toContain(readFileSync(path.join(WORKFLOWS, 'pull-request.yml'), 'utf8'))
    for (const file of files) expect(readme).toContain(`examples/workflows/${file}`)
  })

  test.each(files)('%s: its pullgate step runs on its event with its inputs', async (file) => {
    const workflow = parse(readFileSync(path.join(WORKFLOWS, file), 'utf8')) as { on: unknown; jobs: Record<string, { steps: Step[] }> }
    const event = typeof workflow.on === 'string' ? workflow.on : Object.keys(workflow.on as object)[0]!
    const steps = Object.values(workflow.jobs).flatMap((job) => job.steps)
    const step = steps.find((s) => s.uses?.startsWith('pullgate/pullgate@'))!
    expect(step).toBeDefined()
    const repo = pullRequestRepo()
    const eventFile = repo.event(FIXTURE[event]!)
    const payload = JSON.parse(readFileSync(eventFile, 'utf8')) as { inputs?: Record<string, string> }
    // ${{ inputs.x }} from the event; other expressions (secrets, vars) are empty, as on a fork
    const inputs = Object.fromEntries(
      Object.entries(step.with ?? {}).map(([k, v]) => [k, String(v).replace(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g, (_m, name: string) => payload.inputs?.[name] ?? '').replace(/\$\{\{[^}]*\}\}/g, '')])
    )
    const run = await runAction(repo.dir, { 'github-token': 'ghs_test', ...inputs }, {
      GITHUB_EVENT_NAME: event,
      GITHUB_EVENT_PATH: eventFile,
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_API_URL: api.url
    })
    // no usage or internal error: the inputs as written are valid
    expect(run.stdout).not.toMatch(/::error::pullgate: (internal error|.*must be|.*unknown|.*not a)/)
    expect(run.summary).toContain('## pullgate')
    expect([0, 1]).toContain(run.code)
  })
})
