import path from 'node:path'
import { ROOT } from './shared.js'

/** The hand-written manifests every engine, CLI and action test scans. */
export const MANIFEST_FIXTURES = path.join(ROOT, '__fixtures__', 'manifests')
