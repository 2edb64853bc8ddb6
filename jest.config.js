/** Tests are TypeScript, transformed by swc (type-checking is `npm run typecheck`, run by `npm test` via the build). */
module.exports = {
  testEnvironment: '<rootDir>/test/support/jest-node-environment.js',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  testTimeout: 120000,
  verbose: true,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
