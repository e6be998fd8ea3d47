// jest globalSetup: starts one seeded lab per jest run and publishes its state dir in
// PULLGATE_LAB_STATE, which jest workers inherit (they are spawned after globalSetup); tests call
// readLab() from ./lab.js. Enable with, in jest.config.js:
//   globalSetup: '<rootDir>/test/lab/jest-global-setup.js',
//   globalTeardown: '<rootDir>/test/lab/jest-global-teardown.js'
//
// - PULLGATE_LAB=0 skips the lab (PULLGATE_LAB_STATE stays unset: lab tests should skip).
// - PULLGATE_LAB_STATE already pointing at a running lab (`node test/lab/cli.js start`) reuses it
//   and leaves it running at teardown: handy when iterating on one test file.
// - Without /usr/bin/docker-registry the lab is skipped with a warning, except under CI=true where
//   that is an error (run `bash scripts/lab/install.sh` first).
import fs from 'node:fs'
import path from 'node:path'
import { startLab } from './lab.js'

export default async function globalSetup() {
  if (process.env.PULLGATE_LAB === '0') return
  const existing = process.env.PULLGATE_LAB_STATE
  if (existing && fs.existsSync(path.join(existing, 'lab.json'))) {
    const lab = await startLab({ stateDir: existing, killOnExit: false })
    process.env.PULLGATE_LAB_STATE = lab.stateDir
    return
  }
  const bin = process.env.PULLGATE_LAB_REGISTRY_BIN ?? '/usr/bin/docker-registry'
  if (!fs.existsSync(bin)) {
    const msg = `pullgate lab: ${bin} not found; run \`bash scripts/lab/install.sh\` (lab tests will be skipped)`
    if (process.env.CI === 'true') throw new Error(msg)
    console.warn(`\n${msg}`)
    delete process.env.PULLGATE_LAB_STATE
    return
  }
  const lab = await startLab()
  process.env.PULLGATE_LAB_STATE = lab.stateDir
  // globalSetup and globalTeardown share this global object (and nothing else).
  Object.assign(globalThis, { __PULLGATE_LAB_OWNED__: lab.stateDir })
}
