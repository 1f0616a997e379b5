// ESLint for the JavaScript side: the npm package and CLI, the Action, the playground, the
// Argo CD plugin and the tests. Recommended rules; formatting is Prettier's job.
import js from "@eslint/js";
import globals from "globals";

export default [
  {
    ignores: [
      "target/**",
      "node_modules/**",
      "npm/pkg/**",
      "action/dist/**",
      "playground/dist/**",
    ],
  },
  js.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2024,
      sourceType: "module",
      globals: { ...globals.node, ...globals.browser },
    },
    rules: {
      "no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", caughtErrors: "none" },
      ],
    },
  },
];
