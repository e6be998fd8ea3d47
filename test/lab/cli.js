#!/usr/bin/env node
// Manual control of the real-registry lab (see lab.js).
//
//   node test/lab/cli.js start  [--state DIR] [--no-seed]   start + seed, print hosts, exit (processes keep running)
//   node test/lab/cli.js status [--state DIR]                hosts, pids, whether they answer
//   node test/lab/cli.js images [--state DIR]                seeded references with digest and media type
//   node test/lab/cli.js env    [--state DIR]                shell exports for other tools (eval "$(… env)")
//   node test/lab/cli.js stop   [--state DIR] [--keep]       stop every lab process, remove DIR unless --keep
//
// DIR defaults to $PULLGATE_LAB_STATE, else <tmpdir>/pullgate-lab, so start/stop pair up without
// arguments. Unlike startLab() in tests, `start` passes killOnExit: false: the lab outlives this
// command until `stop`.
import os from 'node:os'
import path from 'node:path'
import fs from 'node:fs'
import { startLab, stopLab, readLab, livePids } from './lab.js'

const argv = process.argv.slice(2)
const cmd = argv[0]
const opt = (/** @type {string} */ name) => {
  const i = argv.indexOf(name)
  return i >= 0 ? argv[i + 1] : undefined
}
const flag = (/** @type {string} */ name) => argv.includes(name)
const stateDir = path.resolve(opt('--state') ?? process.env.PULLGATE_LAB_STATE ?? path.join(os.tmpdir(), 'pullgate-lab'))

/** @param {import('./lab.js').Lab} lab */
function table(lab) {
  const rows = [
    ['open', lab.open.url, 'anonymous read/write, schema1 pushes enabled'],
    ['basic', lab.basic.url, `htpasswd realm "${lab.basic.realm}": ${Object.entries(lab.basic.users).map(([u, p]) => `${u}/${p}`).join(', ')}`],
    ['token', lab.token.url, `bearer, service "${lab.token.service}": ${Object.entries(lab.token.users).map(([u, p]) => `${u}/${p}`).join(', ')}`],
    ['issuer', lab.token.issuer.realm, 'anonymous: pull public/*; alice: all; bob: pull public/*; shorty: 1-s tokens; GET /stats'],
    ['tls', lab.tls.url, `HTTPS, anonymous, CA ${lab.tls.caFile}`]
  ]
  const w = Math.max(...rows.map((r) => r[1].length))
  return rows.map(([k, url, what]) => `  ${k.padEnd(7)} ${url.padEnd(w)}  ${what}`).join('\n')
}

async function main() {
  switch (cmd) {
    case 'start': {
      const t0 = performance.now()
      const lab = await startLab({ stateDir, seed: !flag('--no-seed'), killOnExit: false })
      console.log(`lab running (${Math.round(performance.now() - t0)} ms): ${path.join(lab.stateDir, 'lab.json')}`)
      console.log(table(lab))
      console.log(`  ${Object.keys(lab.images).length} seeded references (node test/lab/cli.js images --state ${lab.stateDir})`)
      for (const n of lab.notes) console.log(`  note: ${n}`)
      console.log(`stop with: node test/lab/cli.js stop --state ${lab.stateDir}`)
      return
    }
    case 'stop': {
      const pids = fs.existsSync(stateDir) ? livePids(stateDir) : []
      await stopLab(stateDir, { keep: flag('--keep') })
      console.log(`lab in ${stateDir} stopped${pids.length ? ` (pids ${pids.join(', ')})` : ' (nothing was running)'}`)
      return
    }
    case 'status': {
      const lab = readLab(stateDir)
      const alive = livePids(stateDir)
      console.log(`lab ${lab.stateDir}: ${alive.length}/${lab.pids.length} processes alive (pids ${lab.pids.join(', ')})`)
      console.log(table(lab))
      process.exitCode = alive.length === lab.pids.length ? 0 : 1
      return
    }
    case 'images': {
      const lab = readLab(stateDir)
      const w = Math.max(...Object.keys(lab.images).map((k) => k.length))
      for (const [k, v] of Object.entries(lab.images)) console.log(`${k.padEnd(w)}  ${v.digest}  ${v.mediaType}`)
      return
    }
    case 'env': {
      const lab = readLab(stateDir)
      const q = (/** @type {string} */ s) => `'${s.replace(/'/g, `'\\''`)}'`
      console.log(`export PULLGATE_LAB_STATE=${q(lab.stateDir)}`)
      console.log(`export LAB_OPEN=${q(lab.open.host)} LAB_BASIC=${q(lab.basic.host)} LAB_TOKEN=${q(lab.token.host)} LAB_TLS=${q(lab.tls.host)}`)
      console.log(`export LAB_CA=${q(lab.tls.caFile)}`)
      return
    }
    default:
      console.error('usage: node test/lab/cli.js start|stop|status|images|env [--state DIR] [--no-seed] [--keep]')
      process.exitCode = 2
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err)
  process.exitCode = 1
})
