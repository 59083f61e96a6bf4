// One Rust Lambda: a prebuilt `bootstrap` (cargo lambda build --arm64) on
// provided.al2023/arm64, with its own IAM role and its own log group.
import * as path from 'node:path';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { FunctionName, StageConfig } from '../config';

export interface RustFunctionProps {
  readonly name: FunctionName;
  readonly config: StageConfig;
  /** Folder holding `<name>/bootstrap`. */
  readonly assetDir: string;
  readonly environment: Record<string, string>;
  /** Where failed asynchronous invocations go (nudge and report are invoked asynchronously by Scheduler). */
  readonly deadLetterQueue?: sqs.IQueue;
}

export class RustFunction extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: RustFunctionProps) {
    super(scope, id);
    const { name, config } = props;
    const sizing = config.functions[name];
    const functionName = `shipcaptaincrew-${config.stage}-${name}`;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });

    // An explicit role per function (no AWSLambdaBasicExecutionRole managed
    // policy): logging is granted on this function's log group only, every
    // other permission is added by the stack, statement by statement.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${functionName}`,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    this.function = new lambda.Function(this, 'Function', {
      functionName,
      description: `shipcaptaincrew ${name} (${config.stage})`,
      runtime: lambda.Runtime.PROVIDED_AL2023,
      architecture: lambda.Architecture.ARM_64,
      handler: 'bootstrap',
      code: lambda.Code.fromAsset(path.join(props.assetDir, name)),
      memorySize: sizing.memoryMb,
      timeout: sizing.timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.TEXT,
      tracing: config.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      deadLetterQueue: props.deadLetterQueue,
      environment: {
        STAGE: config.stage,
        RUST_LOG: 'info',
        ...props.environment,
      },
    });
  }

  /** Adds one least-privilege statement to this function's role. */
  allow(sid: string, actions: string[], resources: string[], conditions?: Record<string, unknown>): void {
    this.role.addToPolicy(new iam.PolicyStatement({ sid, actions, resources, conditions }));
  }

  addEnvironment(vars: Record<string, string>): void {
    for (const [k, v] of Object.entries(vars)) this.function.addEnvironment(k, v);
  }

  get functionArn(): string {
    return this.function.functionArn;
  }
}
