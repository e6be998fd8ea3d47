#!/usr/bin/env node
/**
 * Summarises a V8 CPU profile (`--cpu-prof`): self time by function and by source file, total
 * time (self and callees) by function, and the idle share (the process waiting on the network or
 * the disk).
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
const parentOf = new Map()
for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id)
const nameOf = (node) => {
  const { functionName, url, lineNumber } = node.callFrame
  const file = url ? url.replace(/^file:\/\//, '').split('/').slice(-2).join('/') : '(native)'
  return { fn: `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`, file }
}
const self = new Map()
for (let i = 0; i < profile.samples.length; i++) self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0))
const total = [...self.values()].reduce((a, b) => a + b, 0)
const byFunction = new Map()
const byFile = new Map()
const inclusive = new Map()
for (const [id, us] of self) {
  const { fn, file } = nameOf(byId.get(id))
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + us)
  byFile.set(file, (byFile.get(file) ?? 0) + us)
  const onStack = new Set()
  for (let at = id; at !== undefined; at = parentOf.get(at)) onStack.add(nameOf(byId.get(at)).fn)
  for (const f of onStack) inclusive.set(f, (inclusive.get(f) ?? 0) + us)
}
const ms = (us) => `${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%`
const top = Number(values.top)
const section = (title, map) => [title, ...[...map].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, v]) => `${ms(v)}  ${k}`), ''].join('\n')
const idle = byFunction.get('(idle) (native):0') ?? 0
process.stdout.write(
  [`${(total / 1000).toFixed(0)} ms sampled, ${((100 * idle) / total).toFixed(1)}% idle (waiting on the network or the disk)`, '', section('self time by function', byFunction), section('total time by function (self and callees)', inclusive), section('self time by file', byFile)].join('\n')
)
