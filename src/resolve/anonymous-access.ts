import { SCOPES_PER_TOKEN } from '../registry/auth.js'
import { challengeSchemes } from '../registry/challenge.js'
import type { RegistryClient } from '../registry/client.js'
import type { Endpoint } from '../registry/endpoints.js'
import type { Target } from './outcome.js'


type Access = 'private' | 'public'

interface Question {
  readonly target: Target
  readonly answer: (access: Access) => void
}

/**
 * Whether an anonymous client (a node without pull secrets) may pull a repository, in as few
 * requests as the registry allows:
 * - a registry whose API root refuses anonymous clients with a Basic challenge refuses them
 *   everywhere (distribution's htpasswd, ECR): private, without asking;
 * - a token registry is asked for one anonymous token covering the repositories in question and
 *   the others of the run on that registry, up to SCOPES_PER_TOKEN, and the token's `access`
 *   claim says which it may pull (questions asked in the same turn share the token);
 * - otherwise (an opaque token, an open API root), one anonymous HEAD of the manifest.
 * A failure to find out says nothing: private, as the gate itself needed credentials.
 */
export class AnonymousAccess {
  private readonly learned = new Map<string, boolean>()
  private readonly queued = new Map<string, { endpoint: Endpoint; questions: Question[] }>()

  constructor(
    private readonly client: RegistryClient,
    /** the repositories of the run on a registry, for a token to cover in advance */
    private readonly repositoriesOf: (registry: string) => Iterable<string>
  ) {}

  ask(endpoint: Endpoint, target: Target): Promise<Access> {
    const schemes = challengeSchemes(endpoint.challenges)
    if (schemes.has('basic') && !schemes.has('bearer')) return Promise.resolve('private')
    const learned = this.learned.get(`${target.registry}/${target.repository}`)
    if (learned !== undefined) return Promise.resolve(learned ? 'public' : 'private')
    if (!schemes.has('bearer')) return this.probe(endpoint, target)
    return new Promise((answer) => {
      let queue = this.queued.get(target.registry)
      if (!queue) {
        this.queued.set(target.registry, (queue = { endpoint, questions: [] }))
        setImmediate(() => void this.flush(target.registry))
      }
      queue.questions.push({ target, answer })
    })
  }

  private async flush(registry: string): Promise<void> {
    const queue = this.queued.get(registry)!
    this.queued.delete(registry)
    for (let i = 0; i < queue.questions.length; i += SCOPES_PER_TOKEN) {
      const batch = queue.questions.slice(i, i + SCOPES_PER_TOKEN)
      const asked = new Set(batch.map((q) => q.target.repository))
      for (const r of this.repositoriesOf(registry)) {
        if (asked.size >= SCOPES_PER_TOKEN) break
        if (!this.learned.has(`${registry}/${r}`)) asked.add(r)
      }
      const access = await this.client.anonymousPullAccess(queue.endpoint, [...asked]).catch(() => undefined)
      if (access) for (const [r, pullable] of access) this.learned.set(`${registry}/${r}`, pullable)
      for (const q of batch) {
        const pullable = access?.get(q.target.repository)
        if (pullable === undefined) void this.probe(queue.endpoint, q.target).then(q.answer)
        else q.answer(pullable ? 'public' : 'private')
      }
    }
  }

  /** One anonymous HEAD of the manifest (with an anonymous token when the registry hands one out). */
  private probe(endpoint: Endpoint, target: Target): Promise<Access> {
    return this.client.refusesAnonymous(endpoint, target.repository, target.reference).then(
      (refused) => (refused ? 'private' : 'public'),
      () => 'private' as const
    )
  }
}
