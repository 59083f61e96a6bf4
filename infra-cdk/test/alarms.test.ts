// Alarms (issue 12): every alarm of a stage, what it watches, where it sends
// notifications, and the SES event destination behind the mail alarms.
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { FUNCTION_NAMES, type FunctionName, STAGE_CONFIGS, type StageConfig, looksLikeEmail } from '../lib/config';
import { INFRA_DIR } from '../lib/paths';
import { ShipCaptainCrewStack } from '../lib/shipcaptaincrew-stack';
import { loadTableSchema } from '../lib/table-schema';
import {
  ACCOUNT,
  CDK_JSON_CONTEXT,
  FIXTURE_CONTEXT,
  REGION,
  STAGES_UNDER_TEST,
  getAtt,
  logicalId,
  ref,
  resourcesOfType,
  synth,
} from './helpers';

/** Every alarm a stage has, by the part of its name after `shipcaptaincrew-<stage>-`. */
const EXPECTED_ALARMS = [
  ...FUNCTION_NAMES.flatMap((n) => [`${n}-errors`, `${n}-throttles`]),
  'nudge-dlq-depth',
  'report-dlq-depth',
  'ses-bounce-rate',
  'ses-complaint-rate',
  'http-api-5xx',
];

describe.each(STAGES_UNDER_TEST)('alarms (%s)', (stage) => {
  const { stack, json } = synth(stage);
  const config = STAGE_CONFIGS[stage];
  const prefix = `shipcaptaincrew-${stage}`;
  const topicRef = ref(logicalId(stack.alarms.topic));
  const alarms = resourcesOfType(json, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
  const alarm = (what: string) => {
    const found = alarms.filter((a) => a.AlarmName === `${prefix}-${what}`);
    expect(found, what).toHaveLength(1);
    return found[0];
  };
  /** The description with every token shown as its JSON, so tests can look for a Ref in it. */
  const description = (a: any) => JSON.stringify(a.AlarmDescription);
  const queueId = (prefix: string) =>
    resourcesOfType(json, 'AWS::SQS::Queue').find(([id]) => id.startsWith(prefix))![0];

  it('has exactly the expected alarms, named shipcaptaincrew-<stage>-<what>', () => {
    expect(alarms.map((a) => a.AlarmName).sort()).toEqual(EXPECTED_ALARMS.map((w) => `${prefix}-${w}`).sort());
  });

  it('every alarm notifies the stage topic, on ALARM and on OK, and says where to look first', () => {
    for (const a of alarms) {
      expect(a.ActionsEnabled, a.AlarmName).toBe(true);
      expect(a.AlarmActions, a.AlarmName).toEqual([topicRef]);
      expect(a.OKActions, a.AlarmName).toEqual([topicRef]);
      expect(description(a), a.AlarmName).toMatch(/Look first at/);
      expect([a.EvaluationPeriods, a.DatapointsToAlarm], a.AlarmName).toEqual([1, 1]);
    }
  });

  describe.each(FUNCTION_NAMES)('function %s', (name: FunctionName) => {
    const fn = stack.functions[name];
    it.each([
      ['errors', 'Errors'],
      ['throttles', 'Throttles'],
    ])('%s: AWS/Lambda %s of this function, >= 1 in 5 minutes, missing data not breaching', (what, metric) => {
      const a = alarm(`${name}-${what}`);
      expect(a).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: metric,
        Dimensions: [{ Name: 'FunctionName', Value: ref(logicalId(fn.function)) }],
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
      // ...and points at this function's log group.
      expect(description(a)).toContain(JSON.stringify(ref(logicalId(fn.logGroup))));
    });
  });

  it.each([
    ['nudge', 'NudgeDlq'],
    ['report', 'ReportDlq'],
  ] as const)('%s DLQ: visible messages > 0 on its own queue, missing data ignored', (name, queuePrefix) => {
    const a = alarm(`${name}-dlq-depth`);
    const queueName = getAtt(queueId(queuePrefix), 'QueueName');
    expect(a).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: queueName }],
      Statistic: 'Maximum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'ignore',
    });
    expect(description(a)).toContain(JSON.stringify(queueName));
    expect(description(a)).toContain(JSON.stringify(ref(logicalId(stack.functions[name].logGroup))));
  });

  it.each([
    ['ses-bounce-rate', 'Reputation.BounceRate', 0.05],
    ['ses-complaint-rate', 'Reputation.ComplaintRate', 0.001],
  ])('%s: account-wide %s >= %s (AWS reviews at 10% / 0.5%)', (what, metric, threshold) => {
    const a = alarm(what);
    expect(a).toMatchObject({
      Namespace: 'AWS/SES',
      MetricName: metric,
      Period: 3600,
      Threshold: threshold,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    // The reputation metrics SES publishes for the account carry no dimensions.
    expect(a.Dimensions).toBeUndefined();
    expect(description(a)).toContain(JSON.stringify(ref(logicalId(stack.node.findChild('ConfigurationSet')))));
  });

  it('HTTP API: 5xx on the $default stage, >= 1 in 5 minutes', () => {
    const a = alarm('http-api-5xx');
    expect(a).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Dimensions: [
        { Name: 'ApiId', Value: ref(logicalId(stack.httpApi)) },
        { Name: 'Stage', Value: '$default' },
      ],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    const [accessLogsId] = resourcesOfType(json, 'AWS::Logs::LogGroup').find(([id]) => id.startsWith('ApiAccessLogs'))!;
    expect(description(a)).toContain(JSON.stringify(ref(accessLogsId)));
  });

  describe('topic', () => {
    const topicId = logicalId(stack.alarms.topic);
    const topic = () => json.Resources[topicId].Properties;

    it(`is ${prefix}-alarms, encrypted with its own rotating key`, () => {
      expect(resourcesOfType(json, 'AWS::SNS::Topic')).toHaveLength(1);
      expect(topic().TopicName).toBe(`${prefix}-alarms`);
      const keyId = logicalId(stack.alarms.key);
      expect(topic().KmsMasterKeyId).toEqual(getAtt(keyId));
      expect(json.Resources[keyId].Properties.EnableKeyRotation).toBe(true);
    });

    it('lets CloudWatch use the key (an AWS-managed aws/sns key would not)', () => {
      const keyId = logicalId(stack.alarms.key);
      expect(json.Resources[keyId].Properties.KeyPolicy.Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        }),
      );
    });

    it("accepts publishing over TLS only, and from this stage's alarms of this account", () => {
      const policies = resourcesOfType(json, 'AWS::SNS::TopicPolicy');
      expect(policies).toHaveLength(1);
      const [, policy] = policies[0];
      expect(policy.Properties.Topics).toEqual([ref(topicId)]);
      const statements = policy.Properties.PolicyDocument.Statement;
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 'sns:Publish',
          Principal: '*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
      expect(statements.filter((s: any) => s.Effect === 'Allow')).toEqual([
        {
          Sid: 'StageAlarmsPublish',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: ref(topicId),
          Condition: {
            StringEquals: { 'aws:SourceAccount': ACCOUNT },
            ArnLike: { 'aws:SourceArn': `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${prefix}-*` },
          },
        },
      ]);
    });

    it("has one subscription: email to the stage config's operator address", () => {
      const subs = resourcesOfType(json, 'AWS::SNS::Subscription').map(([, s]) => s.Properties);
      expect(subs).toEqual([{ Protocol: 'email', Endpoint: config.operatorEmail, TopicArn: ref(topicId) }]);
      expect(config.operatorEmail).toBe('admin@queenofsandiego.com');
    });

    it('is the AlarmTopicArn output', () => {
      expect(json.Outputs.AlarmTopicArn.Value).toEqual(ref(topicId));
    });
  });

  it('publishes bounce and complaint events of the configuration set to CloudWatch', () => {
    const destinations = resourcesOfType(json, 'AWS::SES::ConfigurationSetEventDestination').map(([, d]) => d.Properties);
    expect(destinations).toHaveLength(1);
    const [d] = destinations;
    const setRef = ref(logicalId(stack.node.findChild('ConfigurationSet')));
    expect(d.ConfigurationSetName).toEqual(setRef);
    expect(d.EventDestination.Enabled).toBe(true);
    expect(d.EventDestination.MatchingEventTypes).toEqual(
      expect.arrayContaining(['bounce', 'complaint', 'reject', 'deliveryDelay', 'send']),
    );
    expect(d.EventDestination.CloudWatchDestination.DimensionConfigurations).toEqual([
      { DimensionName: 'ses:configuration-set', DimensionValueSource: 'messageTag', DefaultDimensionValue: setRef },
    ]);
  });
});

describe('operatorEmail', () => {
  it.each([
    ['admin@queenofsandiego.com', true],
    ['ops+alarms@crew.example.co.uk', true],
    ['', false],
    ['admin', false],
    ['admin@localhost', false],
    ['admin @example.com', false],
    ['admin@@example.com', false],
    ['admin@example.', false],
  ])('looksLikeEmail(%j) is %s', (value, expected) => {
    expect(looksLikeEmail(value)).toBe(expected);
  });

  it('every stage config has one', () => {
    for (const config of Object.values(STAGE_CONFIGS)) expect(looksLikeEmail(config.operatorEmail), config.stage).toBe(true);
  });

  it('fails synthesis with a clear message when it is not an email address', () => {
    const build = (operatorEmail: string) => () =>
      new ShipCaptainCrewStack(new App({ context: CDK_JSON_CONTEXT }), 'shipcaptaincrew-dev', {
        env: { account: ACCOUNT, region: REGION },
        config: { ...STAGE_CONFIGS.dev, operatorEmail } satisfies StageConfig,
        tableSchema: loadTableSchema(),
        lambdaAssetDir: path.join(INFRA_DIR, FIXTURE_CONTEXT.lambdaAssetDir),
        frontendDist: path.join(INFRA_DIR, FIXTURE_CONTEXT.frontendDist),
      });
    expect(build('ops-at-example.com')).toThrow(/dev: operatorEmail "ops-at-example.com" is not an email address/);
  });
});
