import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const depConstraints = (specs) => {
  const test = specs ? ['type:test'] : [];
  return [
    { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:domain', 'type:data-access', 'type:util', 'type:contracts', ...test] },
    { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:data-access', 'type:domain', 'type:util', 'type:contracts', ...test] },
    { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain', 'type:util', 'type:contracts', ...test] },
    { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:util', ...test] },
    { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util', ...test] },
    { sourceTag: 'type:test', onlyDependOnLibsWithTags: ['type:test', 'type:data-access', 'type:domain', 'type:util', 'type:contracts'] },
  ];
};

// Spec files (and only they) may use the type:test helpers; the test-only cycle
// event-store <-> testing is declared rather than hidden.
const boundaries = (specs) => ({
  enforceBuildableLibDependency: true,
  banTransitiveDependencies: false,
  ignoredCircularDependencies: [['event-store', 'testing'], ['messaging', 'testing']],
  depConstraints: depConstraints(specs),
});

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/dist', '**/out-tsc', '**/node_modules', '**/*.js', '**/*.cjs', '**/*.mjs', '**/*.cts'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': ['error', boundaries(false)],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.fixture.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', boundaries(true)] },
  },
  {
    // Only data-access libs touch Postgres (STYLE.md): everything else goes through them.
    files: ['apps/**/*.ts', 'libs/contracts/**/*.ts', 'libs/config/**/*.ts', 'libs/service-kit/**/*.ts', 'libs/scheduling/**/*.ts', 'libs/autoscaling/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['pg', 'typeorm', '@nestjs/typeorm'].map((name) => ({ name, message: 'Only data-access libs touch Postgres.' })) }],
    },
  },
];
