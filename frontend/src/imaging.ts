// Turns a photo picked on the phone into what is stored and uploaded: a JPEG at most 1600 px on
// its long side and a 320 px thumbnail (sizes from src/photos.ts). Done before anything is kept,
// so a 12 MP camera file never sits in IndexedDB or crosses a dock's one bar of signal. The
// camera's EXIF orientation is applied while decoding, so a portrait photo stays upright once the
// re-encoded JPEG (which has no EXIF) is all there is.

import { FALLBACK_QUALITIES, JPEG_QUALITY, photoSizes, withinLimit, type Size } from './photos';

export interface PreparedPhoto {
  full: Blob;
  thumb: Blob;
  content_type: 'image/jpeg';
}

export class NotAPhotoError extends Error {
  constructor() {
    super('That file could not be read as a photo. Pick a JPEG, PNG or WebP image.');
    this.name = 'NotAPhotoError';
  }
}

interface Decoded {
  source: CanvasImageSource;
  size: Size;
  close: () => void;
}

async function decode(file: Blob): Promise<Decoded> {
  if (typeof createImageBitmap === 'function') {
    try {
      const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
      return { source: bitmap, size: { width: bitmap.width, height: bitmap.height }, close: () => bitmap.close() };
    } catch {
      // Older engines refuse the options bag: an <img> decodes it, oriented as well.
    }
  }
  const url = URL.createObjectURL(file);
  const img = new Image();
  img.src = url;
  try {
    await img.decode();
  } catch {
    URL.revokeObjectURL(url);
    throw new NotAPhotoError();
  }
  // An <img> applies EXIF orientation (CSS image-orientation: from-image is the default).
  return { source: img, size: { width: img.naturalWidth, height: img.naturalHeight }, close: () => URL.revokeObjectURL(url) };
}

type Surface = OffscreenCanvas | HTMLCanvasElement;

function surface(size: Size): Surface {
  if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(size.width, size.height);
  const c = document.createElement('canvas');
  c.width = size.width;
  c.height = size.height;
  return c;
}

function draw(target: Surface, source: CanvasImageSource, size: Size): void {
  const ctx = target.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
  if (!ctx) throw new Error('This browser cannot resize photos (no canvas).');
  // JPEG has no transparency: a PNG's clear parts become white, not black.
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, size.width, size.height);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(source, 0, 0, size.width, size.height);
}

function jpeg(target: Surface, quality: number): Promise<Blob> {
  if ('convertToBlob' in target) return target.convertToBlob({ type: 'image/jpeg', quality });
  return new Promise((resolve, reject) =>
    target.toBlob((b) => (b ? resolve(b) : reject(new Error('The photo could not be encoded.'))), 'image/jpeg', quality),
  );
}

/** The full image and thumbnail of a picked photo, both JPEG. */
export async function preparePhoto(file: Blob): Promise<PreparedPhoto> {
  if (file.type && !file.type.startsWith('image/')) throw new NotAPhotoError();
  let decoded: Decoded;
  try {
    decoded = await decode(file);
  } catch (e) {
    throw e instanceof NotAPhotoError ? e : new NotAPhotoError();
  }
  try {
    if (decoded.size.width < 1 || decoded.size.height < 1) throw new NotAPhotoError();
    const sizes = photoSizes(decoded.size);
    const fullCanvas = surface(sizes.full);
    draw(fullCanvas, decoded.source, sizes.full);
    let full = await jpeg(fullCanvas, JPEG_QUALITY);
    for (const q of FALLBACK_QUALITIES) {
      if (withinLimit(full.size, 'full')) break;
      full = await jpeg(fullCanvas, q);
    }
    // From the 1600 px copy rather than the camera's original: two steps down alias less.
    const thumbCanvas = surface(sizes.thumb);
    draw(thumbCanvas, fullCanvas, sizes.thumb);
    let thumb = await jpeg(thumbCanvas, JPEG_QUALITY);
    if (!withinLimit(thumb.size, 'thumb')) thumb = await jpeg(thumbCanvas, FALLBACK_QUALITIES[FALLBACK_QUALITIES.length - 1]);
    if (!withinLimit(full.size, 'full') || !withinLimit(thumb.size, 'thumb')) {
      throw new Error('That photo is too detailed to send even made smaller.');
    }
    return { full, thumb, content_type: 'image/jpeg' };
  } finally {
    decoded.close();
  }
}
