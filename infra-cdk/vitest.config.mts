import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    env: {
      // Skip aws-cdk-lib's built-in CloudFormation validation plugin (about
      // 10 s a synth); cfn-lint covers it in scripts/check.sh.
      CDK_VALIDATION: 'false',
      // Offline placeholders, whatever the developer's shell says.
      CDK_DEFAULT_ACCOUNT: '111111111111',
      CDK_DEFAULT_REGION: 'us-west-2',
    },
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
