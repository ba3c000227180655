// One runner for every tier; `npm test` runs them all.
/** @type {import('jest').Config} */
module.exports = {
  rootDir: '..',
  testEnvironment: 'node',
  testRegex: '(src|test)/.*\\.(spec|e2e-spec|browser-spec)\\.ts$',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json', diagnostics: false }],
  },
  testTimeout: 30000,
  setupFiles: ['<rootDir>/test/support/setup-env.ts'],
};
