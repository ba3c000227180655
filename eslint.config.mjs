// Lint rules of STYLE.md §4: type-checked typescript-eslint, with the immich errors.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noMathRandom = {
  selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
  message: 'Math.random is never for security values; use node:crypto.',
};

/**
 * One persistence mechanism (issue 8): every database access is a method of a `*.repository.ts` class
 * (or lives in src/database). Services and controllers call those methods; they may hold a
 * transaction's EntityManager (a type import) only to pass it on, and start transactions with
 * `Transactions.run`.
 */
const repositoryMessage = 'Database access belongs in a *.repository.ts class of the module (or src/database); call a repository method instead.';
const databaseOnlyInRepositories = {
  files: ['src/**/*.ts'],
  ignores: ['src/**/*.repository.ts', 'src/**/*.entity.ts', 'src/database/**', 'src/**/*.spec.ts'],
  rules: {
    'no-restricted-syntax': [
      'error',
      noMathRandom,
      ...['getRepository', 'createQueryBuilder', 'query', 'transaction'].map((name) => ({
        selector: `CallExpression[callee.property.name='${name}']`,
        message: `.${name}(): ${repositoryMessage}`,
      })),
    ],
    '@typescript-eslint/no-restricted-imports': [
      'error',
      {
        paths: [
          { name: 'typeorm', allowTypeImports: true, message: `TypeORM values (DataSource, operators, errors) outside repositories: ${repositoryMessage}` },
          { name: '@nestjs/typeorm', message: repositoryMessage },
        ],
      },
    ],
  },
};

/** The project's rules, for the server, tests, bench, player and console alike. */
const rules = {
  '@typescript-eslint/no-floating-promises': 'error',
  '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
  '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false }],
  '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
  // Nest's HttpStatus enum is compared with plain status numbers throughout.
  '@typescript-eslint/no-unsafe-enum-comparison': 'off',
  '@typescript-eslint/require-await': 'error',
  eqeqeq: ['error', 'always'],
  curly: 'error',
  'no-restricted-syntax': ['error', noMathRandom],
  'no-console': 'error',
  '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
  // Parsed JSON and SCORM CMI data are untyped by nature; these fire on every use of them.
  '@typescript-eslint/no-unsafe-assignment': 'off',
  '@typescript-eslint/no-unsafe-member-access': 'off',
  '@typescript-eslint/no-unsafe-argument': 'off',
  '@typescript-eslint/no-unsafe-return': 'off',
  '@typescript-eslint/no-unsafe-call': 'off',
};

export default tseslint.config(
  { ignores: ['dist/**', 'player/dist/**', 'bench/out/**', 'node_modules/**', 'fixtures/**', 'test/jest.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: ['./test/tsconfig.json', './player/tsconfig.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules,
  },
  databaseOnlyInRepositories,
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', '**/*.spec.ts'],
    // Test and bench code handles raw HTTP bodies and helper callbacks; these rules add noise there, not safety.
    rules: {
      'no-console': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The console's browser modules: plain JS checked by their own tsconfig (lib dom, JSDoc types), so
    // they get the typed rules too. tsc knows the browser globals, which is why no-undef is off here.
    files: ['src/console/public/**/*.js'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      sourceType: 'module',
      parserOptions: { project: ['./src/console/public/tsconfig.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: { ...rules, 'no-undef': 'off' },
  },
  {
    files: ['bench/register.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
