// Least privilege, checked on the whole synthesized template: every policy
// statement (identity policies, inline role policies, bucket and queue
// policies, trust policies) and every Lambda permission.
import { describe, expect, it } from 'vitest';
import { ACCOUNT, STAGES_UNDER_TEST, type Statement, allStatements, asArray, resourcesOfType, synth } from './helpers';

/**
 * Allow statements with `Resource: "*"` are accepted only for these actions,
 * which AWS does not let you scope to a resource. Keep this list short.
 */
const UNSCOPABLE_ACTIONS: Record<string, string> = {
  // Lambda active tracing (config.tracing): X-Ray has no resource-level permissions.
  'xray:PutTraceSegments': 'X-Ray supports no resource-level permissions',
  'xray:PutTelemetryRecords': 'X-Ray supports no resource-level permissions',
};

/**
 * Deny statements may use wildcards: a wider deny is stricter. The only ones
 * this app has are the TLS-only guards that enforceSSL adds to buckets,
 * queues and the alarm topic, and the test pins them to exactly that shape.
 */
function isTlsOnlyDeny(s: Statement): boolean {
  return (
    s.Effect === 'Deny' &&
    JSON.stringify(s.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }) &&
    asArray(s.Action).every((a) => a === 's3:*' || a === 'sqs:*' || a === 'sns:Publish')
  );
}

/**
 * A key policy is attached to one key and accepts only `Resource: "*"`, which
 * there means that key. Such statements are exempt from the Resource check
 * and held to their principals instead (see the key policy test below).
 */
const inKeyPolicy = (where: string) => /\(AWS::KMS::Key\)\.KeyPolicy\./.test(where);

describe.each(STAGES_UNDER_TEST)('IAM (%s)', (stage) => {
  const { json } = synth(stage);
  const statements = allStatements(json);

  it('finds the policies it is meant to check', () => {
    // 4 functions + deployment handler + 2 scheduler roles, bucket and queue policies.
    expect(statements.length).toBeGreaterThan(30);
  });

  it('no Allow statement has a wildcard action, NotAction or NotResource', () => {
    const offenders = statements
      .filter(({ statement: s }) => s.Effect === 'Allow')
      .filter(
        ({ statement: s }) =>
          s.NotAction !== undefined ||
          s.NotResource !== undefined ||
          asArray(s.Action).some((a) => typeof a !== 'string' || a.includes('*')),
      )
      .map(({ where, statement }) => `${where}: ${JSON.stringify(statement.Action ?? statement.NotAction)}`);
    expect(offenders).toEqual([]);
  });

  it('Resource "*" appears only with actions AWS cannot scope', () => {
    const offenders = statements
      .filter(({ where, statement: s }) => s.Effect === 'Allow' && asArray(s.Resource).includes('*') && !inKeyPolicy(where))
      .filter(({ statement: s }) => !asArray(s.Action).every((a) => a in UNSCOPABLE_ACTIONS))
      .map(({ where, statement }) => `${where}: ${JSON.stringify(statement.Action)} on "*"`);
    expect(offenders).toEqual([]);
  });

  it('key policies allow only this account and CloudWatch, each with its exact actions', () => {
    const keyStatements = statements.filter(({ where }) => inKeyPolicy(where));
    expect(keyStatements.length).toBeGreaterThan(0);
    for (const { where, statement: s } of keyStatements) {
      expect(s.Effect, where).toBe('Allow');
      expect(s.Resource, where).toBe('*');
      const principal = JSON.stringify(s.Principal);
      const isAccount = principal === JSON.stringify({ AWS: `arn:aws:iam::${ACCOUNT}:root` });
      const isCloudWatch = principal === JSON.stringify({ Service: 'cloudwatch.amazonaws.com' });
      expect(isAccount || isCloudWatch, `${where}: ${principal}`).toBe(true);
      // CloudWatch may only encrypt and decrypt what it publishes, never administer the key.
      if (isCloudWatch) expect(asArray(s.Action).sort(), where).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    }
  });

  it('wildcard Deny statements are only the TLS-only guards', () => {
    const denies = statements.filter(({ statement: s }) => s.Effect === 'Deny');
    expect(denies.length).toBeGreaterThan(0);
    for (const { where, statement } of denies) expect(isTlsOnlyDeny(statement), where).toBe(true);
  });

  it('every Allow with a principal names a service or the account, never "*"', () => {
    for (const { where, statement: s } of statements) {
      if (s.Effect !== 'Allow' || s.Principal === undefined) continue;
      expect(JSON.stringify(s.Principal), where).not.toMatch(/"\*"/);
    }
  });

  it('no Lambda permission uses a wildcard action', () => {
    for (const [id, p] of resourcesOfType(json, 'AWS::Lambda::Permission')) {
      expect(p.Properties.Action, id).toBe('lambda:InvokeFunction');
    }
  });

  it('no managed policies at all (every role has explicit inline statements)', () => {
    expect(resourcesOfType(json, 'AWS::IAM::ManagedPolicy')).toEqual([]);
    for (const [id, r] of resourcesOfType(json, 'AWS::IAM::Role')) {
      expect(r.Properties.ManagedPolicyArns, id).toBeUndefined();
    }
  });

  it('nobody may Scan the table', () => {
    expect(JSON.stringify(json)).not.toContain('dynamodb:Scan');
  });
});
