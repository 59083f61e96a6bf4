// Reads crates/store-dynamodb/table.json, the key schema shared with the Rust
// store. Nothing here repeats its values: the stack and the tests both read the
// file, so the deployed table and the local one cannot drift apart.
import * as fs from 'node:fs';
import { TABLE_SCHEMA_FILE } from './paths';

export type KeyType = 'S' | 'N' | 'B';
export type Projection = 'ALL' | 'KEYS_ONLY' | 'INCLUDE';

export interface KeyAttribute {
  readonly name: string;
  readonly type: KeyType;
}

export interface GlobalIndexSchema {
  readonly name: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly projection: Projection;
  readonly nonKeyAttributes?: string[];
}

export interface LocalIndexSchema {
  readonly name: string;
  readonly sortKey: KeyAttribute;
  readonly projection: Projection;
  readonly nonKeyAttributes?: string[];
}

export interface TableSchema {
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly ttlAttribute?: string;
  readonly globalSecondaryIndexes: GlobalIndexSchema[];
  readonly localSecondaryIndexes: LocalIndexSchema[];
}

function fail(file: string, what: string): never {
  throw new Error(`${file}: ${what}`);
}

function key(file: string, where: string, value: unknown): KeyAttribute {
  const v = value as Partial<KeyAttribute> | undefined;
  if (!v || typeof v.name !== 'string' || v.name === '') fail(file, `${where}.name must be a non-empty string`);
  if (v.type !== 'S' && v.type !== 'N' && v.type !== 'B') fail(file, `${where}.type must be S, N or B`);
  return { name: v.name, type: v.type };
}

function projection(file: string, where: string, value: unknown): Projection {
  if (value === 'ALL' || value === 'KEYS_ONLY' || value === 'INCLUDE') return value;
  return fail(file, `${where}.projection must be ALL, KEYS_ONLY or INCLUDE`);
}

export function loadTableSchema(file: string = TABLE_SCHEMA_FILE): TableSchema {
  const raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  const gsis: unknown[] = raw.globalSecondaryIndexes ?? [];
  const lsis: unknown[] = raw.localSecondaryIndexes ?? [];
  return {
    partitionKey: key(file, 'partitionKey', raw.partitionKey),
    sortKey: raw.sortKey === undefined ? undefined : key(file, 'sortKey', raw.sortKey),
    ttlAttribute: raw.ttlAttribute,
    globalSecondaryIndexes: gsis.map((g: any, i) => ({
      name: g.name,
      partitionKey: key(file, `globalSecondaryIndexes[${i}].partitionKey`, g.partitionKey),
      sortKey: g.sortKey === undefined ? undefined : key(file, `globalSecondaryIndexes[${i}].sortKey`, g.sortKey),
      projection: projection(file, `globalSecondaryIndexes[${i}]`, g.projection),
      nonKeyAttributes: g.nonKeyAttributes,
    })),
    localSecondaryIndexes: lsis.map((l: any, i) => ({
      name: l.name,
      sortKey: key(file, `localSecondaryIndexes[${i}].sortKey`, l.sortKey),
      projection: projection(file, `localSecondaryIndexes[${i}]`, l.projection),
      nonKeyAttributes: l.nonKeyAttributes,
    })),
  };
}
