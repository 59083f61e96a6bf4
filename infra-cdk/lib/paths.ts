// Filesystem locations the app reads at synth time.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FUNCTION_NAMES } from './config';

/** infra-cdk/: where cdk.json lives and where `cdk` runs. */
export const INFRA_DIR = path.resolve(__dirname, '..');
export const REPO_ROOT = path.resolve(INFRA_DIR, '..');

/** The single table's key schema, shared with the Rust store (crates/store-dynamodb). */
export const TABLE_SCHEMA_FILE = path.join(REPO_ROOT, 'crates', 'store-dynamodb', 'table.json');

/** `make build-lambdas` output: target/lambda/<fn>/bootstrap. */
export const DEFAULT_LAMBDA_ASSET_DIR = path.join(REPO_ROOT, 'target', 'lambda');
/** The built web app (vite build output). */
export const DEFAULT_FRONTEND_DIST = path.join(REPO_ROOT, 'frontend', 'dist');

/**
 * A directory given as context: absolute paths are taken as they are, relative
 * ones are resolved against infra-cdk/ (the directory `cdk` runs in), so
 * `-c lambdaAssetDir=test/fixtures/lambda` works from the CLI and from tests.
 */
export function resolveDir(value: unknown, fallback: string): string {
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value !== 'string') throw new Error(`Expected a path, got ${JSON.stringify(value)}`);
  return path.resolve(INFRA_DIR, value);
}

/** Fail synthesis early, with the command that fixes it, when a Lambda binary is missing. */
export function assertLambdaAssets(dir: string): void {
  const missing = FUNCTION_NAMES.map((fn) => path.join(dir, fn, 'bootstrap')).filter(
    (file) => !fs.existsSync(file),
  );
  if (missing.length > 0) {
    throw new Error(
      `Missing Lambda binaries:\n  ${missing.join('\n  ')}\n` +
        'Build them with `make build-lambdas` (repo root) or pass -c lambdaAssetDir=<dir>.',
    );
  }
}

export function assertFrontendDist(dir: string): void {
  if (!fs.existsSync(path.join(dir, 'index.html'))) {
    throw new Error(
      `Missing web app build: ${path.join(dir, 'index.html')} does not exist.\n` +
        'Build the frontend (frontend/dist) or pass -c frontendDist=<dir>.',
    );
  }
}
