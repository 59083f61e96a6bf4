// The event list, refreshed with conditional reads against the copy saved on the phone: each page
// goes with its ETag as If-None-Match, a 304 keeps the saved page, and only a changed list is
// written back in full. On a dock's one bar of signal an unchanged list costs a few headers.

import { listEvents } from './api';
import { loadEventList, saveEventList, type Scope } from './cache';
import type { EventSummary } from './types';

export interface Refreshed {
  events: EventSummary[];
  /** The server confirmed the saved list: nothing to re-render. */
  unchanged: boolean;
}

/** Reads the list of events departing `from`..`to` (local dates, inclusive), reusing the saved
 * copy's pages the server says are unchanged, and saves what it read. Throws what `listEvents`
 * throws (OfflineError, ApiError); the saved copy is then left as it was. */
export async function refreshEventList(scope: Scope, from: string, to: string): Promise<Refreshed> {
  const saved = await loadEventList(scope);
  const sameRange = saved?.range?.from === from && saved.range.to === to;
  const got = await listEvents(from, to, sameRange ? (saved?.pages ?? []) : []);
  if (got.unchanged && saved) {
    // Kept as it was; saved again only to record that the server confirmed it just now.
    await saveEventList(scope, saved.data, { range: { from, to }, pages: saved.pages ?? got.pages });
    return { events: saved.data, unchanged: true };
  }
  await saveEventList(scope, got.events, { range: { from, to }, pages: got.pages });
  return { events: got.events, unchanged: false };
}
