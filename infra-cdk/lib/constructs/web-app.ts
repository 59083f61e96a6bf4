// The web app: a private S3 bucket behind CloudFront (OAC), which also routes
// /api/*, /auth/* and /cal/* to the HTTP API so the app and its API share one origin.
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { acknowledgeWildcardResource } from '../nag';

/**
 * The app's Content-Security-Policy. `photoOrigin` is the photo bucket's S3 host: the app PUTs
 * photos there with presigned URLs (connect-src) and shows them from presigned GET URLs
 * (img-src). `blob:` images are photos still on the phone (picked, or waiting in the offline
 * queue), shown through object URLs the app itself creates.
 */
export function contentSecurityPolicy(photoOrigin: string): string {
  return [
    "default-src 'self'",
    `img-src 'self' data: blob: ${photoOrigin}`,
    "style-src 'self'",
    "script-src 'self'",
    `connect-src 'self' ${photoOrigin}`,
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join('; ');
}

/**
 * The header CloudFront adds, with the origin secret's current value, to every request it sends
 * to the HTTP API; the api and magic-link functions refuse requests without it
 * (`ORIGIN_VERIFY_HEADER` in crates/web/src/origin.rs, which test/origin-verify.test.ts compares).
 */
export const ORIGIN_VERIFY_HEADER = 'x-origin-verify';

/** Vite's content-hashed build output: safe to cache for a year. */
export const HASHED_ASSETS_CACHE_CONTROL = 'public, max-age=31536000, immutable';

// SPA fallback as a viewer-request CloudFront Function on the DEFAULT (S3)
// behaviour only. Custom errorResponses (403/404 -> /index.html) would apply to
// every origin, so a 404 from /api/* would come back as 200 + index.html and
// the app could no longer tell "not found" from success. The function sends
// extension-less paths (app routes such as /events/42) to /index.html and
// leaves real files (/assets/app-abc123.js, /sw.js, /favicon.ico) alone.
const SPA_REWRITE_CODE = `
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  var lastSegment = uri.substring(uri.lastIndexOf('/') + 1);
  if (lastSegment.indexOf('.') === -1) {
    request.uri = '/index.html';
  }
  return request;
}
`;

export interface WebAppProps {
  readonly config: StageConfig;
  /** Built web app: index.html, sw.js, manifest.webmanifest, assets/<hashed files>. */
  readonly frontendDist: string;
  /** The HTTP API that serves /api/*, /auth/* and /cal/*. */
  readonly httpApiId: string;
  /** The secret header CloudFront adds to every request to the HTTP API (both behaviours). */
  readonly originVerify: { readonly headerName: string; readonly value: string };
  /**
   * `https://<photo bucket>.s3.<region>.amazonaws.com`, allowed in the CSP. A plain string built
   * from the bucket's fixed name, never a reference to the bucket (see photoBucketName).
   */
  readonly photoOrigin: string;
}

export class WebApp extends Construct {
  readonly bucket: s3.Bucket;
  readonly logBucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  /** `https://` + the custom domain, or the CloudFront domain. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: WebAppProps) {
    super(scope, id);
    const { config } = props;
    const stack = Stack.of(this);

    // Receives S3 server access logs and CloudFront standard logs. CloudFront's
    // standard logging writes through bucket ACLs, hence BUCKET_OWNER_PREFERRED
    // rather than BUCKET_OWNER_ENFORCED.
    this.logBucket = new s3.Bucket(this, 'LogBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      removalPolicy: config.removalPolicy,
      lifecycleRules: [
        {
          expiration: Duration.days(config.logRetention),
          noncurrentVersionExpiration: Duration.days(7),
        },
      ],
    });
    Validations.of(this.logBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the access-log bucket itself; logging it into itself would loop and logging it elsewhere would need a third bucket with the same question.',
    });

    this.bucket = new s3.Bucket(this, 'SiteBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      versioned: true,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 's3-access/site/',
      removalPolicy: config.removalPolicy,
      // Pruned files of earlier deployments stay restorable for a month.
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
    });

    const spaRewrite = new cloudfront.Function(this, 'SpaRewrite', {
      comment: 'Serve /index.html for extension-less app routes',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(SPA_REWRITE_CODE),
    });

    const securityHeaders = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: `shipcaptaincrew ${config.stage} security headers`,
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: contentSecurityPolicy(props.photoOrigin), override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          preload: true,
          override: true,
        },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
      },
    });

    const apiOrigin = new origins.HttpOrigin(
      `${props.httpApiId}.execute-api.${stack.region}.${stack.urlSuffix}`,
      {
        protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
        originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
        // CloudFront overwrites a viewer's header of the same name, so only CloudFront can send it.
        customHeaders: { [props.originVerify.headerName]: props.originVerify.value },
      },
    );
    // API responses are per user: never cached. Every viewer header, cookie and
    // query string reaches the API, except Host (API Gateway routes on its own
    // host name).
    const apiBehavior: cloudfront.BehaviorOptions = {
      origin: apiOrigin,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: securityHeaders,
    };

    const domain = config.appDomain;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `shipcaptaincrew ${config.stage}`,
      defaultRootObject: 'index.html',
      // Static files: CachingOptimized honours the Cache-Control metadata set
      // by the two BucketDeployments below (a year for /assets/*, no-cache for
      // index.html, sw.js, manifest.webmanifest and the other unhashed files).
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: securityHeaders,
        functionAssociations: [
          { function: spaRewrite, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST },
        ],
      },
      additionalBehaviors: {
        '/api/*': apiBehavior,
        '/auth/*': apiBehavior,
        // Calendar feeds (/cal/<token>.ics): per person, answered by the api function.
        '/cal/*': apiBehavior,
      },
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      ...(domain
        ? {
            domainNames: [domain.domainName],
            certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', domain.certificateArn),
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
    });
    this.url = `https://${domain ? domain.domainName : this.distribution.distributionDomainName}`;

    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'No geo restriction: crew sign in from wherever the boats and trucks are.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'No WAF web ACL: a small internal crew app; the HTTP API stage is throttled and sign-in is rate limited per address and IP by the application. Add a web ACL if abuse appears.',
      },
    );
    if (!domain) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'Without a custom domain the distribution uses the default *.cloudfront.net certificate, whose minimum protocol version CloudFront fixes (TLSv1); configure appDomain to get TLSv1.2_2021.',
      });
    }

    this.deployContent(props.frontendDist, config);
  }

  // Upload the web app and invalidate the cache at deploy time. Two
  // deployments from one bundle so each file gets the right Cache-Control:
  // hashed /assets/* for a year (immutable), everything else (index.html,
  // sw.js, manifest.webmanifest, icons) no-cache, i.e. revalidated every time.
  private deployContent(frontendDist: string, config: StageConfig): void {
    const stack = Stack.of(this);
    const bundle = new s3assets.Asset(this, 'Bundle', { path: frontendDist });
    const source = s3deploy.Source.bucket(bundle.bucket, bundle.s3ObjectKey);

    // The deployment handler gets an explicit role whose policy lists exact
    // actions on exact resources. It is passed to BucketDeployment as an
    // immutable role, so the construct cannot add its default grants (which
    // use wildcard actions such as s3:GetObject*, s3:List*, s3:DeleteObject*
    // and cloudfront:CreateInvalidation on "*").
    const logGroup = new logs.LogGroup(this, 'DeployLogs', {
      retention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });
    const role = new iam.Role(this, 'DeployRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Uploads the web app to the site bucket and invalidates CloudFront',
    });
    const statements: [string, string[], string[]][] = [
      ['WriteOwnLogs', ['logs:CreateLogStream', 'logs:PutLogEvents'], [logGroup.logGroupArn]],
      ['ReadBundle', ['s3:GetObject'], [bundle.bucket.arnForObjects(bundle.s3ObjectKey)]],
      ['ListSite', ['s3:ListBucket'], [this.bucket.bucketArn]],
      [
        'WriteSite',
        ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
        [this.bucket.arnForObjects('*')],
      ],
      [
        'InvalidateCache',
        ['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation'],
        [
          stack.formatArn({
            service: 'cloudfront',
            region: '',
            resource: 'distribution',
            resourceName: this.distribution.distributionId,
          }),
        ],
      ],
    ];
    for (const [sid, actions, resources] of statements) {
      role.addToPolicy(new iam.PolicyStatement({ sid, actions, resources }));
    }

    const common = {
      sources: [source],
      destinationBucket: this.bucket,
      role: role.withoutPolicyUpdates(),
      logGroup,
    };
    const hashedAssets = new s3deploy.BucketDeployment(this, 'DeployHashedAssets', {
      ...common,
      exclude: ['*'],
      include: ['assets/*'],
      // Keep the previous releases' chunks: a client still running the old
      // index.html (or service worker) can then load what it references.
      prune: false,
      cacheControl: [s3deploy.CacheControl.fromString(HASHED_ASSETS_CACHE_CONTROL)],
    });
    const appShell = new s3deploy.BucketDeployment(this, 'DeployAppShell', {
      ...common,
      // Excluded paths are also exempt from pruning, so /assets/* survives.
      exclude: ['assets/*'],
      prune: true,
      cacheControl: [s3deploy.CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: ['/*'],
    });
    // The new shell must not be served before the assets it references exist,
    // and neither deployment may run before its role's policy exists.
    appShell.node.addDependency(hashedAssets);
    hashedAssets.node.addDependency(role);
    appShell.node.addDependency(role);

    acknowledgeWildcardResource(
      role,
      this.bucket.arnForObjects('*'),
      'The deployment handler syncs the whole web app: it reads, writes and deletes any object of the site bucket (and only there).',
    );
    // The handler is a singleton (one per stack) that BucketDeployment adds at
    // stack level; its runtime is chosen by aws-cdk-lib.
    for (const child of stack.node.children) {
      if (child.node.id.startsWith('Custom::CDKBucketDeployment')) {
        Validations.of(child).acknowledge({
          id: 'AwsSolutions-L1',
          reason:
            "The BucketDeployment handler's Python runtime is pinned by aws-cdk-lib (updated with it); it runs only during deployments.",
        });
      }
    }
  }
}
