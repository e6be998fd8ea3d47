import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request as the fake server saw it. */
export interface SeenRequest {
  readonly method: string
  readonly path: string
  readonly headers: IncomingMessage['headers']
}

export type Handler = (req: IncomingMessage, res: ServerResponse, seen: SeenRequest[]) => void

/**
 * A real HTTP server on loopback for behaviours no real registry here produces (429 with
 * Retry-After, Docker Hub's 401 for unknown repositories, a missing Docker-Content-Digest,
 * redirects to other hosts). Every request is recorded.
 */
export class FakeServer {
  readonly seen: SeenRequest[] = []
  /** connections that did not speak HTTP (e.g. a TLS handshake sent to this plain-HTTP port) */
  clientErrors = 0
  private server: Server | undefined
  host = ''

  constructor(private readonly handler: Handler) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.seen.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers })
      try {
        this.handler(req, res, this.seen)
      } catch (error) {
        res.statusCode = 599
        res.end(String(error))
      }
    })
    this.server.on('clientError', (_error, socket) => {
      this.clientErrors++
      // what Node's default handler (and most plain-HTTP servers) answer to a TLS handshake
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
    })
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve))
    this.host = `127.0.0.1:${(this.server!.address() as AddressInfo).port}`
    return this
  }

  get url(): string {
    return `http://${this.host}`
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections()
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve())
  }
}

/** Sends a JSON body with a status and headers. */
export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers })
  res.end(res.req.method === 'HEAD' ? undefined : text)
}

/** A minimal linux/amd64 OCI image (config and manifest) for fake registries to serve, with its digests. */
export const CONFIG = JSON.stringify({ os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: [] } })
export const CONFIG_DIGEST = `sha256:${createHash('sha256').update(CONFIG).digest('hex')}`
export const MANIFEST = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: CONFIG_DIGEST, size: CONFIG.length },
  layers: []
})
export const MANIFEST_DIGEST = `sha256:${createHash('sha256').update(MANIFEST).digest('hex')}`
