/** Jest runs the TypeScript sources as ESM through ts-jest (the typescript-action template's setup). */
export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: [151002] } }]
  },
  testTimeout: 60000,
  // one seeded lab of real registries on loopback for the whole run (test/lab/lab.js)
  globalSetup: '<rootDir>/test/lab/jest-global-setup.js',
  globalTeardown: '<rootDir>/test/lab/jest-global-teardown.js'
}
