// The task-photo bucket (issue 16, part 5): private, encrypted, TLS only, logged, expiring, CORS
// for the app's own origin, and reachable by the api function's role only (put and get under
// photos/), whose PHOTO_BUCKET names it.
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { FUNCTION_NAMES, type FunctionName, STAGE_CONFIGS } from '../lib/config';
import {
  PHOTO_ACCESS_LOG_PREFIX,
  PHOTO_CORS,
  PHOTO_EXPIRATION_DAYS,
  photoBucketName,
} from '../lib/constructs/photo-bucket';
import { INFRA_DIR } from '../lib/paths';
import { ShipCaptainCrewStack } from '../lib/shipcaptaincrew-stack';
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
  ref,
  resourcesOfType,
  roleStatements,
  synth,
} from './helpers';

describe.each(STAGES_UNDER_TEST)('photo bucket (%s)', (stage) => {
  const { stack, json } = synth(stage);
  const bucketId = logicalId(stack.photos.bucket);
  const bucket = () => json.Resources[bucketId];
  const props = () => bucket().Properties;
  const photoObjects = { 'Fn::Join': ['', [getAtt(bucketId), '/photos/*']] };
  const fnIds = Object.fromEntries(
    FUNCTION_NAMES.map((n) => [n, logicalId(stack.functions[n].function)]),
  ) as Record<FunctionName, string>;
  const roleIds = Object.fromEntries(
    FUNCTION_NAMES.map((n) => [n, logicalId(stack.functions[n].role)]),
  ) as Record<FunctionName, string>;

  it('is named for the stage, account and region (the CSP names its host)', () => {
    expect(props().BucketName).toBe(`shipcaptaincrew-${stage}-photos-${ACCOUNT}-${REGION}`);
    expect(photoBucketName(stage, ACCOUNT, REGION)).toBe(props().BucketName);
  });

  it('blocks all public access, owns every object, S3-managed encryption, versioned', () => {
    expect(props().PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(props().OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(props().BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
    ]);
    expect(props().VersioningConfiguration).toEqual({ Status: 'Enabled' });
  });

  it('bucket policy: only the TLS-only deny, no Allow for anyone', () => {
    const policies = resourcesOfType(json, 'AWS::S3::BucketPolicy').filter(([, p]) => p.Properties.Bucket.Ref === bucketId);
    expect(policies).toHaveLength(1);
    const stmts: Statement[] = policies[0][1].Properties.PolicyDocument.Statement;
    expect(stmts).toEqual([
      {
        Effect: 'Deny',
        Action: 's3:*',
        Principal: { AWS: '*' },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        Resource: [getAtt(bucketId), { 'Fn::Join': ['', [getAtt(bucketId), '/*']] }],
      },
    ]);
  });

  it('logs access to the stack log bucket under s3-access/photos/', () => {
    expect(props().LoggingConfiguration).toEqual({
      DestinationBucketName: ref(logicalId(stack.webApp.logBucket)),
      LogFilePrefix: 's3-access/photos/',
    });
    expect(PHOTO_ACCESS_LOG_PREFIX).toBe('s3-access/photos/');
    // The log bucket lets S3's logging service write that prefix for this bucket only.
    const [, logPolicy] = resourcesOfType(json, 'AWS::S3::BucketPolicy').find(
      ([, p]) => p.Properties.Bucket.Ref === logicalId(stack.webApp.logBucket),
    )!;
    expect(logPolicy.Properties.PolicyDocument.Statement).toContainEqual({
      Effect: 'Allow',
      Action: 's3:PutObject',
      Principal: { Service: 'logging.s3.amazonaws.com' },
      Resource: { 'Fn::Join': ['', [getAtt(logicalId(stack.webApp.logBucket)), '/s3-access/photos/*']] },
      Condition: { ArnLike: { 'aws:SourceArn': getAtt(bucketId) }, StringEquals: { 'aws:SourceAccount': ACCOUNT } },
    });
  });

  it('lifecycle: expires photos after 730 days, old versions after 30, aborts multipart uploads after 1', () => {
    expect(props().LifecycleConfiguration.Rules).toEqual([
      {
        Id: 'photos-expire',
        Status: 'Enabled',
        ExpirationInDays: 730,
        NoncurrentVersionExpiration: { NoncurrentDays: 30 },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
      },
    ]);
    expect(PHOTO_EXPIRATION_DAYS).toBe(730);
  });

  it('CORS: the app origin may PUT, GET and HEAD with content-type and content-length, cached 3000 s', () => {
    expect(props().CorsConfiguration.CorsRules).toEqual([
      {
        AllowedOrigins: [{ 'Fn::Join': ['', ['https://', getAtt(logicalId(stack.webApp.distribution), 'DomainName')]] }],
        AllowedMethods: ['PUT', 'GET', 'HEAD'],
        AllowedHeaders: ['content-type', 'content-length'],
        MaxAge: 3000,
      },
    ]);
    expect(PHOTO_CORS.maxAgeSeconds).toBe(3000);
  });

  it(`follows the stage removal policy (${stage === 'prod' ? 'retained' : 'deleted'}, as the table)`, () => {
    const policy = stage === 'prod' ? 'Retain' : 'Delete';
    expect([bucket().DeletionPolicy, bucket().UpdateReplacePolicy]).toEqual([policy, policy]);
    expect(json.Resources[logicalId(stack.table)].DeletionPolicy).toBe(policy);
  });

  it('the api names it in PHOTO_BUCKET; no other function has the variable', () => {
    for (const name of FUNCTION_NAMES) {
      const env = json.Resources[fnIds[name]].Properties.Environment.Variables;
      if (name === 'api') expect(env.PHOTO_BUCKET).toEqual(ref(bucketId));
      else expect(env.PHOTO_BUCKET, name).toBeUndefined();
    }
  });

  it('the api role may put and get objects under photos/ only', () => {
    const s3 = roleStatements(json, roleIds.api).filter((s) => asArray(s.Action).some((a) => a.startsWith('s3:')));
    expect(s3).toHaveLength(1);
    const [{ Action, ...rest }] = s3;
    // Exactly these two actions (in the policy minimizer's order), on the photos/ prefix alone.
    expect(asArray(Action).slice().sort()).toEqual(['s3:GetObject', 's3:PutObject']);
    expect(rest).toEqual({ Sid: 'SignPhotoUrls', Effect: 'Allow', Resource: photoObjects });
  });

  it('no other role or policy may touch the bucket', () => {
    const apiRole = roleIds.api;
    const mentions = (x: unknown) => JSON.stringify(x).includes(`"${bucketId}"`);
    // Identity policies: inline on roles and attached AWS::IAM::Policy resources.
    for (const [id, role] of resourcesOfType(json, 'AWS::IAM::Role')) {
      if (id === apiRole) continue;
      expect(mentions(roleStatements(json, id)), id).toBe(false);
      expect(mentions(role.Properties.AssumeRolePolicyDocument), id).toBe(false);
    }
    for (const [id, p] of resourcesOfType(json, 'AWS::IAM::Policy')) {
      if (asArray(p.Properties.Roles).some((r: any) => r.Ref === apiRole)) continue;
      expect(mentions(p.Properties.PolicyDocument), id).toBe(false);
    }
    // Resource policies: the bucket's own (TLS deny only, above) and the log bucket's, where the
    // photo bucket appears only as the source of its access logs.
    for (const [id, p] of resourcesOfType(json, 'AWS::S3::BucketPolicy')) {
      if (p.Properties.Bucket.Ref === bucketId) continue;
      for (const s of p.Properties.PolicyDocument.Statement as Statement[]) {
        if (!mentions(s)) continue;
        expect(s.Principal, id).toEqual({ Service: 'logging.s3.amazonaws.com' });
        expect(mentions(s.Resource), id).toBe(false);
      }
    }
    // ...and no Lambda, however configured, names it but the api.
    for (const [id, fn] of resourcesOfType(json, 'AWS::Lambda::Function')) {
      if (id === fnIds.api) continue;
      expect(mentions(fn.Properties), id).toBe(false);
    }
  });

  it('the CSP allows the bucket host for images and uploads', () => {
    const [, policy] = resourcesOfType(json, 'AWS::CloudFront::ResponseHeadersPolicy')[0];
    const csp = JSON.stringify(policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy);
    const host = `https://${props().BucketName}.s3.${REGION}.`;
    expect(csp).toContain(`img-src 'self' data: blob: ${host}`);
    expect(csp).toContain(`connect-src 'self' ${host}`);
  });
});

describe('photo bucket with a custom app domain', () => {
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

  it('CORS admits the custom domain and the CloudFront domain (both serve the app)', () => {
    const [rule] = json.Resources[logicalId(stack.photos.bucket)].Properties.CorsConfiguration.CorsRules;
    expect(rule.AllowedOrigins).toEqual([
      'https://crew.example.com',
      { 'Fn::Join': ['', ['https://', getAtt(logicalId(stack.webApp.distribution), 'DomainName')]] },
    ]);
  });
});
