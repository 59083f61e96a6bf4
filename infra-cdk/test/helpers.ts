// Shared by the tests: synthesize a stage exactly as bin/app.ts does, with the
// fixture Lambda binaries and web app, and small template walkers.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { addStageStack } from '../lib/app';
import type { Stage } from '../lib/config';
import { INFRA_DIR } from '../lib/paths';
import type { ShipCaptainCrewStack } from '../lib/shipcaptaincrew-stack';

export const STAGES_UNDER_TEST: Stage[] = ['dev', 'prod'];
export const ACCOUNT = '111111111111';
export const REGION = 'us-west-2';

/** cdk.json's context (feature flags), so tests synthesize what `cdk synth` does. */
export const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(
  fs.readFileSync(path.join(INFRA_DIR, 'cdk.json'), 'utf8'),
).context;

export const FIXTURE_CONTEXT = {
  lambdaAssetDir: 'test/fixtures/lambda',
  frontendDist: 'test/fixtures/frontend',
};

export function newApp(stage: Stage, extra: Record<string, unknown> = {}): App {
  return new App({ context: { ...CDK_JSON_CONTEXT, ...FIXTURE_CONTEXT, stage, ...extra } });
}

export interface Synthesized {
  stack: ShipCaptainCrewStack;
  template: Template;
  json: any;
}

const cache = new Map<Stage, Synthesized>();

/** One synthesis per stage per test file. */
export function synth(stage: Stage): Synthesized {
  let s = cache.get(stage);
  if (!s) {
    const stack = addStageStack(newApp(stage));
    const template = Template.fromStack(stack);
    s = { stack, template, json: template.toJSON() };
    cache.set(stage, s);
  }
  return s;
}

export function logicalId(construct: IConstruct): string {
  const child = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(construct).getLogicalId(child);
}

export function resourcesOfType(json: any, type: string): [string, any][] {
  return Object.entries(json.Resources as Record<string, any>).filter(([, r]) => r.Type === type);
}

export interface Statement {
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: unknown;
  NotResource?: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  Sid?: string;
}

export const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Every policy statement anywhere in the template, with where it was found. */
export function allStatements(json: any): { where: string; statement: Statement }[] {
  const out: { where: string; statement: Statement }[] = [];
  const visit = (node: unknown, where: string): void => {
    if (Array.isArray(node)) {
      node.forEach((n, i) => visit(n, `${where}[${i}]`));
    } else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === 'Statement' && Array.isArray(v)) {
          v.forEach((st, i) => out.push({ where: `${where}.Statement[${i}]`, statement: st as Statement }));
        } else {
          visit(v, `${where}.${k}`);
        }
      }
    }
  };
  for (const [id, r] of Object.entries(json.Resources as Record<string, any>)) {
    visit(r.Properties, `${id}(${r.Type})`);
  }
  return out;
}

/** Identity-policy statements of a role: its inline Policies plus every AWS::IAM::Policy attached to it. */
export function roleStatements(json: any, roleLogicalId: string): Statement[] {
  const role = json.Resources[roleLogicalId];
  const inline = asArray(role.Properties.Policies).flatMap((p: any) => p.PolicyDocument.Statement);
  const attached = resourcesOfType(json, 'AWS::IAM::Policy')
    .filter(([, p]) => asArray(p.Properties.Roles).some((r: any) => r.Ref === roleLogicalId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
  return [...inline, ...attached];
}

export const getAtt = (id: string, attr = 'Arn') => ({ 'Fn::GetAtt': [id, attr] });
export const ref = (id: string) => ({ Ref: id });
