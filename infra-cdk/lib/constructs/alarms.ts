// The stage's alarms, their SNS topic (with the operator's email
// subscription) and the SES event destination that publishes mail events to
// CloudWatch. Every alarm is named `shipcaptaincrew-<stage>-<what>` and says
// in its description where to look first.
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FUNCTION_NAMES, type FunctionName, type StageConfig, looksLikeEmail } from '../config';
import type { RustFunction } from './rust-function';

export interface AlarmsProps {
  readonly config: StageConfig;
  readonly functions: Readonly<Record<FunctionName, RustFunction>>;
  /** Where failed nudge and report invocations end up (from Scheduler and from Lambda async retries). */
  readonly deadLetterQueues: { readonly nudge: sqs.IQueue; readonly report: sqs.IQueue };
  readonly apiStage: apigwv2.HttpStage;
  readonly apiAccessLogs: logs.ILogGroup;
  readonly configurationSet: ses.IConfigurationSet;
}

/** Counters: one bad data point in five minutes is worth an email in an app this size. */
const COUNTER_PERIOD = Duration.minutes(5);

/**
 * SES reputation thresholds, as fractions (Reputation.* metrics are 0..1).
 * AWS puts an account under review at a 10% bounce rate or a 0.5% complaint
 * rate; alarming at 5% and 0.1% (half and a fifth of those; mailbox providers
 * already filter at a 0.1% complaint rate) leaves time to act before a review.
 */
export const SES_BOUNCE_RATE_THRESHOLD = 0.05;
export const SES_COMPLAINT_RATE_THRESHOLD = 0.001;

/** Mail events published per configuration set; see MailEvents below. */
export const MAIL_EVENTS = [
  ses.EmailSendingEvent.SEND,
  ses.EmailSendingEvent.BOUNCE,
  ses.EmailSendingEvent.COMPLAINT,
  ses.EmailSendingEvent.REJECT,
  ses.EmailSendingEvent.DELIVERY_DELAY,
];
/** SES auto-tag: every message sent through the set carries it, so each stage's counts are separate. */
export const MAIL_EVENTS_DIMENSION = 'ses:configuration-set';

/**
 * Key administration the account (that is: IAM policies in it, such as
 * CloudFormation's deployment role) may be granted. Listed one by one instead
 * of `kms:*`, which this app does not use anywhere; no use of the key beyond
 * what publishing a test message needs (KEY_USE below).
 */
const KEY_ADMIN_ACTIONS = [
  'kms:DescribeKey',
  'kms:GetKeyPolicy',
  'kms:PutKeyPolicy',
  'kms:ListKeyPolicies',
  'kms:GetKeyRotationStatus',
  'kms:EnableKeyRotation',
  'kms:DisableKeyRotation',
  'kms:ListResourceTags',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateKeyDescription',
  'kms:EnableKey',
  'kms:DisableKey',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
];
/** What SNS needs from a publisher's side to encrypt a message (and CloudWatch uses on publish). */
const KEY_USE_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt'];

export class Alarms extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;
  readonly mailEvents: ses.ConfigurationSetEventDestination;
  readonly alarms: cloudwatch.Alarm[] = [];
  private readonly prefix: string;
  private readonly action: cloudwatch.IAlarmAction;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    const { config } = props;
    if (!looksLikeEmail(config.operatorEmail)) {
      throw new Error(
        `${config.stage}: operatorEmail ${JSON.stringify(config.operatorEmail)} is not an email address (lib/config.ts)`,
      );
    }
    this.prefix = `shipcaptaincrew-${config.stage}`;
    const stack = Stack.of(this);

    // ---- Topic -------------------------------------------------------------
    // A customer-managed key, not aws/sns: CloudWatch alarms cannot publish to a
    // topic encrypted with the AWS-managed key, whose policy does not let
    // cloudwatch.amazonaws.com use it and cannot be edited. The policy is written
    // out (no default `kms:*` for the account); in a key policy `Resource: "*"`
    // means this key.
    this.key = new kms.Key(this, 'TopicKey', {
      description: `Encrypts ${this.prefix}-alarms (SNS)`,
      enableKeyRotation: true,
      removalPolicy: config.removalPolicy,
      policy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            sid: 'AccountAdministersKey',
            principals: [new iam.AccountRootPrincipal()],
            actions: KEY_ADMIN_ACTIONS,
            resources: ['*'],
          }),
          new iam.PolicyStatement({
            sid: 'AccountMayPublishTestMessages',
            principals: [new iam.AccountRootPrincipal()],
            actions: KEY_USE_ACTIONS,
            resources: ['*'],
          }),
          // Which alarms may publish is decided by the topic policy (this stage's
          // alarms of this account); the key is used for nothing but this topic.
          new iam.PolicyStatement({
            sid: 'CloudWatchAlarmsPublish',
            principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
            actions: KEY_USE_ACTIONS,
            resources: ['*'],
          }),
        ],
      }),
    });
    this.topic = new sns.Topic(this, 'Topic', {
      topicName: `${this.prefix}-alarms`,
      displayName: `shipcaptaincrew ${config.stage} alarms`,
      masterKey: this.key,
      enforceSSL: true,
    });
    // enforceSSL replaces SNS's default topic policy, so CloudWatch needs its own
    // statement: this account's alarms of this stage only.
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'StageAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: `${this.prefix}-*`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    // SNS mails a confirmation link first; nothing is delivered until it is clicked.
    this.topic.addSubscription(new subscriptions.EmailSubscription(config.operatorEmail));
    this.action = new cwActions.SnsAction(this.topic);

    // ---- Functions: Errors and Throttles -------------------------------------
    for (const name of FUNCTION_NAMES) {
      const fn = props.functions[name];
      const logGroup = fn.logGroup.logGroupName;
      const retries =
        name === 'nudge' || name === 'report'
          ? ` Failed asynchronous invocations are retried twice, then land in the ${name} dead-letter queue.`
          : '';
      this.alarm(`${name}-errors`, fn.function.metricErrors({ period: COUNTER_PERIOD, statistic: 'Sum' }), {
        threshold: 1,
        comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        missing: cloudwatch.TreatMissingData.NOT_BREACHING,
        description: `The ${name} function returned an error, crashed or timed out (Lambda Errors >= 1 in 5 minutes). Look first at its log group ${logGroup}.${retries}`,
      });
      this.alarm(`${name}-throttles`, fn.function.metricThrottles({ period: COUNTER_PERIOD, statistic: 'Sum' }), {
        threshold: 1,
        comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        missing: cloudwatch.TreatMissingData.NOT_BREACHING,
        description: `Lambda throttled the ${name} function (Throttles >= 1 in 5 minutes): the functions reserve no concurrency, so the account's concurrency limit was reached. Look first at ConcurrentExecutions (AWS/Lambda) to see which function is busy, then at log group ${logGroup}.`,
      });
    }

    // ---- Dead-letter queues -------------------------------------------------
    // Missing data is IGNORED: SQS stops publishing a queue's metrics six hours
    // after the last API call on it, even when messages are still waiting, so a
    // silent queue keeps whatever state it had (a full one stays in ALARM).
    const dlqs: [FunctionName, sqs.IQueue, string][] = [
      ['nudge', props.deadLetterQueues.nudge, 'nudge emails that were not sent'],
      ['report', props.deadLetterQueues.report, 'weekly reports that were not sent'],
    ];
    for (const [name, queue, what] of dlqs) {
      this.alarm(
        `${name}-dlq-depth`,
        queue.metricApproximateNumberOfMessagesVisible({ period: COUNTER_PERIOD, statistic: 'Maximum' }),
        {
          threshold: 0,
          comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          missing: cloudwatch.TreatMissingData.IGNORE,
          description: `Messages are waiting in the ${name} dead-letter queue ${queue.queueName}: ${what}, after EventBridge Scheduler's or Lambda's retries. Look first at the messages in that queue (their attributes carry the error; they are kept 14 days), then at log group ${props.functions[name].logGroup.logGroupName}. The alarm clears when the queue is empty.`,
        },
      );
    }

    // ---- Mail -----------------------------------------------------------------
    // Two sources, for two questions:
    // - The rate alarms use Reputation.BounceRate / Reputation.ComplaintRate
    //   (AWS/SES, no dimensions): the account-wide rates SES computes over a
    //   representative volume of mail, which are the numbers AWS reviews and
    //   pauses sending on. A rate worked out from event counts over a few hours
    //   (one bounce out of three mails is 33%) would alarm on noise at this
    //   app's volume. They are account-wide, so with both stages in one account
    //   both stages' alarms fire together.
    // - The event destination publishes this configuration set's Send, Bounce,
    //   Complaint, Reject and DeliveryDelay counts (AWS/SES, dimension
    //   ses:configuration-set), so an operator can tell which stage sent the
    //   mail that bounced. One dimension value per stage keeps it to five
    //   custom metrics.
    const setName = props.configurationSet.configurationSetName;
    this.mailEvents = new ses.ConfigurationSetEventDestination(this, 'MailEvents', {
      configurationSet: props.configurationSet,
      configurationSetEventDestinationName: 'cloudwatch',
      destination: ses.EventDestination.cloudWatchDimensions([
        { name: MAIL_EVENTS_DIMENSION, source: ses.CloudWatchDimensionSource.MESSAGE_TAG, defaultValue: setName },
      ]),
      events: MAIL_EVENTS,
    });
    const lookFirst = `Look first at the Bounce and Complaint counts of configuration set ${setName} (AWS/SES, dimension ${MAIL_EVENTS_DIMENSION}) against its Send count, and at the other stage's, to see which stage sent the mail; then at the SES reputation page.`;
    // Missing data is NOT_BREACHING: SES publishes the rates only once the
    // account has had a bounce or complaint; before that the rate is zero.
    this.alarm('ses-bounce-rate', reputation('Reputation.BounceRate'), {
      threshold: SES_BOUNCE_RATE_THRESHOLD,
      comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      missing: cloudwatch.TreatMissingData.NOT_BREACHING,
      description: `The account's SES bounce rate is at least ${SES_BOUNCE_RATE_THRESHOLD * 100}% (AWS reviews the account at 10%). ${lookFirst}`,
    });
    this.alarm('ses-complaint-rate', reputation('Reputation.ComplaintRate'), {
      threshold: SES_COMPLAINT_RATE_THRESHOLD,
      comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      missing: cloudwatch.TreatMissingData.NOT_BREACHING,
      description: `The account's SES complaint rate is at least ${SES_COMPLAINT_RATE_THRESHOLD * 100}% (AWS reviews the account at 0.5%). ${lookFirst}`,
    });

    // ---- HTTP API -------------------------------------------------------------
    // `5xx` with dimensions ApiId and Stage ($default).
    this.alarm('http-api-5xx', props.apiStage.metricServerError({ period: COUNTER_PERIOD, statistic: 'Sum' }), {
      threshold: 1,
      comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      missing: cloudwatch.TreatMissingData.NOT_BREACHING,
      description: `The HTTP API answered with a 5xx (>= 1 in 5 minutes). Look first at its access log group ${props.apiAccessLogs.logGroupName} (status, routeKey, integrationError), then at the log group of the function behind the route: ${props.functions.api.logGroup.logGroupName} for /api, ${props.functions['magic-link'].logGroup.logGroupName} for /auth.`,
    });
  }

  private alarm(
    what: string,
    metric: cloudwatch.IMetric,
    o: {
      threshold: number;
      comparison: cloudwatch.ComparisonOperator;
      missing: cloudwatch.TreatMissingData;
      description: string;
    },
  ): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, what, {
      alarmName: `${this.prefix}-${what}`,
      alarmDescription: o.description,
      metric,
      threshold: o.threshold,
      comparisonOperator: o.comparison,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: o.missing,
      actionsEnabled: true,
    });
    // OK too, so the operator also hears when it is over.
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
    return alarm;
  }
}

/** SES account reputation; the rate is already a rolling figure, so the hour's maximum is its level. */
function reputation(metricName: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/SES',
    metricName,
    period: Duration.hours(1),
    statistic: 'Maximum',
  });
}
