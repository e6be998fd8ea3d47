import { beforeAll, describe, expect, test } from '@jest/globals'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { labOrSkip, podWorkspace } from '../helpers/lab.js'
import { cleanEnv, runAction, runNode } from '../helpers/run-dist.js'

const lab = labOrSkip()
const describeLab = lab ? describe : describe.skip

/** The same content pushed in every form the lab seeds; container i is on line 8 + 2i. */
const TAGS = ['v2s2', 'oci', 'multi-oci', 'multi-docker', 'zstd', 'v2s1', 'attest', 'uncompressed-gzip', 'arm64-only'] as const
type Tag = (typeof TAGS)[number] | 'chart'

interface Finding {
  rule: string
  severity: string
  line: number
  message: string
}

async function check(dir: string, args: string[]): Promise<Finding[]> {
  const run = await runNode('dist/cli.js', ['--format', 'json', ...args, '.'], { cwd: dir, env: cleanEnv({ HOME: mkdtempSync(path.join(tmpdir(), 'h-')) }) })
  expect(run.stderr).toBe('')
  return (JSON.parse(run.stdout) as { findings: Finding[] }).findings
}

describeLab("will the nodes' runtime accept it? (real registry, every seeded form)", () => {
  const open = lab?.open.host
  const images: Array<[Tag, string]> = lab ? [...TAGS.map((t): [Tag, string] => [t, `${open}/lab/hello:${t}`]), ['chart', `${open}/lab/chart:0.1.0`]] : []
  let ws: ReturnType<typeof podWorkspace>
  beforeAll(() => {
    ws = podWorkspace(images.map(([, image]) => image))
  })

  /** `tag → rule:severity` for every finding, given the runtime and platform flags. */
  async function verdicts(args: string[]): Promise<Record<string, string[]>> {
    const findings = await check(ws.dir, args)
    const byTag: Record<string, string[]> = {}
    for (const f of findings) {
      const tag = images[(f.line - 8) / 2]![0]
      ;(byTag[tag] ??= []).push(`${f.rule}:${f.severity}`)
    }
    return byTag
  }

  const artifact = { chart: ['not-an-image:error'] }
  const mislabelled = { 'uncompressed-gzip': ['media-type-incompatible:error'] }
  const arm64Only = { 'arm64-only': ['platform-missing:error'] }

  // every profile of docs/runtimes.md: each has images that pass (v2s2 passes everywhere) and one that fails
  test.each([
    ['containerd://1.4.11', { zstd: ['media-type-incompatible:error'], ...mislabelled }],
    ['containerd://1.5.0', { ...mislabelled }],
    ['containerd://1.6.36', { ...mislabelled }],
    ['containerd://1.7.27', { v2s1: ['media-type-incompatible:warning'], ...mislabelled }],
    ['containerd://2.0.6', { v2s1: ['media-type-incompatible:error'], ...mislabelled }],
    ['containerd://2.1.0', { v2s1: ['media-type-incompatible:error'], ...mislabelled }],
    ['containerd-2.2', { v2s1: ['media-type-incompatible:error'], ...mislabelled }],
    [
      'docker://17.09.1',
      {
        oci: ['media-type-incompatible:error'],
        'multi-oci': ['media-type-incompatible:error'],
        zstd: ['media-type-incompatible:error'],
        v2s1: ['media-type-incompatible:warning'],
        attest: ['media-type-incompatible:error'],
        'uncompressed-gzip': ['media-type-incompatible:error'],
        'arm64-only': ['media-type-incompatible:error']
      }
    ],
    ['docker://20.10.25', { zstd: ['media-type-incompatible:error'], v2s1: ['media-type-incompatible:warning'] }],
    ['docker://23.0.6', { v2s1: ['media-type-incompatible:warning'] }],
    ['docker://26.1.4', { v2s1: ['media-type-incompatible:error'] }],
    ['docker://28.2.2', { v2s1: ['media-type-incompatible:error'] }],
    ['cri-o://1.15.2', { zstd: ['media-type-incompatible:error'] }],
    ['cri-o://1.30.4', {}]
  ])('%s on linux/amd64', async (runtime, expected) => {
    expect(await verdicts(['--runtime', runtime])).toEqual({ ...expected, ...(expected['arm64-only' as never] ? {} : arm64Only), ...artifact })
  })

  test('the default is containerd 2.1 on linux/amd64', async () => {
    expect(await verdicts([])).toEqual({ v2s1: ['media-type-incompatible:error'], ...mislabelled, ...arm64Only, ...artifact })
  })

  test('a mixed pool must work everywhere: the worst verdict of each runtime and platform', async () => {
    expect(await verdicts(['--runtime', 'containerd://1.7.27,docker://20.10.25', '--platform', 'linux/amd64', '--platform', 'linux/arm64/v8'])).toEqual({
      v2s2: ['platform-missing:error'],
      oci: ['platform-missing:error'],
      zstd: ['media-type-incompatible:error', 'platform-missing:error'],
      v2s1: ['platform-missing:error', 'media-type-incompatible:warning'],
      attest: ['platform-missing:error'],
      'uncompressed-gzip': ['media-type-incompatible:error', 'platform-missing:error'],
      'arm64-only': ['platform-missing:error'],
      // an artifact is only not-an-image, never also platform-missing
      ...artifact
    })
  })

  test('arm64 nodes: the arm64-only image and both multi-arch indexes pass, arm64 and arm64/v8 being the same', async () => {
    const arm = await verdicts(['--platform', 'linux/arm64'])
    expect(arm['arm64-only']).toBeUndefined()
    expect(arm['multi-oci']).toBeUndefined()
    expect(arm['multi-docker']).toBeUndefined()
    expect(arm.v2s2).toEqual(['platform-missing:error'])
    expect(await verdicts(['--platform', 'linux/arm64/v8'])).toEqual(arm)
  })

  test('messages name what the registry holds, what the runtime says, and the fix', async () => {
    const findings = await check(ws.dir, ['--runtime', 'docker://17.09.1,containerd://1.4.11'])
    const at = (tag: Tag) => findings.filter((f) => f.line === 8 + 2 * images.findIndex(([t]) => t === tag))
    expect(at('oci')[0]!.message).toBe(
      `${open}/lab/hello:oci is stored as an OCI manifest (application/vnd.oci.image.manifest.v1+json); docker://17.09.1 cannot pull it. ` +
        'docker://17.09.1: "manifest unknown: OCI manifest found, but accept header does not support OCI manifests". ' +
        `Re-push it as Docker v2 schema 2 (\`skopeo copy --all --format v2s2 docker://${open}/lab/hello:oci docker://${open}/lab/hello:oci\`, or \`podman push --format v2s2 …\`; ` +
        "with BuildKit: `docker buildx build --output type=image,oci-mediatypes=false,push=true …`), or upgrade the nodes' runtime."
    )
    expect(at('multi-oci')[0]!.message).toContain('"manifest unknown: OCI index found, but accept header does not support OCI indexes"')
    const zstd = await check(ws.dir, ['--runtime', 'containerd://1.4.11,docker://20.10.25'])
    const zstdMessage = zstd.find((f) => f.line === 8 + 2 * 4)!.message
    expect(zstdMessage).toContain('has layers of type application/vnd.oci.image.layer.v1.tar+zstd; containerd://1.4.11, docker://20.10.25 cannot apply them.')
    expect(zstdMessage).toContain('docker://20.10.25: "failed to register layer: Error processing tar file(exit status 1): archive/tar: invalid tar header"')
    expect(zstdMessage).toContain('--dest-compress-format gzip')
    const chart = findings.find((f) => f.rule === 'not-an-image')!.message
    expect(chart).toContain(`${open}/lab/chart:0.1.0 is a Helm chart (config media type application/vnd.cncf.helm.config.v1+json), not a runnable image.`)
    const platform = (await check(ws.dir, [])).find((f) => f.rule === 'platform-missing')!.message
    expect(platform).toContain('has no image for linux/amd64 (it has: linux/arm64). It is a single-platform image: pods there would start and die with "exec format error".')
  })

  test('accept-media-types describes a custom runtime: exactly those types pass', async () => {
    const got = await verdicts(['--accept-media-types', 'application/vnd.docker.distribution.manifest.v2+json,application/vnd.docker.image.rootfs.diff.tar.gzip'])
    expect(got.v2s2).toBeUndefined()
    expect(got.oci).toEqual(['media-type-incompatible:error'])
    expect(got['multi-docker']).toEqual(['media-type-incompatible:error'])
  })

  test('name:tag@digest whose tag moved is digest-mismatch; the pinned digest is what gets checked', async () => {
    const l = lab!
    const pinned = podWorkspace([`${open}/lab/app:latest@${l.images['open/lab/app:1.0.0']!.digest}`, `${open}/lab/app:2.0.0@${l.images['open/lab/app:2.0.0']!.digest}`])
    const findings = await check(pinned.dir, [])
    expect(findings.map((f) => [f.rule, f.line])).toEqual([['digest-mismatch', 8]])
    expect(findings[0]!.message).toContain(`the tag "latest" now points to ${l.images['open/lab/app:latest']!.digest}, not to the pinned ${l.images['open/lab/app:1.0.0']!.digest}`)
  })

  test('the action takes runtime and platforms inputs; a bad runtime fails the step with one line', async () => {
    const run = await runAction(ws.dir, { runtime: 'docker://20.10.25', platforms: 'linux/amd64' })
    const rules = run.stdout.split('\n').filter((l) => /^::(error|warning) title=/.test(l)).map((l) => /title=([\w-]+),file=pod.yaml,line=(\d+)/.exec(l)!.slice(1).join('@'))
    expect(rules).toEqual(['media-type-incompatible@16', 'platform-missing@24', 'not-an-image@26', 'media-type-incompatible@18'])
    const bad = await runAction(ws.dir, { runtime: 'rkt://1.0' })
    expect(bad.stdout.trim()).toBe(
      '::error::pullgate: "rkt://1.0" is not a container runtime: write it as kubectl get nodes -o wide prints it (containerd://1.7.27, docker://20.10.25, cri-o://1.30.4) or as containerd-1.7'
    )
  })
})
