/**
 * How many requests one origin gets at once, tuned by what it answers: up to the connection
 * pool's size, halved when the registry throttles (HTTP 429), and grown back by one after twice
 * as many unthrottled answers in a row as the current limit (additive increase, multiplicative
 * decrease, as TCP does with its window). A registry that throttles above N requests in flight
 * (GHCR, ECR, Quay and Harbor answer 429 under load) so settles near N, instead of having every
 * request above N retried until its retries run out. A 429 that says a quota is spent (Docker
 * Hub's `ratelimit-remaining: 0`) is no sign of too many requests at once, and cuts nothing.
 */
/** Never fewer: one slow answer (a registry trickling a body until the timeout) must not stall every other request to the origin. */
const MIN_LIMIT = 2

export class OriginGate {
  private limit: number
  private active = 0
  private calm = 0
  /** bumped at every cut: the 429s of requests sent before a cut are one signal, not one each */
  private epoch = 0
  private readonly waiting: Array<() => void> = []

  constructor(private readonly max: number) {
    this.limit = max
  }

  /** Waits for a slot; the ticket is given back to {@link leave}. */
  async enter(): Promise<number> {
    if (this.active < this.limit) this.active++
    // a slot is handed over by leave(), already counted: no newcomer can take it first
    else await new Promise<void>((resolve) => this.waiting.push(resolve))
    return this.epoch
  }

  /** Gives the slot back, with whether the answer was the registry throttling. */
  leave(ticket: number, throttled: boolean): void {
    this.active--
    if (throttled) {
      if (ticket === this.epoch) {
        this.limit = Math.max(MIN_LIMIT, Math.floor(this.limit / 2))
        this.epoch++
      }
      this.calm = 0
    } else if (this.limit < this.max && ++this.calm >= 2 * this.limit) {
      this.limit++
      this.calm = 0
    }
    while (this.active < this.limit && this.waiting.length > 0) {
      this.active++
      this.waiting.shift()!()
    }
  }
}
