#!/usr/bin/env node
/**
 * Summarises a V8 CPU profile (`--cpu-prof`): self time by function and by source file, and the
 * share of idle time (the process waiting on the network or the disk).
 *
 *   node bench/profile-summary.js FILE.cpuprofile [--top 25]
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } })
if (positionals.length !== 1) {
  process.stderr.write('usage: node bench/profile-summary.js FILE.cpuprofile [--top 25]\n')
  process.exit(2)
}
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'))
const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const self = new Map()
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i] ?? 0
  self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt)
}
const total = [...self.values()].reduce((a, b) => a + b, 0)
const byFunction = new Map()
const byFile = new Map()
for (const [id, us] of self) {
  const { functionName, url, lineNumber } = byId.get(id).callFrame
  const file = url ? url.replace(/^file:\/\//, '').split('/').slice(-2).join('/') : '(native)'
  const fn = `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + us)
  byFile.set(file, (byFile.get(file) ?? 0) + us)
}
const ms = (us) => `${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%`
const top = Number(values.top)
const print = (title, map) => {
  process.stdout.write(`${title}\n`)
  for (const [k, v] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${ms(v)}  ${k}\n`)
  process.stdout.write('\n')
}
process.stdout.write(`${(total / 1000).toFixed(0)} ms sampled\n\n`)
print('self time by function', byFunction)
print('self time by file', byFile)
