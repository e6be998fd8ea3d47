// A registry that misbehaves the way only public ones do here (Docker Hub's 429 with a quota, a
// manifest whose body does not match its digest), for the demo: no real registry on loopback
// produces these. Started by scripts/demo.js on 127.0.0.1 and stopped with it.
import { createServer } from 'node:http'

/** Starts the server; resolves to { host, close }. */
export function startFlakyRegistry() {
  const manifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', layers: [] })
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname
    const send = (status, headers, body = '') => {
      res.writeHead(status, headers)
      res.end(req.method === 'HEAD' ? undefined : body)
    }
    if (path === '/v2/') return send(200, { 'content-type': 'application/json' }, '{}')
    if (path.startsWith('/v2/limited/')) {
      return send(
        429,
        { 'content-type': 'application/json', 'retry-after': '0', 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '0;w=21600' },
        JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS', message: 'You have reached your pull rate limit.' }] })
      )
    }
    if (path.startsWith('/v2/liar/')) {
      // HEAD without a digest makes the client GET the body; the GET then claims a digest the body does not have
      const headers = { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }
      if (req.method === 'GET') headers['docker-content-digest'] = `sha256:${'b'.repeat(64)}`
      return send(200, headers, manifest)
    }
    send(404, { 'content-type': 'application/json' }, JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }))
  })
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      resolve({ host: `127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) })
    })
  })
}
