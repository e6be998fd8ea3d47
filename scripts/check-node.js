// The action runs on Node 24 (action.yml `using: node24`), so the tests must too. npm puts
// node_modules/.bin first on PATH, where the `node` dev dependency provides Node 24.
const major = Number(process.versions.node.split('.')[0])
if (major !== 24) {
  console.error(`pullgate: tests must run on Node 24 (this is ${process.version}); run them through npm (npm test), which uses node_modules/.bin/node`)
  process.exit(1)
}
