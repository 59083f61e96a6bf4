// The pure part of notes and photos on a tick: the sizes a photo is drawn at, the note's limit
// and counter, how many picked files fit, and the words the screens use. Tables, one helper each.
import { describe, expect, it } from 'vitest';
import {
  attachmentWords,
  checkNote,
  FULL_EDGE,
  fitWithin,
  MAX_BYTES,
  MAX_THUMB_BYTES,
  NOTE_MAX,
  noteLength,
  photoIndexOf,
  photoSizes,
  takePhotos,
  THUMB_EDGE,
  withinLimit,
} from '../src/photos';

describe('photo sizes', () => {
  // [source w, h] -> [full w, h], [thumb w, h]
  const table: Array<[string, [number, number], [number, number], [number, number]]> = [
    ['12 MP landscape (4032 x 3024)', [4032, 3024], [1600, 1200], [320, 240]],
    ['12 MP portrait, already turned upright', [3024, 4032], [1200, 1600], [240, 320]],
    ['square', [3000, 3000], [1600, 1600], [320, 320]],
    ['panorama', [12000, 2000], [1600, 267], [320, 53]],
    ['a very thin strip keeps at least one pixel', [10000, 2], [1600, 1], [320, 1]],
    ['exactly the full edge: kept', [1600, 900], [1600, 900], [320, 180]],
    ['smaller than the full edge: never enlarged', [1024, 768], [1024, 768], [320, 240]],
    ['smaller than a thumbnail: kept as is both times', [200, 100], [200, 100], [200, 100]],
    ['fractional sizes are whole pixels', [1000.4, 499.6], [1000, 500], [320, 160]],
    ['a zero size reads as one pixel', [0, 0], [1, 1], [1, 1]],
  ];
  it.each(table)('%s', (_name, [w, h], [fw, fh], [tw, th]) => {
    const got = photoSizes({ width: w, height: h });
    expect(got.full).toEqual({ width: fw, height: fh });
    expect(got.thumb).toEqual({ width: tw, height: th });
    expect(Math.max(got.full.width, got.full.height)).toBeLessThanOrEqual(FULL_EDGE);
    expect(Math.max(got.thumb.width, got.thumb.height)).toBeLessThanOrEqual(THUMB_EDGE);
  });
  it('keeps the proportions: the short side is the exact scaled length, rounded', () => {
    for (const [w, h] of [
      [4032, 3024],
      [1234, 5678],
      [7, 3000],
    ] as const) {
      const got = fitWithin({ width: w, height: h }, 320);
      const scale = 320 / Math.max(w, h);
      expect(Math.abs(got.width - Math.max(1, w * scale))).toBeLessThanOrEqual(0.5);
      expect(Math.abs(got.height - Math.max(1, h * scale))).toBeLessThanOrEqual(0.5);
    }
  });
});

describe('size limits the server holds uploads to', () => {
  const table: Array<[number, 'full' | 'thumb', boolean]> = [
    [0, 'full', false],
    [1, 'full', true],
    [MAX_BYTES, 'full', true],
    [MAX_BYTES + 1, 'full', false],
    [0, 'thumb', false],
    [MAX_THUMB_BYTES, 'thumb', true],
    [MAX_THUMB_BYTES + 1, 'thumb', false],
  ];
  it.each(table)('%d bytes as %s: %s', (bytes, part, ok) => expect(withinLimit(bytes, part)).toBe(ok));
  it('stays under both readings of "5 MB" and "256 KB"', () => {
    expect(MAX_BYTES).toBeLessThanOrEqual(5 * 1024 * 1024);
    expect(MAX_THUMB_BYTES).toBeLessThanOrEqual(256 * 1024);
  });
});

describe('the note', () => {
  const table: Array<[string, string, boolean, string]> = [
    ['empty', '', true, `0 / ${NOTE_MAX}`],
    ['short', 'Fuel 3/4, topped up', true, `19 / ${NOTE_MAX}`],
    ['exactly the limit', 'x'.repeat(NOTE_MAX), true, `280 / ${NOTE_MAX}`],
    ['one over', 'x'.repeat(NOTE_MAX + 1), false, `281 / ${NOTE_MAX}`],
    ['spaces around do not count', `   ${'x'.repeat(NOTE_MAX)}  \n`, true, `280 / ${NOTE_MAX}`],
    // An emoji is one character to the server (Unicode scalars), two UTF-16 units to JavaScript.
    ['emoji count once', '⛽'.repeat(NOTE_MAX), true, `280 / ${NOTE_MAX}`],
    ['astral emoji count once', '🛟'.repeat(NOTE_MAX), true, `280 / ${NOTE_MAX}`],
    ['astral emoji, one over', '🛟'.repeat(NOTE_MAX + 1), false, `281 / ${NOTE_MAX}`],
  ];
  it.each(table)('%s', (_name, note, ok, counter) => {
    const got = checkNote(note);
    expect(got.ok).toBe(ok);
    expect(got.counter).toBe(counter);
    expect(got.error === null).toBe(ok);
  });
  it('says by how much it is too long', () => {
    expect(checkNote('x'.repeat(NOTE_MAX + 1)).error).toBe('The note is 1 character too long (280 at most).');
    expect(checkNote('x'.repeat(NOTE_MAX + 12)).error).toBe('The note is 12 characters too long (280 at most).');
  });
  it('counts characters, not UTF-16 units', () => {
    expect(noteLength('🛟a')).toBe(2);
    expect('🛟a'.length).toBe(3);
  });
});

describe('picking photos', () => {
  const table: Array<[number, number, number, string | null]> = [
    [0, 1, 1, null],
    [0, 3, 3, null],
    [1, 2, 2, null],
    [0, 5, 3, '3 photos at most per tick: 2 were left out.'],
    [2, 2, 1, '3 photos at most per tick: 1 was left out.'],
    [3, 1, 0, '3 photos at most per tick: 1 was left out.'],
    [0, 0, 0, null],
  ];
  it.each(table)('with %d, picking %d takes %d', (have, picked, take, left) => {
    expect(takePhotos(have, picked)).toEqual({ take, left });
  });
});

describe('words', () => {
  const table: Array<[string | null, number, string]> = [
    [null, 0, ''],
    ['', 0, ''],
    ['  ', 0, ''],
    ['Fuel 3/4', 0, 'with a note'],
    [null, 1, 'with 1 photo'],
    ['Scratch on the hull', 2, 'with a note and 2 photos'],
  ];
  it.each(table)('note %j and %d photos: %j', (note, n, words) => expect(attachmentWords(note, n)).toBe(words));
  it("reads a photo's field name", () => {
    expect(photoIndexOf('photos/0')).toBe(0);
    expect(photoIndexOf('photos/2')).toBe(2);
    expect(photoIndexOf('photos')).toBeNull();
    expect(photoIndexOf('note')).toBeNull();
  });
});
