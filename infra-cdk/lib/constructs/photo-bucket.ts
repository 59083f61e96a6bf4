// Task photos (issue 16, part 5): a private bucket the phones upload to and read from directly,
// with URLs the api function presigns. Nothing passes through a Lambda; the api's role may put
// and get objects under photos/ and nothing else may touch the bucket.
import { Duration, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { StageConfig } from '../config';

/** Every photo key starts so: `photos/<org>/<event id>/<photo id>[.thumb].<jpg|png|webp>`. */
export const PHOTO_KEY_PREFIX = 'photos/';
export const PHOTO_ACCESS_LOG_PREFIX = 's3-access/photos/';

/**
 * What the browser may do cross-origin: PUT the image with the presigned URL, GET (and HEAD) it
 * with the presigned read URL. The PUT's `content-type` and `content-length` are signed headers
 * of the presigned upload; `content-type` is what the preflight asks for (browsers set
 * content-length themselves and never list it), content-length is allowed for clients that do.
 * Any other header the signer includes would have to be sent by the browser and listed here.
 */
export const PHOTO_CORS = {
  allowedMethods: [s3.HttpMethods.PUT, s3.HttpMethods.GET, s3.HttpMethods.HEAD],
  allowedHeaders: ['content-type', 'content-length'],
  maxAgeSeconds: 3000,
} as const;

/** Photos are operational evidence: two years covers a season and the disputes after it. */
export const PHOTO_EXPIRATION_DAYS = 730;
/** How long an overwritten (or expired) version is kept before it is gone for good. */
export const PHOTO_NONCURRENT_DAYS = 30;

/**
 * The bucket's name, fixed from the stage, account and region rather than generated: the web
 * app's Content-Security-Policy names the bucket's host, and the CloudFront response headers
 * policy cannot refer to the bucket (the bucket's CORS rule names the distribution's domain, and
 * the distribution uses the headers policy: a reference would be a cycle). A name that is a
 * plain string breaks it. As with the named secrets, a retained (prod) bucket keeps its name, so a
 * deleted and re-created stack must first have the old bucket removed or renamed.
 */
export function photoBucketName(stage: string, account: string, region: string): string {
  return `shipcaptaincrew-${stage}-photos-${account}-${region}`;
}

/**
 * The origin presigned URLs point at: S3's virtual-hosted style in the bucket's region, which is
 * what the AWS SDKs sign by default (`https://<bucket>.s3.<region>.amazonaws.com/<key>?X-Amz-…`).
 */
export function photoBucketOrigin(scope: Construct, bucketName: string): string {
  const stack = Stack.of(scope);
  return `https://${bucketName}.s3.${stack.region}.${stack.urlSuffix}`;
}

export interface PhotoBucketProps {
  readonly config: StageConfig;
  /** From photoBucketName. */
  readonly bucketName: string;
  /** Where S3 server access logs go (the web app's log bucket), under s3-access/photos/. */
  readonly logBucket: s3.IBucket;
  /** The app's own origins (`https://<domain>`), the only ones CORS lets PUT and GET. */
  readonly allowedOrigins: string[];
}

export class PhotoBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: PhotoBucketProps) {
    super(scope, id);
    const { config } = props;

    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: props.bucketName,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // S3-managed keys like the stack's other buckets: presigned PUT and GET then need no KMS
      // permission on the api's role and no extra signed header.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // No ACLs: the account owns every object, whoever's presigned URL wrote it.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // A presigned PUT can be replayed until it expires; the image it replaced stays
      // recoverable for PHOTO_NONCURRENT_DAYS.
      versioned: true,
      serverAccessLogsBucket: props.logBucket,
      serverAccessLogsPrefix: PHOTO_ACCESS_LOG_PREFIX,
      // As the table: retained in prod, destroyed with a dev stack (empty it first, see README).
      removalPolicy: config.removalPolicy,
      cors: [
        {
          allowedOrigins: props.allowedOrigins,
          allowedMethods: [...PHOTO_CORS.allowedMethods],
          allowedHeaders: [...PHOTO_CORS.allowedHeaders],
          maxAge: PHOTO_CORS.maxAgeSeconds,
        },
      ],
      lifecycleRules: [
        {
          id: 'photos-expire',
          // Photos are operational evidence (fuel gauge, damage found): two years covers a
          // season and the disputes that follow it; then they go, as nobody reviews them later.
          expiration: Duration.days(PHOTO_EXPIRATION_DAYS),
          noncurrentVersionExpiration: Duration.days(PHOTO_NONCURRENT_DAYS),
          // A phone that lost its connection mid-upload leaves no parts to pay for.
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
  }

  /** `<bucket arn>/photos/*`: the only objects the api may put and get. */
  get photoObjectsArn(): string {
    return this.bucket.arnForObjects(`${PHOTO_KEY_PREFIX}*`);
  }
}
