// Per-stage configuration: the ONE place where dev and prod differ.
//
// Account and region come from the environment the CDK CLI sets from the
// active AWS credentials (CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION). Offline
// (tests, scripts/check.sh) there are no credentials, so placeholders keep
// synthesis deterministic; a real deploy with credentials never sees them.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

export const STAGES = ['dev', 'prod'] as const;
export type Stage = (typeof STAGES)[number];

/** The four Lambda functions; each name is also its asset folder under lambdaAssetDir. */
export const FUNCTION_NAMES = ['api', 'magic-link', 'nudge', 'report'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export const PLACEHOLDER_ACCOUNT = '111111111111';
export const PLACEHOLDER_REGION = 'us-west-2';

export interface FunctionSizing {
  readonly memoryMb: number;
  readonly timeout: Duration;
}

export interface AppDomain {
  /** e.g. `crew.example.com`; DNS (a CNAME/alias to the distribution) is managed outside this stack. */
  readonly domainName: string;
  /** ACM certificate for domainName; CloudFront requires it to live in us-east-1. */
  readonly certificateArn: string;
}

export interface StageConfig {
  readonly stage: Stage;
  readonly account: string;
  readonly region: string;
  /** From: address of every email; must be (in) a verified SES identity. */
  readonly senderAddress: string;
  /**
   * The SES identity this stack creates and the functions may send as:
   * the sender address itself, or its whole domain (DKIM records then have to
   * be published in DNS).
   */
  readonly sesIdentity: 'email' | 'domain';
  /** Custom domain for the web app; without it the app lives on the CloudFront domain. */
  readonly appDomain?: AppDomain;
  readonly logRetention: RetentionDays;
  /** Applied to stateful resources: table, buckets, queues, secrets, log groups. */
  readonly removalPolicy: RemovalPolicy;
  readonly tableDeletionProtection: boolean;
  /** X-Ray active tracing on the four functions. */
  readonly tracing: boolean;
  readonly functions: Readonly<Record<FunctionName, FunctionSizing>>;
  /** HTTP API default-stage throttling. */
  readonly apiThrottle: { readonly burstLimit: number; readonly rateLimit: number };
  /** Who receives the weekly portfolio roll-up (all orgs side by side). Per-org report
   * recipients are org settings in the app; this one spans orgs, so it is deployment config. */
  readonly portfolioRecipients: readonly string[];
  /** Receives every alarm of the stage (SNS email subscription; confirm the link SNS mails once). */
  readonly operatorEmail: string;
}

const account = process.env.CDK_DEFAULT_ACCOUNT ?? PLACEHOLDER_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION ?? PLACEHOLDER_REGION;

const FUNCTIONS: Record<FunctionName, FunctionSizing> = {
  api: { memoryMb: 256, timeout: Duration.seconds(10) },
  'magic-link': { memoryMb: 256, timeout: Duration.seconds(10) },
  nudge: { memoryMb: 256, timeout: Duration.seconds(30) },
  report: { memoryMb: 512, timeout: Duration.seconds(300) },
};

export const STAGE_CONFIGS: Readonly<Record<Stage, StageConfig>> = {
  dev: {
    stage: 'dev',
    account,
    region,
    senderAddress: 'admin@queenofsandiego.com',
    sesIdentity: 'email',
    logRetention: RetentionDays.TWO_WEEKS,
    removalPolicy: RemovalPolicy.DESTROY,
    tableDeletionProtection: false,
    tracing: true,
    functions: FUNCTIONS,
    apiThrottle: { burstLimit: 100, rateLimit: 50 },
    portfolioRecipients: [],
    operatorEmail: 'admin@queenofsandiego.com',
  },
  prod: {
    stage: 'prod',
    account,
    region,
    senderAddress: 'admin@queenofsandiego.com',
    sesIdentity: 'email',
    // appDomain: { domainName: 'crew.queenofsandiego.com', certificateArn: 'arn:aws:acm:us-east-1:…' },
    logRetention: RetentionDays.THREE_MONTHS,
    removalPolicy: RemovalPolicy.RETAIN,
    tableDeletionProtection: true,
    tracing: true,
    functions: FUNCTIONS,
    apiThrottle: { burstLimit: 100, rateLimit: 50 },
    portfolioRecipients: ['admin@queenofsandiego.com'],
    operatorEmail: 'admin@queenofsandiego.com',
  },
};

/**
 * A deliberately loose shape check (one @, no spaces, a dot in the domain):
 * enough to catch a typo or an empty value at synth time, when a bad address
 * would otherwise surface only as an SNS subscription nobody can confirm.
 */
export function looksLikeEmail(value: unknown): value is string {
  return typeof value === 'string' && /^[^\s@]+@[^\s@]+\.[^\s@.]+$/.test(value);
}

export function isStage(value: unknown): value is Stage {
  return typeof value === 'string' && (STAGES as readonly string[]).includes(value);
}

export function stageConfig(stage: unknown): StageConfig {
  if (!isStage(stage)) {
    throw new Error(
      `Unknown or missing stage ${JSON.stringify(stage)}: pass -c stage=<${STAGES.join('|')}>`,
    );
  }
  return STAGE_CONFIGS[stage];
}
