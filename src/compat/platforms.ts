/** An OCI platform, normalized the way containerd's platforms library does. */
export interface Platform {
  readonly os: string
  readonly architecture: string
  readonly variant?: string
}

/** Thrown for a `platforms` value that is not `os/arch[/variant]`. */
export class PlatformParseError extends Error {}

/** `linux/arm64/v8` → `linux/arm64` (the variant containerd drops), for messages and keys. */
export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/')
}

/**
 * containerd's normalization (platforms/database.go): `x86_64` → `amd64`, `aarch64` → `arm64`,
 * arm64 `v8` → no variant, `arm` alone → `arm/v7`, `armhf` → `arm/v7`, `armel` → `arm/v6`,
 * `i386` → `386`, lowercase.
 */
export function normalizePlatform(p: { os?: string; architecture?: string; variant?: string }): Platform {
  const os = (p.os ?? '').toLowerCase() === 'macos' ? 'darwin' : (p.os ?? '').toLowerCase()
  let arch = (p.architecture ?? '').toLowerCase()
  let variant = (p.variant ?? '').toLowerCase()
  switch (arch) {
    case 'i386':
      arch = '386'
      variant = ''
      break
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      arch = 'amd64'
      if (variant === 'v1') variant = ''
      break
    case 'aarch64':
    case 'arm64':
      arch = 'arm64'
      if (variant === '8' || variant === 'v8' || variant === 'v8.0') variant = ''
      else if (variant === '9' || variant === '9.0' || variant === 'v9.0') variant = 'v9'
      break
    case 'armhf':
      arch = 'arm'
      variant = 'v7'
      break
    case 'armel':
      arch = 'arm'
      variant = 'v6'
      break
    case 'arm':
      if (variant === '' || variant === '7') variant = 'v7'
      else if (/^[5-8]$/.test(variant)) variant = `v${variant}`
      break
  }
  return variant ? { os, architecture: arch, variant } : { os, architecture: arch }
}

/** Reads one `platforms` entry: `linux/amd64`, `linux/arm64/v8`, `linux/arm/v7`. */
export function parsePlatform(text: string): Platform {
  const parts = text.trim().split('/')
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[A-Za-z0-9_.-]+$/.test(p))) {
    throw new PlatformParseError(`"${text}" is not a platform: write os/architecture[/variant], e.g. linux/amd64 or linux/arm64`)
  }
  return normalizePlatform({ os: parts[0], architecture: parts[1], variant: parts[2] })
}

/**
 * What a node of `wanted` platform can run, best first (containerd's `Only` matcher): itself,
 * then lower variants of its architecture, and 386 on amd64. A 32-bit arm image is not offered to
 * arm64 nodes: many arm64 servers cannot run aarch32 code, so it would start and die.
 */
export function compatiblePlatforms(wanted: Platform): Platform[] {
  const list: Platform[] = [wanted]
  const { os, architecture: arch, variant } = wanted
  if (arch === 'amd64') {
    const level = variant ? Number(variant.slice(1)) : 1
    for (let v = level - 1; v >= 1; v--) list.push(v === 1 ? { os, architecture: 'amd64' } : { os, architecture: 'amd64', variant: `v${v}` })
    list.push({ os, architecture: '386' })
  } else if (arch === 'arm' && variant) {
    for (let v = Number(variant.slice(1)) - 1; v >= 5; v--) list.push({ os, architecture: 'arm', variant: `v${v}` })
  } else if (arch === 'arm64' && variant && /^v8\.\d+$/.test(variant)) {
    for (let minor = Number(variant.split('.')[1]) - 1; minor >= 1; minor--) list.push({ os, architecture: 'arm64', variant: `v8.${minor}` })
    list.push({ os, architecture: 'arm64' })
  }
  return list
}

/** The best entry for `wanted` among `available` (an entry without platform matches anything), or undefined. */
export function choosePlatform<T extends { platform?: Platform }>(wanted: Platform, available: readonly T[]): T | undefined {
  const order = compatiblePlatforms(wanted).map(formatPlatform)
  let best: { entry: T; rank: number } | undefined
  for (const entry of available) {
    const rank = entry.platform ? order.indexOf(formatPlatform(entry.platform)) : order.length
    if (rank !== -1 && (!best || rank < best.rank)) best = { entry, rank }
  }
  return best?.entry
}
