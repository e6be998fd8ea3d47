import { compareFindings, type Finding } from '../findings/finding.js'
import type { ImageReference } from '../images/reference.js'
import { discoverManifests, MissingPathError } from '../manifests/discover.js'
import type { ImageOccurrence } from '../manifests/extract.js'
import type { KustomizeImageEntry } from '../manifests/kustomize.js'
import type { Resolution } from '../resolve/outcome.js'
import { makeFinding } from '../rules/finding-factory.js'
import { checkOccurrence, mutableTagFinding } from '../rules/offline.js'
import { registryFinding } from '../rules/registry-findings.js'
import { applySuppressions, ignoreCommentsIn, type IgnoreComments, type SuppressedFinding } from '../findings/suppress.js'
import { kustomizeStage, type KustomizeStage } from '../kustomize/stage.js'
import { helmSpan, helmStage } from '../helm/stage.js'
import type { HelmImage } from '../helm/values.js'
import { silentLogger, type Logger } from '../util/logger.js'
import { DEFAULT_LIMITS, type Limits } from './limits.js'
import { analyzeFile, readManifestFile, type PendingImage } from './read-files.js'
import { applyRuleSettings, parseClusterKnowledge, parseCompat, UsageError, type RuleSetting } from './options.js'
import { RegistrySession, type ImageAnswer, type RegistryOptions } from './registry.js'
import { evaluateCompatibility } from '../compat/evaluate.js'
import type { CompatOptions } from '../compat/profile.js'
import { compatFinding, digestMismatchFinding } from '../rules/compat-findings.js'
import type { ClusterObjects } from '../manifests/cluster-objects.js'
import { analyzePullSecrets, type ClusterKnowledge } from '../pullsecrets/analyze.js'
import { pullSecretFinding } from '../rules/pull-secret-findings.js'

/** What to scan and how. The action and the CLI both build one of these from their inputs. */
export interface ScanOptions {
  /** the repository root: findings name files relative to it */
  readonly workspace: string
  /** files, folders and globs, relative to the workspace (empty: the whole workspace) */
  readonly paths: readonly string[]
  /** apply the rules that need no network only */
  readonly offline: boolean
  /** scan only these workspace-relative files (a pull request's changed files) among what `paths` matches */
  readonly onlyFiles?: ReadonlySet<string>
  /** how to reach registries (ignored when offline) */
  readonly registry?: RegistryOptions
  /** the nodes' runtimes and platforms (the `runtime`, `platforms` and `accept-media-types` inputs) */
  readonly compat?: CompatOptions
  /** what lives only in the cluster: pull Secrets and node credential providers */
  readonly cluster?: ClusterKnowledge
  /** per-rule severity or `off` (the `rules` input) */
  readonly rules?: ReadonlyMap<string, RuleSetting>
  /** image globs whose findings are suppressed (the `ignore` input) */
  readonly ignore?: readonly string[]
  /** a pull request from a fork: its workflow gets no secrets, which explains missing credentials */
  readonly forkPullRequest?: boolean
  /** render kustomizations natively and check what their overlays deploy (default true) */
  readonly kustomize?: boolean
  /** read image references from Helm charts' values files (default true) */
  readonly helm?: boolean
  /** extra values files, applied after each chart's values.yaml (the `helm-values` input) */
  readonly helmValues?: readonly string[]
  readonly limits?: Partial<Limits>
}

/** An image as the scan saw it: where it is written and, when valid, what it resolves to. */
export interface ScannedImage {
  readonly source: 'container' | 'kustomize'
  readonly occurrence: ImageOccurrence | KustomizeImageEntry
  /** the image string (for kustomize: the image the entry rewrites to) */
  readonly image: string
  readonly reference?: ImageReference
  /** false for a kustomize entry that keeps the base's tag: the tag is not known from the entry alone */
  readonly tagKnown: boolean
  /** what the registry said, when it was asked */
  readonly resolution?: Resolution
  /** the root kustomization that deploys this image (its findings name it) */
  readonly overlay?: string
  /** a kustomization entry an overlay rendering applied: its image is checked through the rendering */
  readonly appliedByOverlay?: boolean
  /** composed from a Helm chart's values */
  readonly helm?: HelmImage
}

/** Everything a report needs. */
export interface ScanResult {
  /** `offline`: no registry was asked; `registry`: every valid reference was resolved */
  readonly mode: 'offline' | 'registry'
  /** most severe first */
  readonly findings: Finding[]
  /** findings a `# pullgate-ignore:` comment or an `ignore` glob covers */
  readonly suppressed: SuppressedFinding[]
  readonly images: ScannedImage[]
  readonly stats: { readonly files: number; readonly manifests: number; readonly documents: number }
}

/**
 * The engine: find manifests, extract image references with positions, parse them, resolve them
 * against their registries, apply the rules. Never imports @actions/*; the action and the CLI
 * are shells around it.
 */
export async function scan(options: ScanOptions, logger: Logger = silentLogger): Promise<ScanResult> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits }
  let files: string[]
  try {
    files = await discoverManifests(options.workspace, options.paths)
    if (options.onlyFiles) files = files.filter((f) => options.onlyFiles!.has(f))
  } catch (error) {
    if (error instanceof MissingPathError) throw new UsageError(error.message)
    throw error
  }
  logger.info(`Scanning ${files.length} file${files.length === 1 ? '' : 's'}`)

  // without explicit nodes or cluster knowledge: the defaults the inputs give when left empty
  const compat = options.compat ?? parseCompat([], [], [])
  const cluster = options.cluster ?? parseClusterKnowledge([], [])
  const findings: Finding[] = []
  const objects: ClusterObjects = { secrets: [], serviceAccounts: [] }
  // Registries are asked while the files are still being read: the network waits, the parser works.
  const session = options.offline ? undefined : new RegistrySession({ ...options.registry, compat }, logger)
  let judged: Judged[]
  let counts: { manifests: number; documents: number }
  let comments: Map<string, IgnoreComments>
  try {
    // kustomizations and charts first: they decide which files' images are checked as rendered
    const deployed = deployedImages(options, files, limits)
    for (const p of [...deployed.rendered, ...deployed.helm]) session?.ask(p.scanned)
    const read = await readAll(options.workspace, files, limits, logger, objects, (p) => {
      if (session && !deployed.replaces(p)) session.ask(p.scanned)
    })
    findings.push(...read.findings)
    // a file the scan and a stage (or two stages) refused is one root cause: reported once
    const reported = new Set(read.findings.map(findingKey))
    for (const finding of deployed.findings) {
      const key = findingKey(finding)
      if (reported.has(key)) continue
      reported.add(key)
      findings.push(finding)
    }
    // every image of `pending` was asked for above, or is one a rendering replaced
    const pending = [...deployed.applyTo(read.images), ...deployed.helm]
    counts = { manifests: read.manifests, documents: read.documents }
    comments = read.comments
    // Every file is read, so every pull Secret and ServiceAccount is known: each image is judged
    // as soon as its registry has answered, while the answers for the others are still awaited.
    judged = await judgeAsAnswered(pending, (p) => session?.answer(p.scanned), (p, answer) => judgeImage(p, answer, { compat, objects, cluster }))
    await session?.finish()
  } catch (error) {
    await session?.close()
    throw error
  }

  const images = judged.map((j) => j.image)
  for (const j of judged) findings.push(...j.findings)
  const settled = applyRuleSettings(options.forkPullRequest ? findings.map(explainFork) : findings, options.rules ?? new Map())
  const { kept, suppressed } = await applySuppressions(settled, options.workspace, options.ignore ?? [], limits.maxFileBytes, comments)
  kept.sort(compareFindings)
  suppressed.sort(compareFindings)
  return { mode: options.offline ? 'offline' : 'registry', findings: kept, suppressed, images, stats: { files: files.length, ...counts } }
}

/** Images judged per turn of the event loop. */
const JUDGE_SLICE = 256

/**
 * Judges every image, in `pending`'s order, as its answer comes in (at once for those not asked
 * about), with a turn of the event loop every {@link JUDGE_SLICE} images: the answers already in
 * when the last file is read would otherwise be judged in one burst, and the registries would
 * wait for their next requests meanwhile.
 */
async function judgeAsAnswered(
  pending: readonly PendingImage[],
  answerOf: (p: PendingImage) => Promise<ImageAnswer> | undefined,
  judge: (p: PendingImage, answer?: ImageAnswer) => Judged
): Promise<Judged[]> {
  const judged: Judged[] = []
  for (const p of pending) {
    // asked for one at a time: a rejection (a bug) is never left unhandled by those after it
    const answer = answerOf(p)
    judged.push(judge(p, answer && (await answer)))
    if (judged.length % JUDGE_SLICE === 0) await new Promise<void>((resolve) => setImmediate(resolve))
  }
  return judged
}

/** An image with what the registry said about it, and every finding it gets. */
interface Judged {
  readonly image: ScannedImage
  readonly findings: Finding[]
}

/** Its offline findings, then (when a registry answered) existence, access, compatibility and pull secrets. */
function judgeImage(
  { scanned, verdict }: PendingImage,
  answer: ImageAnswer | undefined,
  context: { readonly compat: CompatOptions; readonly objects: ClusterObjects; readonly cluster: ClusterKnowledge }
): Judged {
  const resolution = answer?.resolution
  const own: Finding[] = [...verdict.findings]
  const digest = resolution?.kind === 'resolved' ? resolution.digest : undefined
  const mutable = mutableTagFinding(verdict, digest)
  if (mutable) own.push(mutable)
  if (resolution && scanned.reference) {
    own.push(...registryFindings(scanned, scanned.reference, resolution, answer.tag, context.compat))
    const pullSecret = pullSecretCheck(scanned, scanned.reference, resolution, context.objects, context.cluster)
    if (pullSecret) own.push(pullSecret)
  }
  return {
    image: resolution ? { ...scanned, resolution } : scanned,
    // an image deployed through an overlay: say which one, since the same base serves several
    findings: scanned.overlay ? own.map((f) => ({ ...f, message: `${f.message} (as deployed by ${scanned.overlay})` })) : own
  }
}

function findingKey(f: Finding): string {
  return `${f.rule}\0${f.file}\0${f.line}\0${f.column}\0${f.message}`
}

/** On a fork's pull request no secret reaches the workflow: a missing login is expected, and the fix differs. */
function explainFork(finding: Finding): Finding {
  if (finding.rule !== 'credentials-missing') return finding
  return {
    ...finding,
    message:
      `${finding.message} This pull request comes from a fork, and GitHub gives workflows of fork pull requests no secrets, so the registry login before pullgate had nothing to log in with. ` +
      'The check will pass once a maintainer runs it with secrets (e.g. a pull_request_target workflow that checks out the head, or a re-run on a branch of this repository), ' +
      'or set `rules: credentials-missing: warning` for fork pull requests.'
  }
}

/** Every registry-side finding of one image: existence and access, then what its runtime would make of it. */
function registryFindings(scanned: ScannedImage, reference: ImageReference, resolution: Resolution, tag: Resolution | undefined, compat: CompatOptions): Finding[] {
  const at = { ...scanned.occurrence, ...registryFindingSpan(scanned) }
  const helmAt = scanned.helm ? { ...at, ...helmSpan(scanned.helm, resolution.kind) } : at
  const found = registryFinding(reference, resolution, helmAt)
  if (found) return [found]
  if (resolution.kind !== 'resolved') return []
  const findings: Finding[] = []
  if (resolution.inspectionError) {
    findings.push(registryFinding(reference, { kind: 'registry-error', said: `the image resolved to ${resolution.digest}, but reading what a node would pull failed: ${resolution.inspectionError}` }, at)!)
  }
  if (resolution.facts) {
    for (const problem of evaluateCompatibility(resolution.facts, compat.runtimes, compat.platforms)) findings.push(compatFinding(reference, problem, at))
  }
  if (tag?.kind === 'resolved' && reference.digest && tag.digest !== reference.digest) findings.push(digestMismatchFinding(reference, tag.digest, at))
  return findings
}

/**
 * For a private image in a pod spec, can the pod pull it? Only container lists and image volumes
 * of pod specs: CRD image fields (Argo, Tekton) get their pull secrets elsewhere, and a
 * kustomization entry is no pod.
 */
function pullSecretCheck(scanned: ScannedImage, reference: ImageReference, resolution: Resolution, objects: ClusterObjects, cluster: ClusterKnowledge): Finding | undefined {
  if (scanned.source !== 'container' || resolution.kind !== 'resolved' || resolution.access !== 'private') return undefined
  const occurrence = scanned.occurrence as ImageOccurrence
  if (occurrence.category === 'crd-field') return undefined
  const problem = analyzePullSecrets(occurrence, reference, objects, cluster)
  return problem ? pullSecretFinding(occurrence, reference, problem) : undefined
}

/** What one pass over the files found: images in file order, read problems, ignore comments, and counts. */
interface FilesRead {
  readonly images: PendingImage[]
  readonly findings: Finding[]
  readonly comments: Map<string, IgnoreComments>
  manifests: number
  documents: number
}

/**
 * Reads and parses every file, handing each image to `found` as soon as its file is parsed.
 * Between files the event loop gets a turn, so registry answers are taken in while the parsing
 * goes on. The ignore comments are noted on the way, so no file is read twice.
 */
async function readAll(workspace: string, files: readonly string[], limits: Limits, logger: Logger, objects: ClusterObjects, found: (image: PendingImage) => void): Promise<FilesRead> {
  const read: FilesRead = { images: [], findings: [], comments: new Map(), manifests: 0, documents: 0 }
  for (const file of files) {
    const content = readManifestFile(workspace, file, limits)
    if (content.kind === 'text') read.comments.set(file, ignoreCommentsIn(content.text))
    const result = analyzeFile(file, content, limits, logger, objects)
    read.findings.push(...result.findings)
    for (const image of result.images) {
      read.images.push(image)
      found(image)
    }
    read.documents += result.documents
    if (result.isManifest) read.manifests++
    await new Promise<void>((resolve) => setImmediate(resolve))
  }
  return read
}

/** What kustomizations and Helm charts deploy, known before the files are read one by one. */
interface Deployed {
  /** images as kustomization roots render them */
  readonly rendered: PendingImage[]
  /** images Helm charts' values compose */
  readonly helm: PendingImage[]
  /** remote or missing kustomize resources, charts helm would refuse */
  readonly findings: Finding[]
  /** true for an image that is checked through a rendering instead of as written */
  replaces(image: PendingImage): boolean
  /** the images read from files, with those replaced by renderings swapped for the renderings */
  applyTo(images: readonly PendingImage[]): PendingImage[]
}

function deployedImages(options: ScanOptions, files: readonly string[], limits: Limits): Deployed {
  const stage = options.kustomize !== false ? kustomizeStage(options.workspace, files, limits) : { roots: [], covered: new Set<string>(), problems: [], refused: [] }
  const kustomize = kustomizeRenderings(stage)
  const helm = options.helm !== false ? helmImages(options.workspace, files, options.helmValues ?? [], limits) : { images: [], findings: [] }
  return {
    rendered: kustomize.rendered,
    helm: helm.images,
    findings: [...kustomize.findings, ...helm.findings],
    replaces: kustomize.replaces,
    applyTo: kustomize.applyTo
  }
}

/**
 * What kustomizations deploy: images of files reached through a kustomization are checked as
 * each root renders them (at the overlay line that decided them, else where they are written),
 * not as written; the kustomization entries those renderings applied are not asked about on
 * their own. Remote or missing resources become warnings.
 */
function kustomizeRenderings(stage: KustomizeStage): Pick<Deployed, 'rendered' | 'findings' | 'replaces' | 'applyTo'> {
  // entries are matched by where they are written: the renderer reads kustomizations on its own
  const key = (e: KustomizeImageEntry) => `${e.file}:${e.line}:${e.column}`
  const applied = new Set<string>()
  const rendered: PendingImage[] = []
  for (const { root, uses } of stage.roots) {
    for (const use of uses) {
      for (const entry of use.entries) applied.add(key(entry))
      const at = use.decidedBy ? { file: use.decidedBy.file, ...use.decidedBy.span } : {}
      const occurrence: ImageOccurrence = { ...use.occurrence, ...at, image: use.image, namespace: use.namespace ?? use.occurrence.namespace }
      const verdict = checkOccurrence(occurrence)
      rendered.push({ verdict, scanned: { source: 'container', occurrence, image: use.image, reference: verdict.reference, tagKnown: true, overlay: root } })
    }
  }
  const coveredFile = (p: PendingImage) => p.scanned.source === 'container' && stage.covered.has(p.scanned.occurrence.file)
  const appliedEntry = (p: PendingImage) => p.scanned.source === 'kustomize' && applied.has(key(p.scanned.occurrence as KustomizeImageEntry))
  const findings = stage.problems.map((problem) =>
    makeFinding('unresolved-reference', { file: problem.file, ...problem.span }, `${problem.message}. Render it (\`kustomize build\`) and point pullgate at the output to check them.`)
  )
  findings.push(...stage.refused)
  return {
    rendered,
    findings,
    replaces: (p) => coveredFile(p) || appliedEntry(p),
    applyTo: (images) => [
      ...images.flatMap((p) => {
        if (coveredFile(p)) return []
        // an entry an overlay applied is judged in the rendered image, at the same line: not twice
        if (appliedEntry(p)) return [{ verdict: { reference: p.verdict.reference, findings: [] }, scanned: { ...p.scanned, appliedByOverlay: true } }]
        return [p]
      }),
      ...rendered
    ]
  }
}

/** The images Helm charts' values compose, each at the values line that decides it. */
function helmImages(workspace: string, files: readonly string[], helmValues: readonly string[], limits: Limits): { images: PendingImage[]; findings: Finding[] } {
  const stage = helmStage(workspace, files, helmValues, limits)
  const images = stage.uses.map(({ image, occurrence }): PendingImage => {
    const verdict = checkOccurrence(occurrence)
    return { verdict, scanned: { source: 'container', occurrence, image: image.image, reference: verdict.reference, tagKnown: true, helm: image } }
  })
  const findings = stage.problems.map((p) => {
    const at = { file: p.file, line: p.line, column: p.column, endLine: p.line, endColumn: p.column + 1 }
    return makeFinding('invalid-manifest', at, `${p.message.replace(/\.\s*$/, '')}. \`helm install\` would refuse the chart, and its images were not checked.`)
  })
  return { images, findings: [...findings, ...stage.refused] }
}

/** Where a registry finding goes: the image line, or for kustomize the line that decides the pulled reference. */
function registryFindingSpan(scanned: ScannedImage): { file: string; line: number; column: number; endLine: number; endColumn: number } {
  if (scanned.source === 'container') return scanned.occurrence
  const entry = scanned.occurrence as KustomizeImageEntry
  const decisive = entry.digest ?? entry.newTag ?? entry.newName
  return decisive ? { ...decisive, file: entry.file } : entry
}
