// ESLint flat config: typescript-eslint's type-aware recommended rules plus the habits of
// reference/style-anchors.md (no floating promises, no unused expressions, curly, eqeqeq).
import js from "@eslint/js";
import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      ".aios/",
      "bin/",
      "coverage/",
      "eslint.config.mjs",
      "jest.config.js",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { "@pulumi": pulumi },
    rules: {
      // An Output inside a template literal renders as a warning text, not its value.
      "@pulumi/no-output-in-template-literal": "error",
      "@pulumi/no-output-instance-in-template-literal": "error",
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-unused-expressions": "error",
      "@typescript-eslint/switch-exhaustiveness-check": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
      // `import x = require("…")` is how a CommonJS `export =` module (index.ts) is imported.
      "@typescript-eslint/no-require-imports": ["error", { allowAsImport: true }],
      curly: "error",
      eqeqeq: "error",
      "default-case-last": "error",
    },
  },
  {
    // Tests inspect the untyped inputs the Pulumi mocks record; typing every path would only
    // restate the assertions. Production code keeps the full type-aware rules.
    files: ["test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
    },
  },
  {
    // Plain scripts that run outside the program (the SDK endpoint's sidecar script): checked by
    // tsc through `// @ts-check` and JSDoc; the type-aware rules assume TypeScript sources.
    files: ["components/**/*.js"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { sourceType: "commonjs" },
    rules: {
      ...tseslint.configs.disableTypeChecked.rules,
      "no-undef": "off",
      "@typescript-eslint/no-require-imports": "off",
    },
  },
);
