// cdk-nag AwsSolutions, exactly as bin/app.ts registers it: both stages must
// have zero findings that are not acknowledged (errors and warnings alike).
import { Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { addStageStack } from '../lib/app';
import { STAGES_UNDER_TEST, newApp } from './helpers';

function findings(scope: IConstruct): string[] {
  const report = new AwsSolutionsChecks().validateScope(scope);
  return report.violations.flatMap((v) =>
    v.violatingResources.map((r) => `${v.severity} ${v.ruleName} at ${r.constructPath}: ${v.description}`),
  );
}

function acknowledgements(scope: IConstruct): { path: string; id: string; reason: string }[] {
  return scope.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ path: c.node.path, id, reason })),
      ),
  );
}

describe.each(STAGES_UNDER_TEST)('cdk-nag AwsSolutions (%s)', (stage) => {
  it('has no unacknowledged findings', () => {
    const app = newApp(stage);
    addStageStack(app);
    app.synth();
    expect(findings(app)).toEqual([]);
  });

  it('passes as the validation plugin bin/app.ts registers', () => {
    const app = newApp(stage);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    addStageStack(app);
    // Throws with the report when any finding is unacknowledged.
    expect(() => app.synth()).not.toThrow();
  });

  it('gives every acknowledgement a real reason', () => {
    const app = newApp(stage);
    addStageStack(app);
    const acks = acknowledgements(app);
    expect(acks.length).toBeGreaterThan(0);
    for (const a of acks) expect(a.reason.length, `${a.path} ${a.id}`).toBeGreaterThan(40);
  });

  it('still catches a non-compliant resource (the check is not vacuous)', () => {
    const app = newApp(stage);
    const stack = addStageStack(app);
    new sqs.Queue(stack, 'PlainQueue');
    expect(findings(app).join('\n')).toMatch(/AwsSolutions-SQS4/);
  });
});
