// The deployed table must match crates/store-dynamodb/table.json, the schema
// the Rust store uses locally. The expected values below come from reading
// that file here, not from the stack's own loader.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TABLE_SCHEMA_FILE } from '../lib/paths';
import { loadTableSchema } from '../lib/table-schema';
import { STAGES_UNDER_TEST, resourcesOfType, synth } from './helpers';

const schema = JSON.parse(fs.readFileSync(TABLE_SCHEMA_FILE, 'utf8'));

const keySchema = (pk: { name: string } | undefined, sk: { name: string } | undefined) => [
  ...(pk ? [{ AttributeName: pk.name, KeyType: 'HASH' }] : []),
  ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' }] : []),
];

function expectedAttributeDefinitions() {
  const defs = new Map<string, string>();
  const add = (k?: { name: string; type: string }) => k && defs.set(k.name, k.type);
  add(schema.partitionKey);
  add(schema.sortKey);
  for (const g of schema.globalSecondaryIndexes ?? []) {
    add(g.partitionKey);
    add(g.sortKey);
  }
  for (const l of schema.localSecondaryIndexes ?? []) add(l.sortKey);
  return [...defs].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType }));
}

const byName = <T extends { AttributeName?: string; IndexName?: string }>(xs: T[]) =>
  [...xs].sort((a, b) => String(a.AttributeName ?? a.IndexName).localeCompare(String(b.AttributeName ?? b.IndexName)));

describe.each(STAGES_UNDER_TEST)('table (%s)', (stage) => {
  const { json } = synth(stage);
  const tables = resourcesOfType(json, 'AWS::DynamoDB::Table');
  const [, table] = tables[0];
  const p = table.Properties;

  it('is the only table', () => {
    expect(tables).toHaveLength(1);
  });

  it('has the key schema of table.json', () => {
    expect(p.KeySchema).toEqual(keySchema(schema.partitionKey, schema.sortKey));
    expect(byName(p.AttributeDefinitions)).toEqual(byName(expectedAttributeDefinitions()));
  });

  it('has the TTL attribute of table.json', () => {
    expect(p.TimeToLiveSpecification).toEqual({ AttributeName: schema.ttlAttribute, Enabled: true });
  });

  it('has the global secondary indexes of table.json', () => {
    const expected = (schema.globalSecondaryIndexes ?? []).map((g: any) => ({
      IndexName: g.name,
      KeySchema: keySchema(g.partitionKey, g.sortKey),
      Projection: { ProjectionType: g.projection },
    }));
    expect(byName(p.GlobalSecondaryIndexes ?? [])).toEqual(byName(expected));
  });

  it('has the local secondary indexes of table.json', () => {
    const expected = (schema.localSecondaryIndexes ?? []).map((l: any) => ({
      IndexName: l.name,
      KeySchema: keySchema(schema.partitionKey, l.sortKey),
      Projection: { ProjectionType: l.projection },
    }));
    expect(byName(p.LocalSecondaryIndexes ?? [])).toEqual(byName(expected));
  });

  it('is on demand, point-in-time recoverable, encrypted with the AWS-managed key', () => {
    expect(p.BillingMode).toBe('PAY_PER_REQUEST');
    expect(p.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(p.SSESpecification).toEqual({ SSEEnabled: true });
  });

  it('is protected from deletion in prod only', () => {
    if (stage === 'prod') {
      expect(p.DeletionProtectionEnabled).toBe(true);
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
    } else {
      expect(p.DeletionProtectionEnabled).toBe(false);
      expect(table.DeletionPolicy).toBe('Delete');
      expect(table.UpdateReplacePolicy).toBe('Delete');
    }
  });
});

describe('table.json loader', () => {
  it('reads the shared file', () => {
    expect(loadTableSchema().partitionKey).toEqual(schema.partitionKey);
  });

  it('rejects an unknown key type', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'table-json-'));
    const file = path.join(dir, 'table.json');
    fs.writeFileSync(file, JSON.stringify({ ...schema, partitionKey: { name: 'org_id', type: 'X' } }));
    expect(() => loadTableSchema(file)).toThrow(/partitionKey.type/);
  });
});
