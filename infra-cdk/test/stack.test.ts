// What each stage deploys: functions and their environment, scheduler roles,
// the HTTP API, the web app on S3 + CloudFront, secrets, mail, outputs.
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addStageStack } from '../lib/app';
import { FUNCTION_NAMES, type FunctionName, STAGE_CONFIGS } from '../lib/config';
import { HASHED_ASSETS_CACHE_CONTROL, contentSecurityPolicy } from '../lib/constructs/web-app';
import { INFRA_DIR } from '../lib/paths';
import {
  NUDGE_RECONCILE_INPUT,
  NUDGE_RECONCILE_RATE,
  ShipCaptainCrewStack,
  WEEKLY_REPORT_CRON,
  WEEKLY_REPORT_TIMEZONE,
} from '../lib/shipcaptaincrew-stack';
import { loadTableSchema } from '../lib/table-schema';
import {
  ACCOUNT,
  CDK_JSON_CONTEXT,
  REGION,
  STAGES_UNDER_TEST,
  type Statement,
  asArray,
  getAtt,
  logicalId,
  newApp,
  ref,
  resourcesOfType,
  roleStatements,
  synth,
} from './helpers';

// The contract with the Rust binaries: exactly these variables, per function.
const COMMON_ENV = ['DYNAMODB_TABLE', 'SES_SENDER_ADDRESS', 'SES_CONFIGURATION_SET', 'APP_URL', 'STAGE', 'RUST_LOG'];
const EXPECTED_ENV: Record<FunctionName, string[]> = {
  api: [
    ...COMMON_ENV,
    'JWT_KEYS_SECRET_ARN',
    'PEPPER_SECRET_ARN',
    'ORIGIN_VERIFY_SECRET_ARN',
    'VAPID_SECRET_ARN',
    'VAPID_CONTACT',
    'SCHEDULER_GROUP',
    'SCHEDULER_ROLE_ARN',
    'NUDGE_FUNCTION_ARN',
    'NUDGE_DLQ_ARN',
    'EVENT_BUS_NAME',
    'PHOTO_BUCKET',
  ],
  'magic-link': [
    ...COMMON_ENV,
    'JWT_KEYS_SECRET_ARN',
    'PEPPER_SECRET_ARN',
    'ORIGIN_VERIFY_SECRET_ARN',
    'CLIENT_IP_HEADER',
  ],
  nudge: [
    ...COMMON_ENV,
    'EVENT_BUS_NAME',
    'SCHEDULER_GROUP',
    'SCHEDULER_ROLE_ARN',
    'NUDGE_FUNCTION_ARN',
    'NUDGE_DLQ_ARN',
    'VAPID_SECRET_ARN',
    'VAPID_CONTACT',
  ],
  report: [...COMMON_ENV, 'PEPPER_SECRET_ARN', 'PORTFOLIO_RECIPIENTS'],
};
const EXPECTED_SIZING: Record<FunctionName, [number, number]> = {
  api: [256, 10],
  'magic-link': [256, 10],
  nudge: [256, 30],
  report: [512, 300],
};

const sortedActions = (s: Statement) => asArray(s.Action).slice().sort();
const findStatement = (stmts: Statement[], action: string) =>
  stmts.filter((s) => asArray(s.Action).includes(action));

describe.each(STAGES_UNDER_TEST)('stack (%s)', (stage) => {
  const { stack, template, json } = synth(stage);
  const config = STAGE_CONFIGS[stage];
  const fnIds = Object.fromEntries(
    FUNCTION_NAMES.map((n) => [n, logicalId(stack.functions[n].function)]),
  ) as Record<FunctionName, string>;
  const roleIds = Object.fromEntries(
    FUNCTION_NAMES.map((n) => [n, logicalId(stack.functions[n].role)]),
  ) as Record<FunctionName, string>;
  const tableId = logicalId(stack.table);
  const distributionId = logicalId(stack.webApp.distribution);
  const appUrl = { 'Fn::Join': ['', ['https://', getAtt(distributionId, 'DomainName')]] };
  const retentionDays = stage === 'prod' ? 90 : 14;

  const [nudgeRoleId] = resourcesOfType(json, 'AWS::IAM::Role').find(
    ([id]) => id.startsWith('NudgeSchedulerRole'),
  )!;
  const [reportRoleId] = resourcesOfType(json, 'AWS::IAM::Role').find(
    ([id]) => id.startsWith('ReportSchedulerRole'),
  )!;
  const queueId = (prefix: string) => resourcesOfType(json, 'AWS::SQS::Queue').find(([id]) => id.startsWith(prefix))![0];
  const nudgeDlqId = queueId('NudgeDlq');
  const reportDlqId = queueId('ReportDlq');

  it(`is named shipcaptaincrew-${stage} and lives in the configured account/region`, () => {
    expect(stack.stackName).toBe(`shipcaptaincrew-${stage}`);
    expect(stack.account).toBe(ACCOUNT);
    expect(stack.region).toBe(REGION);
  });

  describe.each(FUNCTION_NAMES)('function %s', (name) => {
    const fn = () => json.Resources[fnIds[name]];

    it('is arm64 provided.al2023 with handler bootstrap, sized as specified', () => {
      const p = fn().Properties;
      expect(p.Runtime).toBe('provided.al2023');
      expect(p.Architectures).toEqual(['arm64']);
      expect(p.Handler).toBe('bootstrap');
      expect(p.FunctionName).toBe(`shipcaptaincrew-${stage}-${name}`);
      expect([p.MemorySize, p.Timeout]).toEqual(EXPECTED_SIZING[name]);
      expect(p.TracingConfig).toEqual({ Mode: 'Active' });
    });

    it('has exactly the environment the Rust code reads', () => {
      const env = fn().Properties.Environment.Variables;
      expect(Object.keys(env).sort()).toEqual([...EXPECTED_ENV[name]].sort());
      expect(env.DYNAMODB_TABLE).toEqual(ref(tableId));
      expect(env.SES_SENDER_ADDRESS).toBe(config.senderAddress);
      expect(env.SES_CONFIGURATION_SET).toEqual(ref(logicalId(stack.node.findChild('ConfigurationSet'))));
      expect(env.APP_URL).toEqual(appUrl);
      expect(env.STAGE).toBe(stage);
      expect(env.RUST_LOG).toBe('info');
    });

    it('has its own role and its own log group', () => {
      const p = fn().Properties;
      expect(p.Role).toEqual(getAtt(roleIds[name]));
      const logGroupId = p.LoggingConfig.LogGroup.Ref;
      expect(json.Resources[logGroupId].Properties.RetentionInDays).toBe(retentionDays);
      const others = FUNCTION_NAMES.filter((n) => n !== name);
      for (const other of others) {
        const q = json.Resources[fnIds[other]].Properties;
        expect(q.Role).not.toEqual(p.Role);
        expect(q.LoggingConfig.LogGroup).not.toEqual(p.LoggingConfig.LogGroup);
      }
      const role = json.Resources[roleIds[name]].Properties;
      expect(role.AssumeRolePolicyDocument.Statement).toEqual([
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
      ]);
      expect(role.ManagedPolicyArns).toBeUndefined();
    });

    it('may send mail through the identity and configuration set only', () => {
      const [mail] = findStatement(roleStatements(json, roleIds[name]), 'ses:SendEmail');
      expect(sortedActions(mail)).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
      const resources = JSON.stringify(mail.Resource);
      expect(resources).toContain(':identity/');
      expect(resources).toContain(':configuration-set/');
      expect(asArray(mail.Resource)).toHaveLength(2);
    });
  });

  it('points api at the nudge schedule group, role, function and DLQ', () => {
    const env = json.Resources[fnIds.api].Properties.Environment.Variables;
    expect(env.SCHEDULER_GROUP).toBe(`shipcaptaincrew-${stage}-nudges`);
    expect(env.SCHEDULER_ROLE_ARN).toEqual(getAtt(nudgeRoleId));
    expect(env.NUDGE_FUNCTION_ARN).toEqual(getAtt(fnIds.nudge));
    expect(env.NUDGE_DLQ_ARN).toEqual(getAtt(nudgeDlqId));
    const busName = ref(logicalId(stack.node.findChild('EventBus')));
    expect(env.EVENT_BUS_NAME).toEqual(busName);
    expect(json.Resources[fnIds.nudge].Properties.Environment.Variables.EVENT_BUS_NAME).toEqual(busName);
  });

  it('grants table actions per function, on the table and its indexes, never Scan', () => {
    const expected: Record<FunctionName, string[]> = {
      api: ['BatchWriteItem', 'ConditionCheckItem', 'DeleteItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem'],
      'magic-link': ['BatchWriteItem', 'ConditionCheckItem', 'DeleteItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem'],
      // DeleteItem: a phone whose push subscription is gone (404/410) is removed.
      nudge: ['DeleteItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem'],
      report: ['GetItem', 'PutItem', 'Query', 'UpdateItem'],
    };
    for (const name of FUNCTION_NAMES) {
      const stmts = roleStatements(json, roleIds[name]).filter((s) =>
        asArray(s.Action).some((a) => a.startsWith('dynamodb:')),
      );
      expect(stmts, name).toHaveLength(1);
      expect(sortedActions(stmts[0])).toEqual(expected[name].map((a) => `dynamodb:${a}`));
      expect(stmts[0].Resource).toEqual([
        getAtt(tableId),
        { 'Fn::Join': ['', [getAtt(tableId), '/index/*']] },
      ]);
    }
  });

  it('lets each function read only the secrets it needs', () => {
    const jwt = ref(logicalId(stack.node.findChild('JwtKeys')));
    const pepper = ref(logicalId(stack.node.findChild('Pepper')));
    const originVerify = ref(logicalId(stack.node.findChild('OriginVerify')));
    const vapid = ref(logicalId(stack.node.findChild('Vapid')));
    const expected: Record<FunctionName, unknown[]> = {
      api: [jwt, pepper, originVerify, vapid],
      'magic-link': [jwt, pepper, originVerify],
      nudge: [vapid],
      report: [pepper],
    };
    for (const name of FUNCTION_NAMES) {
      const stmts = roleStatements(json, roleIds[name]).filter((s) =>
        asArray(s.Action).some((a) => a.startsWith('secretsmanager:')),
      );
      // In any order (the policy minimizer orders them by its own rules).
      const byRef = (xs: unknown[]) => xs.map((x) => JSON.stringify(x)).sort();
      const resources = stmts.flatMap((s) => asArray(s.Resource));
      expect(byRef(resources), name).toEqual(byRef(expected[name]));
      for (const s of stmts) expect(asArray(s.Action)).toEqual(['secretsmanager:GetSecretValue']);
    }
  });

  it('lets only api and nudge put events, on the stage bus only', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: `shipcaptaincrew-${stage}` });
    const busArn = getAtt(logicalId(stack.node.findChild('EventBus')));
    for (const name of FUNCTION_NAMES) {
      const stmts = findStatement(roleStatements(json, roleIds[name]), 'events:PutEvents');
      if (name === 'api' || name === 'nudge') {
        expect(stmts.map((s) => s.Resource), name).toEqual([busArn]);
      } else {
        expect(stmts, name).toEqual([]);
      }
    }
    // ...and nobody else in the template either.
    const putters = resourcesOfType(json, 'AWS::IAM::Policy').filter(([, p]) =>
      JSON.stringify(p.Properties.PolicyDocument).includes('events:PutEvents'),
    );
    expect(putters).toHaveLength(2);
  });

  describe('nudge scheduling', () => {
    it('has the schedule group', () => {
      template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: `shipcaptaincrew-${stage}-nudges` });
    });

    it('scheduler role: trusted by scheduler.amazonaws.com of this account only', () => {
      expect(json.Resources[nudgeRoleId].Properties.AssumeRolePolicyDocument.Statement).toEqual([
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
        },
      ]);
    });

    it('scheduler role: may only invoke the nudge function and send to the nudge DLQ', () => {
      expect(json.Resources[nudgeRoleId].Properties.ManagedPolicyArns).toBeUndefined();
      const stmts = roleStatements(json, nudgeRoleId).map(({ Sid: _sid, ...rest }) => rest);
      expect(stmts).toEqual([
        {
          Effect: 'Allow',
          Action: 'lambda:InvokeFunction',
          Resource: [getAtt(fnIds.nudge), { 'Fn::Join': ['', [getAtt(fnIds.nudge), ':*']] }],
        },
        { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: getAtt(nudgeDlqId) },
      ]);
    });

    it('only api and nudge (its hourly reconciliation) may manage schedules, in the nudge group only', () => {
      for (const name of ['api', 'nudge'] as const) {
        const [s] = findStatement(roleStatements(json, roleIds[name]), 'scheduler:CreateSchedule');
        expect(sortedActions(s), name).toEqual([
          'scheduler:CreateSchedule',
          'scheduler:DeleteSchedule',
          'scheduler:GetSchedule',
          'scheduler:UpdateSchedule',
        ]);
        expect(s.Resource, name).toBe(`arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/shipcaptaincrew-${stage}-nudges/*`);
      }
      for (const name of FUNCTION_NAMES.filter((n) => n !== 'api' && n !== 'nudge')) {
        expect(JSON.stringify(roleStatements(json, roleIds[name])), name).not.toContain('scheduler:');
      }
    });

    it('api and nudge may pass the nudge scheduler role, to Scheduler only', () => {
      const onlyToScheduler = { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } };
      const passes = (name: FunctionName) =>
        findStatement(roleStatements(json, roleIds[name]), 'iam:PassRole').map(({ Sid: _sid, ...rest }) => rest);
      expect(passes('api')).toEqual([
        { Effect: 'Allow', Action: 'iam:PassRole', Resource: getAtt(nudgeRoleId), Condition: onlyToScheduler },
      ]);
      // nudge names the role by its fixed name (naming it by reference would be a cycle).
      const roleName = `shipcaptaincrew-${stage}-nudge-scheduler`;
      expect(json.Resources[nudgeRoleId].Properties.RoleName).toBe(roleName);
      const [nudgePass, ...more] = passes('nudge');
      expect(more).toEqual([]);
      expect(nudgePass).toMatchObject({ Effect: 'Allow', Action: 'iam:PassRole', Condition: onlyToScheduler });
      expect(JSON.stringify(nudgePass.Resource)).toContain(`:iam::${ACCOUNT}:role/${roleName}`);
      const passers = resourcesOfType(json, 'AWS::IAM::Policy').filter(([, p]) =>
        JSON.stringify(p.Properties.PolicyDocument).includes('iam:PassRole'),
      );
      expect(passers).toHaveLength(2);
    });

    it('nudge writes schedules exactly as api does: same group, role, target and DLQ', () => {
      const env = json.Resources[fnIds.nudge].Properties.Environment.Variables;
      expect(env.SCHEDULER_GROUP).toBe(`shipcaptaincrew-${stage}-nudges`);
      expect(JSON.stringify(env.SCHEDULER_ROLE_ARN)).toContain(`:iam::${ACCOUNT}:role/shipcaptaincrew-${stage}-nudge-scheduler`);
      expect(JSON.stringify(env.NUDGE_FUNCTION_ARN)).toContain(
        `:lambda:${REGION}:${ACCOUNT}:function:${json.Resources[fnIds.nudge].Properties.FunctionName}`,
      );
      expect(env.NUDGE_DLQ_ARN).toEqual(getAtt(nudgeDlqId));
    });

    it('reconciles hourly: nudge invoked with the reconcile input, retried, with a DLQ', () => {
      expect([NUDGE_RECONCILE_RATE, NUDGE_RECONCILE_INPUT]).toEqual(['rate(1 hour)', '{"reconcile":{}}']);
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        Name: `shipcaptaincrew-${stage}-nudge-reconcile`,
        ScheduleExpression: 'rate(1 hour)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        State: 'ENABLED',
        Target: {
          Arn: getAtt(fnIds.nudge),
          RoleArn: getAtt(nudgeRoleId),
          Input: '{"reconcile":{}}',
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 1800 },
          DeadLetterConfig: { Arn: getAtt(nudgeDlqId) },
        },
      });
    });

    it('failed asynchronous nudge and report invocations land in their DLQs', () => {
      expect(json.Resources[fnIds.nudge].Properties.DeadLetterConfig).toEqual({ TargetArn: getAtt(nudgeDlqId) });
      expect(json.Resources[fnIds.report].Properties.DeadLetterConfig).toEqual({ TargetArn: getAtt(reportDlqId) });
    });

    it('DLQs: SQS-managed encryption, 14 days, TLS only', () => {
      for (const id of [nudgeDlqId, reportDlqId]) {
        expect(json.Resources[id].Properties).toMatchObject({
          SqsManagedSseEnabled: true,
          MessageRetentionPeriod: 14 * 24 * 3600,
        });
      }
      for (const [, policy] of resourcesOfType(json, 'AWS::SQS::QueuePolicy')) {
        expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
          expect.objectContaining({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        );
      }
      expect(resourcesOfType(json, 'AWS::SQS::QueuePolicy')).toHaveLength(2);
    });
  });

  describe('weekly report', () => {
    it('runs Monday 07:00 Los Angeles time, invoking report with {} and a DLQ', () => {
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: 'cron(0 7 ? * MON *)',
        ScheduleExpressionTimezone: 'America/Los_Angeles',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: getAtt(fnIds.report),
          RoleArn: getAtt(reportRoleId),
          Input: '{}',
          RetryPolicy: { MaximumRetryAttempts: Match.anyValue(), MaximumEventAgeInSeconds: Match.anyValue() },
          DeadLetterConfig: { Arn: getAtt(reportDlqId) },
        },
      });
      expect([WEEKLY_REPORT_CRON, WEEKLY_REPORT_TIMEZONE]).toEqual(['cron(0 7 ? * MON *)', 'America/Los_Angeles']);
    });

    it('its role is trusted by Scheduler of this account and may only invoke report and use its DLQ', () => {
      const role = json.Resources[reportRoleId].Properties;
      expect(role.AssumeRolePolicyDocument.Statement).toEqual([
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
        },
      ]);
      expect(roleStatements(json, reportRoleId).map(({ Sid: _sid, ...rest }) => rest)).toEqual([
        { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: getAtt(fnIds.report) },
        { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: getAtt(reportDlqId) },
      ]);
    });
  });

  describe('HTTP API', () => {
    const integrationTarget = (routeKey: string) => {
      const [, route] = resourcesOfType(json, 'AWS::ApiGatewayV2::Route').find(
        ([, r]) => r.Properties.RouteKey === routeKey,
      )!;
      const integrationId = route.Properties.Target['Fn::Join'][1][1].Ref;
      return json.Resources[integrationId].Properties;
    };

    it('routes ANY /auth/{proxy+} to magic-link, ANY /api/{proxy+} and ANY /cal/{proxy+} to api (payload 2.0)', () => {
      const keys = resourcesOfType(json, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey);
      expect(keys.sort()).toEqual(['ANY /api/{proxy+}', 'ANY /auth/{proxy+}', 'ANY /cal/{proxy+}']);
      expect(integrationTarget('ANY /cal/{proxy+}')).toEqual(integrationTarget('ANY /api/{proxy+}'));
      expect(integrationTarget('ANY /auth/{proxy+}')).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: getAtt(fnIds['magic-link']),
        PayloadFormatVersion: '2.0',
      });
      expect(integrationTarget('ANY /api/{proxy+}')).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: getAtt(fnIds.api),
        PayloadFormatVersion: '2.0',
      });
    });

    it('default stage: auto-deploy, throttled, JSON access logs', () => {
      const [, s] = resourcesOfType(json, 'AWS::ApiGatewayV2::Stage')[0];
      expect(s.Properties).toMatchObject({
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingBurstLimit: 100, ThrottlingRateLimit: 50 },
      });
      const format = JSON.parse(s.Properties.AccessLogSettings.Format);
      expect(format).toMatchObject({
        requestId: '$context.requestId',
        ip: '$context.identity.sourceIp',
        routeKey: '$context.routeKey',
        status: '$context.status',
        latency: '$context.responseLatency',
      });
      const logGroupId = s.Properties.AccessLogSettings.DestinationArn['Fn::GetAtt'][0];
      expect(json.Resources[logGroupId].Properties.RetentionInDays).toBe(retentionDays);
    });
  });

  describe('mail and secrets', () => {
    it('creates the SES identity and a configuration set with reputation metrics', () => {
      template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: config.senderAddress });
      template.hasResourceProperties('AWS::SES::ConfigurationSet', {
        Name: `shipcaptaincrew-${stage}`,
        ReputationOptions: { ReputationMetricsEnabled: true },
        SendingOptions: { SendingEnabled: true },
      });
    });

    it('generates the JWT keys and the pepper', () => {
      template.hasResourceProperties('AWS::SecretsManager::Secret', {
        Name: `shipcaptaincrew/${stage}/jwt-keys`,
        GenerateSecretString: {
          SecretStringTemplate: '{"current_kid":"k1"}',
          GenerateStringKey: 'current',
          PasswordLength: 64,
          ExcludePunctuation: true,
        },
      });
      template.hasResourceProperties('AWS::SecretsManager::Secret', {
        Name: `shipcaptaincrew/${stage}/pepper`,
        GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
      });
    });
  });

  describe('web app', () => {
    const bucketId = logicalId(stack.webApp.bucket);
    const dist = () => json.Resources[distributionId].Properties.DistributionConfig;

    it('site bucket: private, TLS only, versioned, S3-managed encryption, access logs', () => {
      const b = json.Resources[bucketId].Properties;
      expect(b.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(b.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      expect(b.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
        { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
      ]);
      expect(b.LoggingConfiguration.DestinationBucketName).toEqual(ref(logicalId(stack.webApp.logBucket)));
    });

    it('bucket policy: deny non-TLS, allow GetObject to this distribution through OAC only', () => {
      const [, policy] = resourcesOfType(json, 'AWS::S3::BucketPolicy').find(
        ([, p]) => p.Properties.Bucket.Ref === bucketId,
      )!;
      const stmts: Statement[] = policy.Properties.PolicyDocument.Statement;
      expect(stmts).toHaveLength(2);
      expect(stmts[0]).toMatchObject({
        Effect: 'Deny',
        Action: 's3:*',
        Principal: { AWS: '*' },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      });
      expect(stmts[1]).toEqual({
        Effect: 'Allow',
        Action: 's3:GetObject',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Resource: { 'Fn::Join': ['', [getAtt(bucketId), '/*']] },
        Condition: {
          StringEquals: {
            'AWS:SourceArn': {
              'Fn::Join': [
                '',
                ['arn:', ref('AWS::Partition'), ':cloudfront::', ref('AWS::AccountId'), ':distribution/', ref(distributionId)],
              ],
            },
          },
        },
      });
      template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    });

    it('distribution: index.html root, logging, no error-response rewriting', () => {
      const d = dist();
      expect(d.DefaultRootObject).toBe('index.html');
      expect(d.Logging.Prefix).toBe('cloudfront/');
      expect(d.CustomErrorResponses).toBeUndefined();
      expect(d.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
      expect(d.DefaultCacheBehavior.FunctionAssociations).toHaveLength(1);
    });

    it.each(['/api/*', '/auth/*', '/cal/*'])('behaviour %s goes to the HTTP API, uncached, all methods', (pattern) => {
      const b = dist().CacheBehaviors.find((x: any) => x.PathPattern === pattern);
      expect(b).toMatchObject({
        CachePolicyId: cloudfront.CachePolicy.CACHING_DISABLED.cachePolicyId,
        OriginRequestPolicyId: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER.originRequestPolicyId,
        AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
        ViewerProtocolPolicy: 'redirect-to-https',
      });
      expect(b.FunctionAssociations).toBeUndefined();
      const origin = dist().Origins.find((o: any) => o.Id === b.TargetOriginId);
      expect(origin.DomainName).toEqual({
        'Fn::Join': ['', [ref(logicalId(stack.httpApi)), `.execute-api.${REGION}.`, ref('AWS::URLSuffix')]],
      });
      expect(origin.CustomOriginConfig).toEqual({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
    });

    it('SPA fallback function rewrites app routes to /index.html and leaves files alone', () => {
      const [, fn] = resourcesOfType(json, 'AWS::CloudFront::Function')[0];
      expect(fn.Properties.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
      const handler = new Function(`${fn.Properties.FunctionCode}; return handler;`)();
      const rewrite = (uri: string) => handler({ request: { uri } }).uri;
      expect(rewrite('/')).toBe('/index.html');
      expect(rewrite('/events/42')).toBe('/index.html');
      expect(rewrite('/sign-in')).toBe('/index.html');
      expect(rewrite('/index.html')).toBe('/index.html');
      expect(rewrite('/assets/app-abc123.js')).toBe('/assets/app-abc123.js');
      expect(rewrite('/sw.js')).toBe('/sw.js');
      expect(rewrite('/manifest.webmanifest')).toBe('/manifest.webmanifest');
    });

    it('security headers: CSP, HSTS 2 years + preload, no-referrer, nosniff, DENY', () => {
      const photoHost = `https://shipcaptaincrew-${stage}-photos-${ACCOUNT}-${REGION}.s3.${REGION}.`;
      const csp = (suffix: unknown) => ({
        'Fn::Join': [
          '',
          [
            `default-src 'self'; img-src 'self' data: blob: ${photoHost}`,
            suffix,
            `; style-src 'self'; script-src 'self'; connect-src 'self' ${photoHost}`,
            suffix,
            "; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
          ],
        ],
      });
      template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
        ResponseHeadersPolicyConfig: {
          SecurityHeadersConfig: {
            ContentSecurityPolicy: { ContentSecurityPolicy: csp(ref('AWS::URLSuffix')), Override: true },
            StrictTransportSecurity: {
              AccessControlMaxAgeSec: 63072000,
              IncludeSubdomains: true,
              Preload: true,
              Override: true,
            },
            ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
            ContentTypeOptions: { Override: true },
            FrameOptions: { FrameOption: 'DENY', Override: true },
          },
        },
      });
      // Same-origin everything, except photos: shown from and uploaded to the photo bucket's host.
      expect(contentSecurityPolicy('https://photos.example')).toBe(
        "default-src 'self'; img-src 'self' data: blob: https://photos.example; style-src 'self'; script-src 'self'; connect-src 'self' https://photos.example; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
      );
      const policyRef = ref(logicalId(stack.webApp.node.findChild('SecurityHeaders')));
      expect(dist().DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual(policyRef);
      for (const b of dist().CacheBehaviors) expect(b.ResponseHeadersPolicyId).toEqual(policyRef);
    });

    it('uploads hashed assets for a year and the app shell no-cache, then invalidates', () => {
      const deployments = resourcesOfType(json, 'Custom::CDKBucketDeployment').map(([, r]) => r.Properties);
      expect(deployments).toHaveLength(2);
      const assets = deployments.find((d) => asArray(d.Include).includes('assets/*'));
      const shell = deployments.find((d) => d !== assets);
      expect(assets).toMatchObject({
        Exclude: ['*'],
        Include: ['assets/*'],
        Prune: false,
        SystemMetadata: { 'cache-control': HASHED_ASSETS_CACHE_CONTROL },
      });
      expect(HASHED_ASSETS_CACHE_CONTROL).toContain('max-age=31536000');
      expect(HASHED_ASSETS_CACHE_CONTROL).toContain('immutable');
      expect(shell).toMatchObject({
        Exclude: ['assets/*'],
        Prune: true,
        SystemMetadata: { 'cache-control': 'no-cache' },
        DistributionId: ref(distributionId),
        DistributionPaths: ['/*'],
      });
      for (const d of deployments) expect(d.DestinationBucketName).toEqual(ref(bucketId));
    });

    it('the deployment handler has an explicit role and its own log group', () => {
      const [, handler] = resourcesOfType(json, 'AWS::Lambda::Function').find(([id]) =>
        id.startsWith('CustomCDKBucketDeployment'),
      )!;
      const roleId = handler.Properties.Role['Fn::GetAtt'][0];
      expect(json.Resources[roleId].Properties.ManagedPolicyArns).toBeUndefined();
      const stmts = roleStatements(json, roleId);
      expect(stmts.map((s) => s.Sid).sort()).toEqual(['InvalidateCache', 'ListSite', 'ReadBundle', 'WriteOwnLogs', 'WriteSite']);
      expect(json.Resources[handler.Properties.LoggingConfig.LogGroup.Ref].Properties.RetentionInDays).toBe(retentionDays);
    });
  });

  it('every log group has the stage retention', () => {
    const groups = resourcesOfType(json, 'AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThanOrEqual(6);
    for (const [id, g] of groups) expect(g.Properties.RetentionInDays, id).toBe(retentionDays);
  });

  it('stateful resources follow the stage removal policy', () => {
    const policy = stage === 'prod' ? 'Retain' : 'Delete';
    const types = ['AWS::S3::Bucket', 'AWS::SQS::Queue', 'AWS::SecretsManager::Secret', 'AWS::Logs::LogGroup', 'AWS::KMS::Key'];
    for (const type of types) {
      for (const [id, r] of resourcesOfType(json, type)) expect(r.DeletionPolicy, id).toBe(policy);
    }
  });

  it('outputs AppUrl, ApiUrl, TableName, BucketName, PhotoBucketName, DistributionId, AlarmTopicArn', () => {
    expect(Object.keys(json.Outputs).sort()).toEqual([
      'AlarmTopicArn',
      'ApiUrl',
      'AppUrl',
      'BucketName',
      'DistributionId',
      'PhotoBucketName',
      'TableName',
    ]);
    expect(json.Outputs.PhotoBucketName.Value).toEqual(ref(logicalId(stack.photos.bucket)));
    expect(json.Outputs.AlarmTopicArn.Value).toEqual(ref(logicalId(stack.alarms.topic)));
    expect(json.Outputs.AppUrl.Value).toEqual(appUrl);
    expect(json.Outputs.TableName.Value).toEqual(ref(tableId));
    expect(json.Outputs.BucketName.Value).toEqual(ref(logicalId(stack.webApp.bucket)));
    expect(json.Outputs.DistributionId.Value).toEqual(ref(distributionId));
  });
});

describe('with a custom app domain', () => {
  const app = new App({ context: CDK_JSON_CONTEXT });
  const stack = new ShipCaptainCrewStack(app, 'shipcaptaincrew-prod', {
    env: { account: ACCOUNT, region: REGION },
    config: {
      ...STAGE_CONFIGS.prod,
      appDomain: {
        domainName: 'crew.example.com',
        certificateArn: `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/00000000-0000-0000-0000-000000000000`,
      },
    },
    tableSchema: loadTableSchema(),
    lambdaAssetDir: path.join(INFRA_DIR, 'test/fixtures/lambda'),
    frontendDist: path.join(INFRA_DIR, 'test/fixtures/frontend'),
  });
  const json = Template.fromStack(stack).toJSON();

  it('uses the domain for APP_URL, with TLS 1.2 on CloudFront', () => {
    for (const [, fn] of resourcesOfType(json, 'AWS::Lambda::Function').filter(([id]) => !id.startsWith('Custom'))) {
      expect(fn.Properties.Environment.Variables.APP_URL).toBe('https://crew.example.com');
    }
    expect(json.Outputs.AppUrl.Value).toBe('https://crew.example.com');
    const [, dist] = resourcesOfType(json, 'AWS::CloudFront::Distribution')[0];
    expect(dist.Properties.DistributionConfig.Aliases).toEqual(['crew.example.com']);
    expect(dist.Properties.DistributionConfig.ViewerCertificate.MinimumProtocolVersion).toBe('TLSv1.2_2021');
  });
});

describe('synthesis inputs', () => {
  it('fails with a clear message when a Lambda binary is missing', () => {
    expect(() => addStageStack(newApp('dev', { lambdaAssetDir: 'test/fixtures' }))).toThrow(/make build-lambdas/);
  });

  it('fails with a clear message for an unknown stage', () => {
    expect(() => addStageStack(newApp('staging' as never))).toThrow(/-c stage=<dev\|prod>/);
  });
});
