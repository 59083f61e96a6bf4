// The other side of the environment contract: every variable a Lambda's Rust code reads
// (`aws_env::env("X")`, `env_opt("X")`, `aws_env::secret(&sdk, "X")`,
// `SecretReader::from_env(sdk, "X")`) is set on that function.
// Reads the Rust sources, so renaming a variable on one side fails here.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FUNCTION_NAMES, type FunctionName } from '../lib/config';
import { INFRA_DIR } from '../lib/paths';
import { logicalId, synth } from './helpers';

const CRATES = path.resolve(INFRA_DIR, '..', 'crates');

/** The source files whose env reads run in each Lambda. */
const SOURCES: Record<FunctionName, string[]> = {
  // The api Lambda builds its sign-in service with magic_link::auth_from_env.
  api: ['api/src/main.rs', 'magic-link/src/lib.rs'],
  'magic-link': ['magic-link/src/main.rs', 'magic-link/src/lib.rs'],
  nudge: ['nudge/src/main.rs'],
  report: ['report/src/main.rs'],
};

function readsOf(name: FunctionName): Set<string> {
  const names = new Set<string>();
  for (const file of SOURCES[name]) {
    const text = readFileSync(path.join(CRATES, file), 'utf8');
    for (const m of text.matchAll(/\b(?:env|env_opt)\("([A-Z][A-Z0-9_]+)"\)|\b(?:secret|from_env)\(&?sdk, "([A-Z][A-Z0-9_]+)"\)/g)) {
      names.add(m[1] ?? m[2]);
    }
  }
  return names;
}

describe('the Rust Lambdas find every variable they read', () => {
  const { stack, json } = synth('dev');
  const fnIds = Object.fromEntries(
    FUNCTION_NAMES.map((n) => [n, logicalId(stack.functions[n].function)]),
  ) as Record<FunctionName, string>;
  for (const name of FUNCTION_NAMES) {
    it(name, () => {
      const reads = readsOf(name);
      expect(reads.size).toBeGreaterThan(2);
      const set = Object.keys(json.Resources[fnIds[name]].Properties.Environment.Variables);
      const missing = [...reads].filter((v) => !set.includes(v));
      expect(missing).toEqual([]);
    });
  }
});
