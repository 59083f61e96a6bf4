// shipcaptaincrew-<stage>: everything one stage needs in AWS.
import { Arn, ArnFormat, CfnOutput, Duration, SecretValue, Stack, type StackProps, Tags, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { FUNCTION_NAMES, type FunctionName, type StageConfig } from './config';
import { Alarms } from './constructs/alarms';
import { PhotoBucket, photoBucketName, photoBucketOrigin } from './constructs/photo-bucket';
import { RustFunction } from './constructs/rust-function';
import { ORIGIN_VERIFY_HEADER, WebApp } from './constructs/web-app';
import { acknowledgeWildcardResource } from './nag';
import type { TableSchema } from './table-schema';

export interface ShipCaptainCrewStackProps extends StackProps {
  readonly config: StageConfig;
  readonly tableSchema: TableSchema;
  /** Holds <fn>/bootstrap for each of the four functions. */
  readonly lambdaAssetDir: string;
  /** The built web app. */
  readonly frontendDist: string;
  /**
   * The origin secret's version CloudFront sends (`-c originSecretVersion=<VersionId>`,
   * scripts/deploy.sh passes the AWSCURRENT one). Without it the reference names no version and
   * resolves to AWSCURRENT, but only when the reference itself changes: CloudFormation does not
   * re-read a secret whose reference is unchanged, so a rotation reaches CloudFront through a new
   * version id here.
   */
  readonly originSecretVersion?: string;
}

export const WEEKLY_REPORT_CRON = 'cron(0 7 ? * MON *)';
export const WEEKLY_REPORT_TIMEZONE = 'America/Los_Angeles';
/** The nudge reconciliation: hourly, with the input `nudge::is_reconcile` recognises. */
export const NUDGE_RECONCILE_RATE = 'rate(1 hour)';
export const NUDGE_RECONCILE_INPUT = '{"reconcile":{}}';

/**
 * Item-level table actions; no Scan for anyone. There is no IAM action
 * `dynamodb:TransactWriteItems` (cfn-lint W3037 rejects it): a
 * TransactWriteItems call is authorised item by item with PutItem, UpdateItem,
 * DeleteItem and ConditionCheckItem, which are all here.
 */
const TABLE_READ_WRITE = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
];

type SecretName = 'jwtKeys' | 'pepper' | 'originVerify' | 'vapid';

/** What each function may do beyond writing its own logs and sending mail. */
const ACCESS: Record<FunctionName, { table: string[]; secrets: SecretName[]; putEvents: boolean }> = {
  // The two functions behind the HTTP API check CloudFront's origin header (originVerify).
  // api offers the VAPID public key to phones; nudge signs its pushes with the private key.
  api: { table: TABLE_READ_WRITE, secrets: ['jwtKeys', 'pepper', 'originVerify', 'vapid'], putEvents: true },
  'magic-link': { table: TABLE_READ_WRITE, secrets: ['jwtKeys', 'pepper', 'originVerify'], putEvents: false },
  nudge: {
    table: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:DeleteItem'],
    secrets: ['vapid'],
    putEvents: true,
  },
  // The pepper signs one-click unsubscribe tokens in the report emails.
  report: {
    table: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
    secrets: ['pepper'],
    putEvents: false,
  },
};

const SECRET_ENV: Record<SecretName, string> = {
  jwtKeys: 'JWT_KEYS_SECRET_ARN',
  pepper: 'PEPPER_SECRET_ARN',
  originVerify: 'ORIGIN_VERIFY_SECRET_ARN',
  vapid: 'VAPID_SECRET_ARN',
};

export class ShipCaptainCrewStack extends Stack {
  readonly table: dynamodb.Table;
  readonly functions: Record<FunctionName, RustFunction>;
  readonly httpApi: apigwv2.HttpApi;
  readonly webApp: WebApp;
  readonly photos: PhotoBucket;
  readonly alarms: Alarms;

  constructor(scope: Construct, id: string, props: ShipCaptainCrewStackProps) {
    super(scope, id, props);
    const { config } = props;
    const prefix = `shipcaptaincrew-${config.stage}`;
    Tags.of(this).add('project', 'shipcaptaincrew');
    Tags.of(this).add('stage', config.stage);

    // ---- Data -------------------------------------------------------------
    this.table = this.createTable(props.tableSchema, config);
    const tableResources = [this.table.tableArn, `${this.table.tableArn}/index/*`];

    // ---- Mail (SES v2) -----------------------------------------------------
    const configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: prefix,
      reputationMetrics: true,
      sendingEnabled: true,
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
    });
    const identityName =
      config.sesIdentity === 'domain' ? config.senderAddress.split('@')[1] : config.senderAddress;
    const identity = new ses.EmailIdentity(this, 'SenderIdentity', {
      identity:
        config.sesIdentity === 'domain' ? ses.Identity.domain(identityName) : ses.Identity.email(identityName),
      configurationSet,
    });
    const sesResources = [
      identity.emailIdentityArn,
      this.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: configurationSet.configurationSetName }),
    ];

    // ---- Secrets -------------------------------------------------------------
    const secrets = {
      // {"current_kid":"k1","current":"<64 chars>"}; a rotation adds the
      // previous key by hand, the verifier accepts current and previous.
      jwtKeys: new secretsmanager.Secret(this, 'JwtKeys', {
        secretName: `shipcaptaincrew/${config.stage}/jwt-keys`,
        description: 'HS256 signing keys for session JWTs',
        removalPolicy: config.removalPolicy,
        generateSecretString: {
          secretStringTemplate: JSON.stringify({ current_kid: 'k1' }),
          generateStringKey: 'current',
          passwordLength: 64,
          excludePunctuation: true,
        },
      }),
      pepper: new secretsmanager.Secret(this, 'Pepper', {
        secretName: `shipcaptaincrew/${config.stage}/pepper`,
        description: 'Pepper for keyed hashes of sign-in secrets and unsubscribe tokens',
        removalPolicy: config.removalPolicy,
        generateSecretString: { passwordLength: 64, excludePunctuation: true },
      }),
      // {"current":"<64 chars>"}; a rotation adds "previous" by hand. CloudFront sends current
      // in the x-origin-verify header to the HTTP API; api and magic-link accept current and
      // previous and refuse every other request, so the execute-api URL is no way around
      // CloudFront (and its CloudFront-Viewer-Address, which the sign-in limits trust).
      originVerify: new secretsmanager.Secret(this, 'OriginVerify', {
        secretName: `shipcaptaincrew/${config.stage}/origin-verify`,
        description: 'The header value CloudFront adds to requests to the HTTP API; api and magic-link refuse requests without it',
        removalPolicy: config.removalPolicy,
        generateSecretString: {
          secretStringTemplate: JSON.stringify({}),
          generateStringKey: 'current',
          passwordLength: 64,
          excludePunctuation: true,
        },
      }),
      // 64 random characters; the P-256 VAPID key is derived from them (push::VapidKey::derive),
      // as Secrets Manager generates strings, not EC keys.
      vapid: new secretsmanager.Secret(this, 'Vapid', {
        secretName: `shipcaptaincrew/${config.stage}/vapid`,
        description: 'The seed of the Web Push (VAPID) key pair; phones subscribe to its public key',
        removalPolicy: config.removalPolicy,
        generateSecretString: { passwordLength: 64, excludePunctuation: true },
      }),
    };
    Validations.of(secrets.vapid).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotation is manual by design: every phone subscription is bound to the VAPID public key, so a new key silently ends push to every phone until each subscribes again; it is changed only deliberately, after a leak.',
    });
    Validations.of(secrets.jwtKeys).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotation is manual by design: the verifier accepts the current and the previous key, so an operator rotates by moving current to previous and generating a new current; a rotation Lambda replacing the key would sign everyone out at once.',
    });
    Validations.of(secrets.pepper).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotation is manual by design: a new pepper invalidates every stored keyed hash and every unsubscribe link already mailed, so it is changed deliberately by an operator, never on a timer.',
    });
    Validations.of(secrets.originVerify).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotation is manual by design (docs/operations.md): the new value is written as current with the old as previous, a deploy makes CloudFront send it, then previous is dropped; a rotation Lambda would change the value before CloudFront sends it.',
    });

    // ---- Events and queues ----------------------------------------------------
    const bus = new events.EventBus(this, 'EventBus', { eventBusName: prefix });
    const nudgeDlq = this.deadLetterQueue('NudgeDlq', config);
    const reportDlq = this.deadLetterQueue('ReportDlq', config);

    // ---- Functions -----------------------------------------------------------
    const made = {} as Record<FunctionName, RustFunction>;
    for (const name of FUNCTION_NAMES) {
      const access = ACCESS[name];
      const fn = new RustFunction(this, fnId(name), {
        name,
        config,
        assetDir: props.lambdaAssetDir,
        deadLetterQueue: name === 'nudge' ? nudgeDlq : name === 'report' ? reportDlq : undefined,
        environment: {
          DYNAMODB_TABLE: this.table.tableName,
          SES_SENDER_ADDRESS: config.senderAddress,
          SES_CONFIGURATION_SET: configurationSet.configurationSetName,
          ...Object.fromEntries(access.secrets.map((s) => [SECRET_ENV[s], secrets[s].secretArn])),
          ...(access.putEvents ? { EVENT_BUS_NAME: bus.eventBusName } : {}),
          // Push services write to this address about our pushes (VAPID's `sub`).
          ...(access.secrets.includes('vapid') ? { VAPID_CONTACT: `mailto:${config.operatorEmail}` } : {}),
          // The weekly roll-up across orgs goes to deployment-configured recipients.
          ...(name === 'report' ? { PORTFOLIO_RECIPIENTS: config.portfolioRecipients.join(',') } : {}),
          // Behind CloudFront, API Gateway's sourceIp is an edge address; the viewer's address
          // (for per-IP sign-in rate limits) arrives in this header, forwarded by the
          // AllViewerExceptHostHeader origin request policy.
          ...(name === 'magic-link' ? { CLIENT_IP_HEADER: 'cloudfront-viewer-address' } : {}),
        },
      });
      fn.allow('Table', access.table, tableResources);
      fn.allow('SendMail', ['ses:SendEmail', 'ses:SendRawEmail'], sesResources);
      if (access.secrets.length > 0) {
        fn.allow('ReadSecrets', ['secretsmanager:GetSecretValue'], access.secrets.map((s) => secrets[s].secretArn));
      }
      if (access.putEvents) fn.allow('PutEvents', ['events:PutEvents'], [bus.eventBusArn]);
      acknowledgeWildcardResource(
        fn.role,
        tableResources[1],
        "Queries use the table's indexes (by_email, by_departure); <table arn>/index/* covers this table's indexes only.",
      );
      if (config.tracing) {
        // test/iam.test.ts checks that "*" is used with these two actions only.
        Validations.of(fn.role).acknowledge({
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason:
            'X-Ray PutTraceSegments/PutTelemetryRecords (added by Lambda active tracing) support no resource-level permissions.',
        });
      }
      made[name] = fn;
    }
    this.functions = made;

    // ---- Nudges: one-time schedules created by the api -------------------------
    const nudgeGroup = new scheduler.ScheduleGroup(this, 'NudgeScheduleGroup', {
      scheduleGroupName: `${prefix}-nudges`,
      removalPolicy: config.removalPolicy,
    });
    const nudge = made.nudge;
    // Named, so the nudge function (which writes schedules too, in the hourly reconciliation) can
    // name this role and its own ARN in its environment without a reference cycle: the role's
    // policy names the function, and a function's environment cannot name what depends on it.
    const nudgeSchedulerRoleName = `${prefix}-nudge-scheduler`;
    const nudgeSchedulerRole = this.schedulerRole('NudgeSchedulerRole', 'Lets nudge schedules invoke the nudge function', {
      InvokeNudge: [['lambda:InvokeFunction'], [nudge.functionArn, `${nudge.functionArn}:*`]],
      NudgeDeadLetters: [['sqs:SendMessage'], [nudgeDlq.queueArn]],
    }, nudgeSchedulerRoleName);
    const nudgeSchedulerRoleArn = Arn.format(
      { service: 'iam', region: '', resource: 'role', resourceName: nudgeSchedulerRoleName },
      this,
    );
    const nudgeFunctionArn = Arn.format(
      { service: 'lambda', resource: 'function', resourceName: `${prefix}-nudge`, arnFormat: ArnFormat.COLON_RESOURCE_NAME },
      this,
    );
    acknowledgeWildcardResource(
      nudgeSchedulerRole,
      `${nudge.functionArn}:*`,
      'Versions and aliases of the nudge function (and only of it) may be targeted by a schedule.',
    );

    const api = made.api;
    const scheduleArns = Arn.format(
      { service: 'scheduler', resource: 'schedule', resourceName: `${nudgeGroup.scheduleGroupName}/*` },
      this,
    );
    api.allow(
      'ManageNudgeSchedules',
      ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule', 'scheduler:GetSchedule'],
      [scheduleArns],
    );
    api.allow('PassNudgeSchedulerRole', ['iam:PassRole'], [nudgeSchedulerRole.roleArn], {
      StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
    });
    acknowledgeWildcardResource(
      api.role,
      scheduleArns,
      'Schedule names are made at run time (one per event and departure); access is limited to the nudge schedule group.',
    );
    api.addEnvironment({
      SCHEDULER_GROUP: nudgeGroup.scheduleGroupName,
      SCHEDULER_ROLE_ARN: nudgeSchedulerRole.roleArn,
      NUDGE_FUNCTION_ARN: nudge.functionArn,
      NUDGE_DLQ_ARN: nudgeDlq.queueArn,
    });

    // ---- Nudges repair themselves: an hourly re-plan by the nudge function ------
    // It writes the same schedules the api writes, with the same settings, so a Scheduler failure
    // on create, move or cancel is put right within the hour.
    nudge.allow(
      'ManageNudgeSchedules',
      ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule', 'scheduler:GetSchedule'],
      [scheduleArns],
    );
    nudge.allow('PassNudgeSchedulerRole', ['iam:PassRole'], [nudgeSchedulerRoleArn], {
      StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
    });
    acknowledgeWildcardResource(
      nudge.role,
      scheduleArns,
      'The reconciliation re-writes nudge schedules whose names are made at run time; access is limited to the nudge schedule group.',
    );
    nudge.addEnvironment({
      SCHEDULER_GROUP: nudgeGroup.scheduleGroupName,
      SCHEDULER_ROLE_ARN: nudgeSchedulerRoleArn,
      NUDGE_FUNCTION_ARN: nudgeFunctionArn,
      NUDGE_DLQ_ARN: nudgeDlq.queueArn,
    });
    new scheduler.CfnSchedule(this, 'NudgeReconcileSchedule', {
      name: `${prefix}-nudge-reconcile`,
      description: 'Re-plans the nudges of events departing in the next 48 hours or underway',
      scheduleExpression: NUDGE_RECONCILE_RATE,
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: nudge.functionArn,
        roleArn: nudgeSchedulerRole.roleArn,
        input: NUDGE_RECONCILE_INPUT,
        retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 1800 },
        deadLetterConfig: { arn: nudgeDlq.queueArn },
      },
    });

    // ---- Weekly executive report ---------------------------------------------
    const report = made.report;
    const reportSchedulerRole = this.schedulerRole('ReportSchedulerRole', 'Lets the weekly schedule invoke the report function', {
      InvokeReport: [['lambda:InvokeFunction'], [report.functionArn]],
      ReportDeadLetters: [['sqs:SendMessage'], [reportDlq.queueArn]],
    });
    new scheduler.CfnSchedule(this, 'WeeklyReportSchedule', {
      name: `${prefix}-weekly-report`,
      description: 'Executive reports, Monday 07:00 Pacific',
      scheduleExpression: WEEKLY_REPORT_CRON,
      scheduleExpressionTimezone: WEEKLY_REPORT_TIMEZONE,
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: report.functionArn,
        roleArn: reportSchedulerRole.roleArn,
        input: '{}',
        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 6 * 3600 },
        deadLetterConfig: { arn: reportDlq.queueArn },
      },
    });

    // ---- HTTP API ---------------------------------------------------------------
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      retention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });
    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      apiName: prefix,
      description: 'shipcaptaincrew API; reached through CloudFront at /api/*, /auth/* and /cal/*',
      createDefaultStage: false,
    });
    const stage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: config.apiThrottle,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latency: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    // No API Gateway authorizer, by design (cdk-nag APIG4):
    const routes: [string, RustFunction, string][] = [
      [
        '/auth/{proxy+}',
        made['magic-link'],
        'The passwordless sign-in endpoints are what a signed-out user calls, so they are public; abuse is bounded by stage throttling and per-address/per-IP rate limits in the function.',
      ],
      [
        '/api/{proxy+}',
        api,
        'The api function verifies the HS256 session JWT and its jti allowlist entry (for instant revocation) on every request; an API Gateway JWT authorizer supports neither HS256 keys from Secrets Manager nor the allowlist.',
      ],
      [
        '/cal/{proxy+}',
        api,
        'Calendar feeds are polled by calendar apps that cannot send a bearer token; the 256-bit token in the path is the credential, checked by the api function against its keyed hash in the table, and revocable at once.',
      ],
    ];
    // One integration per function, shared by its routes.
    const integrations = new Map<RustFunction, HttpLambdaIntegration>();
    for (const [path, fn, reason] of routes) {
      let integration = integrations.get(fn);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${fn.node.id}Integration`, fn.function, {
          payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
        });
        integrations.set(fn, integration);
      }
      const routeList = this.httpApi.addRoutes({
        path,
        methods: [apigwv2.HttpMethod.ANY],
        integration,
      });
      for (const route of routeList) {
        Validations.of(route).acknowledge({ id: 'AwsSolutions-APIG4', reason });
      }
    }

    // ---- Web app -------------------------------------------------------------
    // The photo bucket's name is fixed (see photoBucketName), so the CSP can name its host
    // without referring to the bucket, whose CORS rule refers to the distribution.
    const photosBucketName = photoBucketName(config.stage, this.account, this.region);
    this.webApp = new WebApp(this, 'WebApp', {
      photoOrigin: photoBucketOrigin(this, photosBucketName),
      config,
      frontendDist: props.frontendDist,
      httpApiId: this.httpApi.apiId,
      originVerify: {
        headerName: ORIGIN_VERIFY_HEADER,
        // A CloudFormation dynamic reference, resolved when the distribution is created or its
        // reference changes (see originSecretVersion); the value is not in the template.
        value: SecretValue.secretsManager(secrets.originVerify.secretArn, {
          jsonField: 'current',
          versionId: props.originSecretVersion,
        }).unsafeUnwrap(),
      },
    });

    // APP_URL (links in emails) is the CloudFront URL, or the configured domain.
    // No cycle: the distribution depends only on the HttpApi resource itself
    // (its id in the origin domain), not on routes or integrations, so
    // functions -> distribution -> api is acyclic, while integrations, routes
    // and Lambda permissions hang off both. CloudFormation therefore creates the
    // distribution before the functions; synthesis fails loudly if a future
    // change introduces a cycle. (Fallback if one ever appears: name the domain
    // in config.appDomain, which needs no reference to the distribution.)
    for (const fn of Object.values(made)) fn.addEnvironment({ APP_URL: this.webApp.url });

    // ---- Task photos: uploaded and read by phones with URLs the api presigns ----------
    // CORS admits the app's own origins: the CloudFront domain, and the custom domain when one
    // is configured (both serve the app). No cycle: bucket -> distribution, never back.
    const distributionOrigin = `https://${this.webApp.distribution.distributionDomainName}`;
    this.photos = new PhotoBucket(this, 'Photos', {
      config,
      bucketName: photosBucketName,
      logBucket: this.webApp.logBucket,
      allowedOrigins: config.appDomain
        ? [`https://${config.appDomain.domainName}`, distributionOrigin]
        : [distributionOrigin],
    });
    // Only the api signs photo URLs; a presigned URL carries the signer's permissions, so these
    // two actions on photos/* are all a phone can ever do with one. No other function may touch
    // the bucket.
    api.allow('SignPhotoUrls', ['s3:PutObject', 's3:GetObject'], [this.photos.photoObjectsArn]);
    acknowledgeWildcardResource(
      api.role,
      this.photos.photoObjectsArn,
      'Photo keys (photos/<org>/<event>/<photo id>[.thumb].<ext>) are made at run time; the api may only put and get objects under photos/ of the photo bucket, and scopes each key to the caller\'s org.',
    );
    api.addEnvironment({ PHOTO_BUCKET: this.photos.bucket.bucketName });

    // ---- Alarms (to the operator, by email) ----------------------------------
    this.alarms = new Alarms(this, 'Alarms', {
      config,
      functions: made,
      deadLetterQueues: { nudge: nudgeDlq, report: reportDlq },
      apiStage: stage,
      apiAccessLogs: accessLogs,
      configurationSet,
    });

    // ---- Outputs -------------------------------------------------------------
    new CfnOutput(this, 'AppUrl', { value: this.webApp.url, description: 'The web app (and its API under /api, /auth)' });
    new CfnOutput(this, 'ApiUrl', { value: stage.url, description: 'HTTP API endpoint (direct)' });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'BucketName', { value: this.webApp.bucket.bucketName });
    new CfnOutput(this, 'PhotoBucketName', {
      value: this.photos.bucket.bucketName,
      description: 'Task photos (photos/<org>/<event>/…), uploaded and read through URLs the api presigns',
    });
    new CfnOutput(this, 'DistributionId', { value: this.webApp.distribution.distributionId });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alarms.topic.topicArn,
      description: 'Every alarm of this stage notifies this topic (email to config.operatorEmail)',
    });
  }

  private createTable(schema: TableSchema, config: StageConfig): dynamodb.Table {
    const attr = (k: { name: string; type: string }): dynamodb.Attribute => ({
      name: k.name,
      type: k.type as dynamodb.AttributeType,
    });
    const projection = (p: string) => p as dynamodb.ProjectionType;
    const table = new dynamodb.Table(this, 'Table', {
      partitionKey: attr(schema.partitionKey),
      sortKey: schema.sortKey && attr(schema.sortKey),
      timeToLiveAttribute: schema.ttlAttribute,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      deletionProtection: config.tableDeletionProtection,
      removalPolicy: config.removalPolicy,
    });
    for (const gsi of schema.globalSecondaryIndexes) {
      table.addGlobalSecondaryIndex({
        indexName: gsi.name,
        partitionKey: attr(gsi.partitionKey),
        sortKey: gsi.sortKey && attr(gsi.sortKey),
        projectionType: projection(gsi.projection),
        nonKeyAttributes: gsi.nonKeyAttributes,
      });
    }
    for (const lsi of schema.localSecondaryIndexes) {
      table.addLocalSecondaryIndex({
        indexName: lsi.name,
        sortKey: attr(lsi.sortKey),
        projectionType: projection(lsi.projection),
        nonKeyAttributes: lsi.nonKeyAttributes,
      });
    }
    Validations.of(table).acknowledge({
      id: 'AwsSolutions-DDB4',
      reason:
        'Point-in-time recovery (35 days) is the backup; an AWS Backup plan would add cost and a second restore path for a small single-table app.',
    });
    return table;
  }

  /** SQS dead-letter queue for EventBridge Scheduler and asynchronous Lambda failures. */
  private deadLetterQueue(id: string, config: StageConfig): sqs.Queue {
    const queue = new sqs.Queue(this, id, {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: config.removalPolicy,
    });
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself a dead-letter queue (of EventBridge Scheduler and of asynchronous Lambda invocations).',
    });
    return queue;
  }

  /**
   * A role only EventBridge Scheduler of this account can assume, allowed
   * exactly the given actions on exactly the given resources.
   */
  private schedulerRole(
    id: string,
    description: string,
    statements: Record<string, [string[], string[]]>,
    roleName?: string,
  ): iam.Role {
    return new iam.Role(this, id, {
      description,
      roleName,
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      inlinePolicies: {
        Target: new iam.PolicyDocument({
          statements: Object.entries(statements).map(
            ([sid, [actions, resources]]) => new iam.PolicyStatement({ sid, actions, resources }),
          ),
        }),
      },
    });
  }
}

/** 'magic-link' -> 'MagicLink' */
function fnId(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase());
}
