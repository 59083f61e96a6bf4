// The app's IndexedDB: `ops` (the offline tick queue, in order) and `snapshots` (the last-seen
// API answers, so events open offline). A thin promise layer over the raw API, nothing more.

export const DB_NAME = 'shipcaptaincrew';
export const DB_VERSION = 1;
export const OPS = 'ops';
export const SNAPSHOTS = 'snapshots';

export function openDb(factory: IDBFactory = indexedDB, name = DB_NAME): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = factory.open(name, DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(OPS)) {
        // seq: auto-increment, so the store's key order is the order ticks were made in.
        db.createObjectStore(OPS, { keyPath: 'seq', autoIncrement: true });
      }
      if (!db.objectStoreNames.contains(SNAPSHOTS)) {
        db.createObjectStore(SNAPSHOTS, { keyPath: 'key' });
      }
    };
    request.onsuccess = () => {
      const db = request.result;
      // Another tab upgrading the schema: let it, this tab reopens on its next use.
      db.onversionchange = () => db.close();
      resolve(db);
    };
    request.onerror = () => reject(request.error ?? new Error('cannot open IndexedDB'));
    request.onblocked = () => reject(new Error('IndexedDB is blocked by another tab'));
  });
}

/** Runs `body` in one transaction and resolves with its result once the transaction commits. */
export function tx<T>(
  db: IDBDatabase,
  stores: string | string[],
  mode: IDBTransactionMode,
  body: (t: IDBTransaction) => Promise<T> | T,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let t: IDBTransaction;
    try {
      t = db.transaction(stores, mode);
    } catch (e) {
      reject(e);
      return;
    }
    let result: T;
    let failed = false;
    t.oncomplete = () => {
      if (!failed) resolve(result);
    };
    t.onerror = () => reject(t.error ?? new Error('IndexedDB transaction failed'));
    t.onabort = () => reject(t.error ?? new Error('IndexedDB transaction aborted'));
    Promise.resolve()
      .then(() => body(t))
      .then((r) => {
        result = r;
      })
      .catch((e: unknown) => {
        failed = true;
        try {
          t.abort();
        } catch {
          /* already finished */
        }
        reject(e);
      });
  });
}

/** A request's result as a promise. */
export function req<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}
