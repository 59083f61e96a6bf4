// Builds the app for one stage; shared by bin/app.ts and the tests so both
// synthesize exactly the same thing.
import { App } from 'aws-cdk-lib';
import { stageConfig } from './config';
import {
  DEFAULT_FRONTEND_DIST,
  DEFAULT_LAMBDA_ASSET_DIR,
  assertFrontendDist,
  assertLambdaAssets,
  resolveDir,
} from './paths';
import { ShipCaptainCrewStack } from './shipcaptaincrew-stack';
import { loadTableSchema } from './table-schema';

/**
 * Adds the stack selected by the app's context:
 *   stage           dev | prod (required)
 *   lambdaAssetDir  folder with <fn>/bootstrap (default <repo>/target/lambda)
 *   frontendDist    built web app (default <repo>/frontend/dist)
 *   originSecretVersion  the origin secret's version CloudFront sends (scripts/deploy.sh sets it)
 * Relative paths resolve against infra-cdk/.
 */
export function addStageStack(app: App): ShipCaptainCrewStack {
  const config = stageConfig(app.node.tryGetContext('stage'));
  const lambdaAssetDir = resolveDir(app.node.tryGetContext('lambdaAssetDir'), DEFAULT_LAMBDA_ASSET_DIR);
  const frontendDist = resolveDir(app.node.tryGetContext('frontendDist'), DEFAULT_FRONTEND_DIST);
  assertLambdaAssets(lambdaAssetDir);
  assertFrontendDist(frontendDist);

  return new ShipCaptainCrewStack(app, `shipcaptaincrew-${config.stage}`, {
    env: { account: config.account, region: config.region },
    description: `shipcaptaincrew ${config.stage}: crew operations and executive reporting`,
    config,
    tableSchema: loadTableSchema(),
    lambdaAssetDir,
    frontendDist,
    originSecretVersion: app.node.tryGetContext('originSecretVersion') || undefined,
  });
}
