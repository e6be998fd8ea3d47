// jest globalTeardown: stops the lab that jest-global-setup.js started (a lab reused from
// PULLGATE_LAB_STATE is left running). Set PULLGATE_LAB_KEEP=1 to keep its state dir (registry
// logs, lab.json) for a post-mortem; the processes are stopped either way.
import { stopLab } from './lab.js'

export default async function globalTeardown() {
  const owned = Reflect.get(globalThis, '__PULLGATE_LAB_OWNED__')
  if (!owned) return
  await stopLab(owned, { keep: process.env.PULLGATE_LAB_KEEP === '1' })
  if (process.env.PULLGATE_LAB_KEEP === '1') console.log(`\npullgate lab state kept in ${owned}`)
}
