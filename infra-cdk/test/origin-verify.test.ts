// Issue 13: the HTTP API's execute-api URL must not be a way around CloudFront. CloudFront adds
// the origin secret's current value in `x-origin-verify` on both behaviours that reach the HTTP
// API; only the two functions behind it (api, magic-link) may read that secret, and no other
// role's policy names it.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { addStageStack } from '../lib/app';
import { FUNCTION_NAMES } from '../lib/config';
import { ORIGIN_VERIFY_HEADER } from '../lib/constructs/web-app';
import { INFRA_DIR } from '../lib/paths';
import { STAGES_UNDER_TEST, allStatements, asArray, logicalId, newApp, ref, resourcesOfType, synth } from './helpers';

const READERS = ['api', 'magic-link'] as const;

/** The dynamic reference CloudFront's header value must be: the secret's `current`, `version` if pinned. */
const dynamicReference = (secretId: string, version = '') => ({
  'Fn::Join': ['', ['{{resolve:secretsmanager:', ref(secretId), `:SecretString:current::${version}}}`]],
});

const distributionConfig = (json: any) => resourcesOfType(json, 'AWS::CloudFront::Distribution')[0][1].Properties.DistributionConfig;

const originOf = (config: any, behaviour: any) => config.Origins.find((o: any) => o.Id === behaviour.TargetOriginId);

describe.each(STAGES_UNDER_TEST)('origin secret (%s)', (stage) => {
  const { stack, template, json } = synth(stage);
  const secretId = logicalId(stack.node.findChild('OriginVerify'));
  const config = distributionConfig(json);

  it('is generated as {"current": <64 characters>}, the shape the functions parse', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: `shipcaptaincrew/${stage}/origin-verify`,
      GenerateSecretString: {
        SecretStringTemplate: '{}',
        GenerateStringKey: 'current',
        PasswordLength: 64,
        ExcludePunctuation: true,
      },
    });
  });

  it.each(['/api/*', '/auth/*', '/cal/*'])('behaviour %s sends the current value in x-origin-verify', (pattern) => {
    const behaviour = config.CacheBehaviors.find((b: any) => b.PathPattern === pattern);
    expect(behaviour, pattern).toBeDefined();
    expect(originOf(config, behaviour).OriginCustomHeaders).toEqual([
      { HeaderName: 'x-origin-verify', HeaderValue: dynamicReference(secretId) },
    ]);
  });

  it('routes every behaviour that reaches the HTTP API through an origin with the header', () => {
    const toApi = [config.DefaultCacheBehavior, ...config.CacheBehaviors].filter((b: any) =>
      JSON.stringify(originOf(config, b).DomainName).includes('.execute-api.'),
    );
    expect(toApi.map((b: any) => b.PathPattern).sort()).toEqual(['/api/*', '/auth/*', '/cal/*']);
    // The S3 origin does not get the secret.
    expect(originOf(config, config.DefaultCacheBehavior).OriginCustomHeaders).toBeUndefined();
  });

  it('is read by api and magic-link only: no other role, policy or resource names it', () => {
    const readerRoles = READERS.map((n) => logicalId(stack.functions[n].role));
    const mentions = allStatements(json)
      .filter(({ statement }) => JSON.stringify(statement).includes(`"${secretId}"`))
      .map(({ where, statement }) => ({ where, actions: asArray(statement.Action), resources: asArray(statement.Resource) }));
    const owners = mentions.map(({ where }) => {
      const [, policyId] = /^([^(]+)\(AWS::IAM::Policy\)/.exec(where) ?? [];
      const policy = json.Resources[policyId];
      return policy ? asArray(policy.Properties.Roles).map((r: any) => r.Ref) : [where];
    });
    expect(owners.flat().sort()).toEqual([...readerRoles].sort());
    for (const m of mentions) {
      expect(m.actions, m.where).toEqual(['secretsmanager:GetSecretValue']);
      expect(m.resources, m.where).toContainEqual(ref(secretId));
    }
    expect(resourcesOfType(json, 'AWS::SecretsManager::ResourcePolicy')).toEqual([]);
  });

  it('is named in the environment of api and magic-link only', () => {
    for (const name of FUNCTION_NAMES) {
      const env = json.Resources[logicalId(stack.functions[name].function)].Properties.Environment.Variables;
      if ((READERS as readonly string[]).includes(name)) {
        expect(env.ORIGIN_VERIFY_SECRET_ARN, name).toEqual(ref(secretId));
      } else {
        expect(JSON.stringify(env), name).not.toContain(secretId);
      }
    }
  });
});

describe('origin secret rotation', () => {
  it('pins the version CloudFront sends when deploy.sh passes originSecretVersion', () => {
    const version = 'EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE';
    const stack = addStageStack(newApp('dev', { originSecretVersion: version }));
    const json = Template.fromStack(stack).toJSON();
    const config = distributionConfig(json);
    const secretId = logicalId(stack.node.findChild('OriginVerify'));
    for (const behaviour of config.CacheBehaviors) {
      expect(originOf(config, behaviour).OriginCustomHeaders).toEqual([
        { HeaderName: 'x-origin-verify', HeaderValue: dynamicReference(secretId, version) },
      ]);
    }
  });
});

describe('the header name', () => {
  it('is the one the Rust origin check reads', () => {
    const rust = readFileSync(path.resolve(INFRA_DIR, '..', 'crates', 'web', 'src', 'origin.rs'), 'utf8');
    const [, name] = /pub const ORIGIN_VERIFY_HEADER: &str = "([^"]+)";/.exec(rust) ?? [];
    expect(name).toBe(ORIGIN_VERIFY_HEADER);
  });
});
