/** A node container runtime, as `kubectl get nodes -o wide` prints it in CONTAINER-RUNTIME. */
export interface Runtime {
  /** as the user wrote it: `containerd://1.7.27` */
  readonly label: string
  readonly family: 'containerd' | 'docker' | 'cri-o' | 'custom'
  /** [major, minor, patch] */
  readonly version: readonly [number, number, number]
  /** for `custom` (the accept-media-types input): the manifest and layer media types it pulls, nothing else */
  readonly accepted?: ReadonlySet<string>
}

/** A runtime the table does not know, described by the media types it accepts (`accept-media-types`). */
export function customRuntime(mediaTypes: readonly string[]): Runtime {
  return { label: 'accept-media-types', family: 'custom', version: [0, 0, 0], accepted: new Set(mediaTypes) }
}

/** Thrown for a `runtime` value that names no known runtime. */
export class RuntimeParseError extends Error {}

/**
 * The default when no `runtime` is given: containerd 2.1, what EKS (1.30+ on AL2023) and GKE (1.33+)
 * nodes run in 2026, and stricter than 1.7 only about schema1, which every runtime is dropping.
 * See docs/runtimes.md.
 */
export const DEFAULT_RUNTIME = 'containerd://2.1'

const FAMILIES: Record<string, Exclude<Runtime['family'], 'custom'>> = { containerd: 'containerd', docker: 'docker', 'cri-o': 'cri-o', crio: 'cri-o' }

/**
 * Reads `containerd://1.7.27`, `docker://20.10.25`, `cri-o://1.30.4` (k3s-style suffixes such as
 * `-k3s1` are ignored) or the short forms `containerd-1.7`, `docker-20.10`, `cri-o-1.30`.
 */
export function parseRuntime(text: string): Runtime {
  const label = text.trim()
  const m = /^(containerd|docker|cri-o|crio)(?::\/\/|-)v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[-+~][0-9A-Za-z.+~-]*)?$/i.exec(label)
  if (!m) {
    throw new RuntimeParseError(
      `"${text}" is not a container runtime: write it as kubectl get nodes -o wide prints it (containerd://1.7.27, docker://20.10.25, cri-o://1.30.4) or as containerd-1.7`
    )
  }
  return {
    label,
    family: FAMILIES[m[1]!.toLowerCase()]!,
    version: [Number(m[2]), Number(m[3] ?? 0), Number(m[4] ?? 0)]
  }
}

/** True when `runtime` is at least `major.minor.patch`. */
export function atLeast(runtime: Runtime, major: number, minor = 0, patch = 0): boolean {
  const [a, b, c] = runtime.version
  return a !== major ? a > major : b !== minor ? b > minor : c >= patch
}
