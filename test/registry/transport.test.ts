import { afterEach, describe, expect, test } from '@jest/globals'
import { Transport } from '../../src/registry/transport.js'
import { TransportError } from '../../src/registry/errors.js'
import { FakeServer, json } from '../helpers/fake-registry.js'

const servers: FakeServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()))
})

async function serve(handler: ConstructorParameters<typeof FakeServer>[0]): Promise<FakeServer> {
  const server = await new FakeServer(handler).start()
  servers.push(server)
  return server
}

const waits: number[] = []
function transport(options: ConstructorParameters<typeof Transport>[0] = {}): Transport {
  waits.length = 0
  return new Transport({ sleep: async (ms) => void waits.push(ms), timeoutMs: 2000, ...options })
}

describe('Transport', () => {
  test('retries 500 then succeeds, with exponential backoff', async () => {
    const server = await serve((_req, res, seen) => (seen.length < 3 ? json(res, 500, { errors: [] }) : json(res, 200, { ok: true })))
    const response = await transport().request({ method: 'GET', url: new URL(`${server.url}/v2/`), maxBodyBytes: 1000 })
    expect(response.status).toBe(200)
    expect(server.seen).toHaveLength(3)
    expect(waits).toEqual([250, 500])
  })

  test('honours Retry-After on 429 and gives up with the 429 after the retries', async () => {
    const server = await serve((_req, res) => json(res, 429, { errors: [{ code: 'TOOMANYREQUESTS' }] }, { 'retry-after': '2' }))
    const response = await transport().request({ method: 'GET', url: new URL(`${server.url}/v2/`), maxBodyBytes: 1000 })
    expect(response.status).toBe(429)
    expect(server.seen).toHaveLength(4)
    expect(waits).toEqual([2000, 2000, 2000])
  })

  test('a registry that throttles above 2 requests in flight: its requests are cut down to what it takes, and all 40 succeed', async () => {
    let inFlight = 0
    let throttled = 0
    const server = await serve((_req, res) => {
      if (inFlight >= 2) {
        throttled++
        return json(res, 429, { errors: [{ code: 'TOOMANYREQUESTS', message: 'slow down' }] }, { 'retry-after': '0' })
      }
      inFlight++
      res.on('finish', () => inFlight--)
      setTimeout(() => json(res, 200, { ok: true }), 10)
    })
    const t = transport({ connectionsPerOrigin: 8 })
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => t.request({ method: 'GET', url: new URL(`${server.url}/v2/r${i}/manifests/1`), maxBodyBytes: 1000 })))
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 40 }, () => 200))
    // 8 at once to start with: 6 throttled, then a few more while the limit finds 2
    expect(throttled).toBeLessThan(25)
    await t.close()
  })

  test('a Retry-After longer than the cap is not waited for', async () => {
    const server = await serve((_req, res) => json(res, 429, {}, { 'retry-after': '3600' }))
    const response = await transport().request({ method: 'GET', url: new URL(`${server.url}/v2/`), maxBodyBytes: 1000 })
    expect(response.status).toBe(429)
    expect(server.seen).toHaveLength(1)
    expect(waits).toEqual([])
  })

  test('a redirect to another host does not carry the Authorization header; one to the same origin does', async () => {
    const other = await serve((_req, res) => json(res, 200, { where: 'other' }))
    const registry = await serve((req, res) => {
      if (req.url === '/same') return json(res, 200, { where: 'same' })
      res.writeHead(req.url === '/to-other' ? 307 : 302, { location: req.url === '/to-other' ? `${other.url}/blob` : '/same' })
      res.end()
    })
    const t = transport()
    await t.request({ method: 'GET', url: new URL(`${registry.url}/to-other`), authorization: 'Bearer secret-token', maxBodyBytes: 1000 })
    expect(other.seen[0]!.headers.authorization).toBeUndefined()
    await t.request({ method: 'GET', url: new URL(`${registry.url}/to-same`), authorization: 'Bearer secret-token', maxBodyBytes: 1000 })
    expect(registry.seen.map((s) => [s.path, s.headers.authorization])).toEqual([
      ['/to-other', 'Bearer secret-token'],
      ['/to-same', 'Bearer secret-token'],
      ['/same', 'Bearer secret-token']
    ])
  })

  test('a body over the limit is refused, declared or streamed', async () => {
    const server = await serve((req, res) => {
      if (req.url === '/declared') return json(res, 200, 'x'.repeat(5000))
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('y'.repeat(5000))
    })
    for (const path of ['/declared', '/streamed']) {
      await expect(transport().request({ method: 'GET', url: new URL(`${server.url}${path}`), maxBodyBytes: 1000 })).rejects.toMatchObject({
        failure: 'too-large'
      })
    }
  })

  test('connection refused is a TransportError naming the host, not retried', async () => {
    const server = await serve(() => {})
    const host = server.host
    await server.stop()
    servers.pop()
    const error = await transport()
      .request({ method: 'GET', url: new URL(`http://${host}/v2/`), maxBodyBytes: 1000 })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TransportError)
    expect((error as TransportError).message).toBe(`connection refused by ${host} (nothing listens there)`)
    expect(waits).toEqual([])
  })
})
