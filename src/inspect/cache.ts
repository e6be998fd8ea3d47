import { existsSync, readFileSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { ManifestFacts } from './facts.js'

/** Bumped when the shape of cached facts changes: an old file is then ignored, never misread. */
const CACHE_VERSION = 1

interface CacheFile {
  version: number
  /** `registry|digest|readConfig` → what that manifest says (a digest's content never changes) */
  manifests: Record<string, ManifestFacts>
  /** `registry/repository` → whether anonymous pulls are refused (refreshed by every cold run) */
  access: Record<string, 'private' | 'public'>
}

/**
 * What was learned about digests, kept across runs in a JSON file (`cache-file`) that users
 * persist with actions/cache. A manifest addressed by digest never changes, so a warm run needs
 * one HEAD per tag and nothing for digest-pinned references — which matters for Docker Hub, whose
 * small anonymous quota counts manifest GETs. Entries are kept per registry: one registry's
 * answer never stands for another's.
 */
export class FactsCache {
  private readonly data: CacheFile
  private dirty = false

  private constructor(
    private readonly file: string | undefined,
    data: CacheFile
  ) {
    this.data = data
  }

  /** Loads the cache file, or starts empty (missing, unreadable or from another version). */
  static load(file: string | undefined): FactsCache {
    const empty: CacheFile = { version: CACHE_VERSION, manifests: {}, access: {} }
    if (!file || !existsSync(file)) return new FactsCache(file, empty)
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as CacheFile
      if (data.version !== CACHE_VERSION || typeof data.manifests !== 'object' || typeof data.access !== 'object') return new FactsCache(file, empty)
      return new FactsCache(file, data)
    } catch {
      return new FactsCache(file, empty)
    }
  }

  manifest(key: string): ManifestFacts | undefined {
    return this.data.manifests[key]
  }

  setManifest(key: string, facts: ManifestFacts): void {
    this.data.manifests[key] = facts
    this.dirty = true
  }

  access(repository: string): 'private' | 'public' | undefined {
    return this.data.access[repository]
  }

  setAccess(repository: string, access: 'private' | 'public'): void {
    if (this.data.access[repository] === access) return
    this.data.access[repository] = access
    this.dirty = true
  }

  /** Writes the file when anything new was learned. */
  async save(): Promise<void> {
    if (!this.file || !this.dirty) return
    await mkdir(path.dirname(this.file), { recursive: true })
    await writeFile(this.file, `${JSON.stringify(this.data)}\n`)
  }
}
