import { existsSync, statSync } from 'node:fs'
import path from 'node:path'
import { escapePath, glob, isDynamicPattern } from 'tinyglobby'

/** File patterns scanned when no paths are given, and inside every folder that is named. */
export const DEFAULT_PATTERNS = ['**/*.yaml', '**/*.yml', '**/*.json', '**/Kustomization'] as const

/** Never descended into: they hold no manifests of the repository's own. */
const ALWAYS_IGNORED = ['**/.git/**', '**/node_modules/**']

/** A named path that matched nothing: the user expects it to be checked, so say so. */
export class MissingPathError extends Error {
  constructor(readonly missing: string[]) {
    super(`no such file or directory: ${missing.join(', ')}`)
  }
}

/**
 * Lists the files to scan, relative to `workspace` with forward slashes, sorted. Each entry of
 * `paths` is a file, a folder (scanned for YAML and JSON files), or a glob; an entry starting
 * with `!` excludes what it matches. Files inside a Helm chart's `templates/` folder are skipped
 * when found through a folder or glob: they are templates, not manifests, until `helm template`
 * renders them.
 */
export async function discoverManifests(workspace: string, paths: readonly string[]): Promise<string[]> {
  const includes = paths.filter((p) => !p.startsWith('!'))
  const excludes = paths.filter((p) => p.startsWith('!')).map((p) => p.slice(1))
  const explicit: string[] = []
  const patterns: string[] = []
  const missing: string[] = []
  for (const entry of includes.length > 0 ? includes : ['.']) {
    const absolute = path.resolve(workspace, entry)
    // a path that exists is taken literally, even with glob characters in it (`weird [dir]`)
    if (!existsSync(absolute)) {
      if (isDynamicPattern(entry)) patterns.push(entry)
      else missing.push(entry)
    } else if (statSync(absolute).isDirectory()) {
      const relativeDir = toPosix(path.relative(workspace, absolute))
      const prefix = relativeDir === '' ? '' : `${escapePath(relativeDir)}/`
      patterns.push(...DEFAULT_PATTERNS.map((p) => `${prefix}${p}`))
    } else explicit.push(toPosix(path.relative(workspace, absolute)))
  }
  if (missing.length > 0) throw new MissingPathError(missing)

  const matched =
    patterns.length === 0
      ? []
      : await glob(patterns, {
          cwd: workspace,
          ignore: [...ALWAYS_IGNORED, ...excludes],
          dot: true,
          onlyFiles: true,
          followSymbolicLinks: false,
          expandDirectories: false
        })
  const chartCache = new Map<string, boolean>()
  const found = matched.filter((file) => !isInChartTemplates(workspace, file, chartCache))
  return [...new Set([...explicit, ...found.map(toPosix)])].sort()
}

function isInChartTemplates(workspace: string, file: string, cache: Map<string, boolean>): boolean {
  const parts = file.split('/')
  for (let i = parts.length - 2; i >= 1; i--) {
    if (parts[i] !== 'templates') continue
    const chartDir = parts.slice(0, i).join('/')
    let isChart = cache.get(chartDir)
    if (isChart === undefined) {
      isChart = existsSync(path.join(workspace, chartDir, 'Chart.yaml'))
      cache.set(chartDir, isChart)
    }
    if (isChart) return true
  }
  return false
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/')
}
