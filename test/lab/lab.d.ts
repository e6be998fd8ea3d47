// Types for lab.js, so TypeScript tests can `import { readLab } from '../lab/lab.js'` with types
// (the lab itself is plain ESM JavaScript: no build step, importable from jest and from node).

export interface LabEndpoint {
  /** `127.0.0.1:<port>` */
  host: string
  /** `http://127.0.0.1:<port>` (`https://` for tls) */
  url: string
}

export interface SeededImage {
  /** What the registry answers in Docker-Content-Digest for a HEAD with every manifest type in Accept. */
  digest: string
  /** Content-Type of that answer, without parameters. */
  mediaType: string
  size: number
  /** Children, for OCI indexes and Docker manifest lists. */
  manifests?: {
    digest: string
    mediaType: string
    platform?: { architecture: string; os: string; variant?: string }
    annotations?: Record<string, string>
  }[]
}

export interface Lab {
  version: 1
  stateDir: string
  pids: number[]
  startedBy: number
  killOnExit: boolean
  ownsStateDir: boolean
  /** HTTP, anonymous read/write, schema1 pushes enabled. */
  open: LabEndpoint
  /** HTTP, htpasswd (bcrypt). */
  basic: LabEndpoint & { realm: string; users: Record<string, string> }
  /** HTTP, `auth: token` against the lab issuer. */
  token: LabEndpoint & {
    service: string
    issuer: LabEndpoint & { realm: string; name: string }
    users: Record<string, string>
  }
  /** HTTPS with the lab CA (SAN IP:127.0.0.1, DNS:localhost), anonymous. */
  tls: LabEndpoint & { caFile: string }
  /** `'<open|basic|token|tls>/<repo>:<tag>'` → what the registry serves for it. */
  images: Record<string, SeededImage>
  /** What could not be seeded as asked (e.g. schema1), and fallbacks taken. */
  notes: string[]
  /** Log file per process: open, basic, token, tls, issuer. */
  logs: Record<string, string>
  timings: Record<string, number>
}

export interface StartLabOptions {
  /** Default: a fresh mkdtemp under os.tmpdir(), removed by stopLab (and on exit). */
  stateDir?: string
  /** Default true. */
  seed?: boolean
  /** Default true: kill the lab when this process exits or dies. The CLI passes false. */
  killOnExit?: boolean
  log?: (msg: string) => void
}

/** Starts the lab (idempotent per stateDir), seeds it, writes `${stateDir}/lab.json`, returns the Lab. */
export function startLab(opts?: StartLabOptions): Promise<Lab>
/** Stops every process startLab started (registries, token issuer) and removes the state dir unless keep. */
export function stopLab(labOrStateDir: Lab | string, opts?: { keep?: boolean }): Promise<void>
/** Reads lab.json written by startLab (default state dir: $PULLGATE_LAB_STATE). */
export function readLab(stateDir?: string): Lab
/** Live pids whose command line names the state dir. */
export function livePids(stateDir: string): number[]

export const TOKEN_SERVICE: string
export const TOKEN_ISSUER: string
export const BASIC_REALM: string
export const BASIC_USERS: Readonly<Record<'alice' | 'bob', string>>
export const TOKEN_USERS: Readonly<Record<'alice' | 'bob' | 'shorty', string>>
