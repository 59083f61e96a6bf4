// Notes and photos on a tick, the pure part: the limits the server holds a tick to, the sizes a
// photo is scaled to before it is stored or uploaded, and how the screens word them. No DOM here
// (src/imaging.ts does the drawing), so all of it is unit-tested.

/** A tick's note, in characters as people count them (the server counts Unicode scalars). */
export const NOTE_MAX = 280;
/** Photos one tick may carry. */
export const MAX_PHOTOS = 3;
/** The full image's long side, in pixels: enough to read a gauge, small enough for one bar. */
export const FULL_EDGE = 1600;
/** The thumbnail's long side: sharp at ~100 CSS px on a 3x phone screen. */
export const THUMB_EDGE = 320;
/** JPEG quality of both; lowered step by step only if a full image would pass the limit. */
export const JPEG_QUALITY = 0.8;
export const FALLBACK_QUALITIES = [0.65, 0.5, 0.35] as const;
/**
 * What the server takes (`bytes` 1 B..5 MB, `thumb_bytes` 1 B..256 KB). Decimal here: whether the
 * server means 5,000,000 or 5,242,880, staying under the smaller is never refused.
 */
export const MAX_BYTES = 5_000_000;
export const MAX_THUMB_BYTES = 256_000;

export type PhotoType = 'image/jpeg' | 'image/png' | 'image/webp';

export interface Size {
  width: number;
  height: number;
}

/**
 * The size an image of `source` size is drawn at so that its long side is at most `edge`:
 * proportions kept, never enlarged, whole pixels, at least 1 x 1.
 */
export function fitWithin(source: Size, edge: number): Size {
  const w = Math.max(1, Math.round(source.width));
  const h = Math.max(1, Math.round(source.height));
  const long = Math.max(w, h);
  if (long <= edge) return { width: w, height: h };
  const scale = edge / long;
  return {
    width: w >= h ? edge : Math.max(1, Math.round(w * scale)),
    height: h > w ? edge : Math.max(1, Math.round(h * scale)),
  };
}

/** Both sizes a picked photo becomes: the full image and its thumbnail. */
export function photoSizes(source: Size): { full: Size; thumb: Size } {
  return { full: fitWithin(source, FULL_EDGE), thumb: fitWithin(source, THUMB_EDGE) };
}

/** A blob's size is one the server takes for that part (so it is worth declaring). */
export function withinLimit(bytes: number, part: 'full' | 'thumb'): boolean {
  return bytes >= 1 && bytes <= (part === 'full' ? MAX_BYTES : MAX_THUMB_BYTES);
}

/** Characters as the server counts them: an emoji is one, not two UTF-16 units. */
export function noteLength(note: string): number {
  let n = 0;
  for (const _ of note) n++;
  return n;
}

/** The note as sent: trimmed; empty means "no note" (the field is then left out of the tick). */
export function cleanNote(note: string): string {
  return note.trim();
}

export interface NoteCheck {
  ok: boolean;
  /** The counter under the field: "12 / 280", or how many too many. */
  counter: string;
  /** Why it cannot be sent, for people; null when it can. */
  error: string | null;
}

export function checkNote(note: string): NoteCheck {
  const n = noteLength(cleanNote(note));
  if (n > NOTE_MAX) {
    const over = n - NOTE_MAX;
    return {
      ok: false,
      counter: `${n} / ${NOTE_MAX}`,
      error: `The note is ${over} ${over === 1 ? 'character' : 'characters'} too long (${NOTE_MAX} at most).`,
    };
  }
  return { ok: true, counter: `${n} / ${NOTE_MAX}`, error: null };
}

/** How many of `picked` files fit beside `have` photos, and what to say about the rest. */
export function takePhotos(have: number, picked: number): { take: number; left: string | null } {
  const room = Math.max(0, MAX_PHOTOS - have);
  const take = Math.min(room, picked);
  const out = picked - take;
  if (out === 0) return { take, left: null };
  return {
    take,
    left: `${MAX_PHOTOS} photos at most per tick: ${out} ${out === 1 ? 'was' : 'were'} left out.`,
  };
}

/** "1 photo", "2 photos". */
export function photoCount(n: number): string {
  return `${n} ${n === 1 ? 'photo' : 'photos'}`;
}

/** What a tick carries besides done or not, in words ("with a note and 2 photos"), or ''. */
export function attachmentWords(note: string | null | undefined, photos: number): string {
  const parts: string[] = [];
  if (note && note.trim()) parts.push('a note');
  if (photos > 0) parts.push(photoCount(photos));
  return parts.length ? `with ${parts.join(' and ')}` : '';
}

/** The server's field name for the n-th photo of a tick (`photos/0`) back to its index. */
export function photoIndexOf(field: string): number | null {
  const m = /^photos\/(\d+)$/.exec(field);
  return m ? Number(m[1]) : null;
}
