#!/usr/bin/env node
// cdk.json: "app": "npx tsx bin/app.ts". Select the stage with -c stage=dev|prod.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { addStageStack } from '../lib/app';

const app = new App();
// cdk-nag AwsSolutions rules run at every synth: any finding that is not
// acknowledged (with a reason, next to the construct) fails synthesis.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
addStageStack(app);
app.synth();
