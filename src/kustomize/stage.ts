import path from 'node:path'
import type { Limits } from '../engine/limits.js'
import type { Finding } from '../findings/finding.js'
import { KustomizeFiles } from './load.js'
import { KUSTOMIZATION_FILES } from '../manifests/kustomize.js'
import { AliasBudgetExceeded } from '../manifests/yaml-nodes.js'
import { renderKustomization, type ImageUse, type RenderProblem } from './render.js'

/** The kustomizations that deploy (roots), what each renders, and the files reached only through them. */
export interface KustomizeStage {
  readonly roots: ReadonlyArray<{ readonly root: string; readonly uses: readonly ImageUse[] }>
  /** resource and patch files some kustomization reaches: checked through it, not as written */
  readonly covered: ReadonlySet<string>
  readonly problems: readonly RenderProblem[]
  /** the scan's findings for files a kustomization reaches that the scan would not parse either */
  readonly refused: readonly Finding[]
}

/**
 * Finds the kustomizations among the scanned files, and renders the roots: those no other
 * kustomization in the repository references (a referenced one is a base, checked through its
 * overlays). Components are never roots: they only act inside the kustomizations that use them.
 */
export function kustomizeStage(workspace: string, scanned: readonly string[], limits: Limits): KustomizeStage {
  const files = new KustomizeFiles(workspace, limits)
  const candidates = scanned.filter((f) => KUSTOMIZATION_FILES.has(path.posix.basename(f)))
  const renderings = candidates.flatMap((file) => {
    try {
      return [{ file, rendering: renderKustomization(files, file) }]
    } catch (error) {
      // a kustomization (or a base of it) that expands too many aliases is not rendered; the scan
      // reports the file itself as invalid-manifest, and what it lists is checked as written
      if (error instanceof AliasBudgetExceeded) return []
      throw error
    }
  })
  const referenced = new Set<string>()
  for (const { file, rendering } of renderings) for (const k of rendering.kustomizations) if (k !== file) referenced.add(k)
  const covered = new Set<string>()
  const problems: RenderProblem[] = []
  const roots: Array<{ root: string; uses: ImageUse[] }> = []
  for (const { file, rendering } of renderings) {
    for (const f of rendering.files) covered.add(f)
    if (referenced.has(file) || files.kustomization(file)?.kind === 'Component') continue
    roots.push({ root: file, uses: rendering.uses })
    problems.push(...rendering.problems)
  }
  return { roots, covered, problems, refused: [...files.refused.values()] }
}
