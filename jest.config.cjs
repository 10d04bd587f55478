/** Jest runs the TypeScript sources through ts-jest (CommonJS output); type checking is `npm run typecheck`. */
module.exports = {
  testEnvironment: '<rootDir>/test/support/node-environment.cjs',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }],
  },
  moduleFileExtensions: ['ts', 'js', 'cjs', 'mjs', 'json'],
  globalSetup: '<rootDir>/test/global-setup.cjs',
  testTimeout: 60000,
  maxWorkers: 2,
};
