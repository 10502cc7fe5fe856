import tseslint from 'typescript-eslint';

export default tseslint.config(
  // assembly/: AssemblyScript (scripts/build-wasm.mjs compiles and checks it), not TypeScript.
  { ignores: ['dist/**', 'node_modules/**', 'reports/**', 'bench/out/**', 'assembly/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
);
