// Helpers for cdk-nag acknowledgements. Every acknowledgement names one rule
// (for IAM5: one exact wildcard resource) on one construct, with its reason.
import { Stack, Validations } from 'aws-cdk-lib';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges AwsSolutions-IAM5 for exactly one resource pattern (such as
 * `<table arn>/index/*`) in the policies under `construct`. The finding id is
 * derived the way cdk-nag derives it, so it cannot silently stop matching.
 */
export function acknowledgeWildcardResource(construct: IConstruct, resource: string, reason: string): void {
  const flat = flattenCfnReference(Stack.of(construct).resolve(resource));
  Validations.of(construct).acknowledge({ id: `AwsSolutions-IAM5[Resource::${flat}]`, reason });
}
