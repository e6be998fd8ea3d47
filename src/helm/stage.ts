import path from 'node:path'
import type { Limits } from '../engine/limits.js'
import { readGuarded } from '../engine/read-files.js'
import type { Finding } from '../findings/finding.js'
import type { ImageOccurrence } from '../manifests/extract.js'
import { chartImages, decidingField, type HelmImage, type ValuesProblem } from './values.js'

/** A chart image as the engine checks it: an occurrence at the values line that decides it. */
export interface HelmUse {
  readonly image: HelmImage
  readonly occurrence: ImageOccurrence
}

/**
 * Reads the images of every chart among the scanned files (a folder with `Chart.yaml`): its
 * values.yaml, then the `helm-values` files that lie inside it, then those outside any chart
 * (applied to every chart), as `helm -f` would. Templates are not rendered.
 */
export function helmStage(
  workspace: string,
  scanned: readonly string[],
  helmValues: readonly string[],
  limits: Limits
): { uses: HelmUse[]; problems: ValuesProblem[]; refused: Finding[] } {
  const charts = scanned.filter((f) => path.posix.basename(f) === 'Chart.yaml').map((f) => path.posix.dirname(f))
  const refused = new Map<string, Finding>()
  const readFile = (file: string) => {
    const read = readGuarded(workspace, file, limits)
    if (read && 'refused' in read) refused.set(file, read.refused)
    return read && 'text' in read ? read.text : undefined
  }
  const inside = (chart: string, file: string) => chart === '.' || file.startsWith(`${chart}/`)
  const uses: HelmUse[] = []
  const problems: ValuesProblem[] = []
  // values files inside no chart apply to every chart
  const shared = helmValues.filter((f) => !charts.some((c) => c !== '.' && inside(c, f)))
  for (const chart of charts) {
    const own = helmValues.filter((f) => inside(chart, f))
    const valuesFiles = [...own, ...shared.filter((f) => !own.includes(f))]
    const result = chartImages(chart === '.' ? '' : chart, readFile, valuesFiles, limits.maxAliasExpansions)
    // a chart with a file the scan refuses is not composed at all: that file's own finding says its images were not checked
    const read = [path.posix.join(chart, 'Chart.yaml'), path.posix.join(chart, 'values.yaml'), ...valuesFiles]
    if (read.some((f) => refused.has(f))) continue
    problems.push(...result.problems)
    for (const image of result.images) uses.push({ image, occurrence: occurrenceOf(image) })
  }
  return { uses, problems, refused: [...refused.values()] }
}

function occurrenceOf(image: HelmImage): ImageOccurrence {
  const at = decidingField(image)
  return {
    image: image.image,
    isString: true,
    file: at.file,
    document: 0,
    path: image.path,
    apiVersion: 'helm/v3',
    kind: 'HelmChart',
    objectName: image.chartName,
    container: image.path,
    list: 'values',
    // a values file is no pod spec: its pull secrets are set elsewhere in the chart
    category: 'crd-field',
    purpose: 'pull',
    imagePullSecrets: [],
    line: at.line,
    column: at.column,
    endLine: at.endLine,
    endColumn: at.endColumn
  }
}

/** Where a finding about one part of a chart image belongs: the repository line for a missing repository, and so on. */
export function helmSpan(image: HelmImage, rule: string) {
  const part = rule === 'repository-not-found' || rule.startsWith('credentials') ? 'repository' : undefined
  return decidingField(image, part)
}
