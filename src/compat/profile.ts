import type { Platform } from './platforms.js'
import type { Runtime } from './runtimes.js'

/** The nodes pullgate checks images for: every runtime and platform of the node pools. */
export interface CompatOptions {
  readonly runtimes: readonly Runtime[]
  readonly platforms: readonly Platform[]
}

/** The platform checked when none is named: what most node pools run. */
export const DEFAULT_PLATFORM = 'linux/amd64'
