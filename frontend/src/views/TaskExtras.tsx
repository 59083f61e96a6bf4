// Notes and photos on checklist tasks, as the event screen shows them: the inline panel where a
// note and up to 3 photos are made ready for the next tick of a task, the note and thumbnails a
// task (or a line of its history) carries, and a full-screen view of one photo. Photos still on
// the phone (picked, or waiting in the queue) show through object URLs of their blobs; photos on
// the server through the presigned URLs the event carries.

import { useEffect, useRef, useState } from 'preact/hooks';
import { NotAPhotoError, preparePhoto, type PreparedPhoto } from '../imaging';
import { attachmentWords, checkNote, MAX_PHOTOS, photoCount, takePhotos } from '../photos';

export interface DraftPhoto extends PreparedPhoto {
  /** Stable within the screen, for keys and removal. */
  key: number;
}

/** What the next tick of a task will carry. */
export interface Draft {
  note: string;
  photos: DraftPhoto[];
  /** Photos picked and still being scaled down. */
  preparing: number;
  /** Something to tell about the last pick (left out, unreadable). */
  message: string | null;
}

const EMPTY: Draft = { note: '', photos: [], preparing: 0, message: null };

export function hasContent(d: Draft | undefined): d is Draft {
  return !!d && (d.note.trim() !== '' || d.photos.length > 0 || d.preparing > 0);
}

/** The drafts of every task on the screen, and the scaling down of picked photos, one at a time. */
export function useDrafts() {
  const [drafts, setDrafts] = useState<Record<string, Draft>>({});
  // The latest drafts, for code that awaits (a tap while a photo is still being scaled down).
  const latest = useRef(drafts);
  const work = useRef(new Map<string, Promise<void>>());
  const keys = useRef(0);

  const update = (taskId: string, change: (d: Draft) => Draft | null) => {
    const next = { ...latest.current };
    const d = change(latest.current[taskId] ?? EMPTY);
    if (d) next[taskId] = d;
    else delete next[taskId];
    latest.current = next;
    setDrafts(next);
  };

  const pick = (taskId: string, files: File[]) => {
    const d = latest.current[taskId] ?? EMPTY;
    const { take, left } = takePhotos(d.photos.length + d.preparing, files.length);
    const chosen = files.slice(0, take);
    update(taskId, (x) => ({ ...x, preparing: x.preparing + chosen.length, message: left }));
    // One photo at a time: a phone decoding three 12 MP images at once runs out of memory.
    let chain = work.current.get(taskId) ?? Promise.resolve();
    for (const file of chosen) {
      chain = chain.then(async () => {
        try {
          const photo = await preparePhoto(file);
          update(taskId, (x) => ({ ...x, preparing: x.preparing - 1, photos: [...x.photos, { ...photo, key: ++keys.current }] }));
        } catch (e) {
          const message = e instanceof NotAPhotoError || e instanceof Error ? e.message : String(e);
          update(taskId, (x) => ({ ...x, preparing: x.preparing - 1, message }));
        }
      });
    }
    work.current.set(taskId, chain);
  };

  return {
    drafts,
    get: (taskId: string): Draft | undefined => latest.current[taskId],
    setNote: (taskId: string, note: string) => update(taskId, (x) => ({ ...x, note })),
    pick,
    remove: (taskId: string, key: number) =>
      update(taskId, (x) => ({ ...x, photos: x.photos.filter((p) => p.key !== key), message: null })),
    say: (taskId: string, message: string | null) => update(taskId, (x) => ({ ...x, message })),
    /** The draft once every photo picked so far is ready. */
    ready: async (taskId: string): Promise<Draft | undefined> => {
      await work.current.get(taskId);
      return latest.current[taskId];
    },
    /** Forgets what a tick took (a note or photo added meanwhile stays). */
    sent: (taskId: string, took: Draft) =>
      update(taskId, (x) => {
        const photos = x.photos.filter((p) => !took.photos.some((t) => t.key === p.key));
        const note = x.note === took.note ? '' : x.note;
        return note || photos.length || x.preparing ? { ...x, note, photos } : null;
      }),
    discard: (taskId: string) => update(taskId, () => null),
  };
}

/** An image from a URL or a blob still on the phone; says so instead of a broken icon. */
export function SourceImage({ src, alt, class: className }: { src: string | Blob; alt: string; class?: string }) {
  const [url, setUrl] = useState<string | null>(typeof src === 'string' ? src : null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    setFailed(false);
    if (typeof src === 'string') {
      setUrl(src);
      return;
    }
    const u = URL.createObjectURL(src);
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [src]);
  if (failed) return <span class="photo-missing">Photo not loaded (no signal, or the link expired)</span>;
  if (!url) return null;
  return <img class={className} src={url} alt={alt} decoding="async" onError={() => setFailed(true)} />;
}

export interface ShownPhoto {
  key: string;
  thumb: string | Blob;
  full: string | Blob;
}

/** Thumbnails in a row; a tap opens the full image. */
export function PhotoStrip({
  photos,
  label,
  onOpen,
}: {
  photos: ShownPhoto[];
  label: string;
  onOpen: (photo: ShownPhoto, alt: string) => void;
}) {
  if (photos.length === 0) return null;
  return (
    <ul class="plain photo-strip">
      {photos.map((p, i) => {
        const alt = `Photo ${i + 1} of ${photos.length}: ${label}`;
        return (
          <li key={p.key}>
            <button type="button" class="photo-thumb" aria-label={`Open ${alt.charAt(0).toLowerCase()}${alt.slice(1)}`} onClick={() => onOpen(p, alt)}>
              <SourceImage class="photo" src={p.thumb} alt="" />
            </button>
          </li>
        );
      })}
    </ul>
  );
}

/** A tick's note and photos under a task or a line of the history. */
export function Attachments({
  note,
  photos,
  label,
  onOpen,
}: {
  note: string | null | undefined;
  photos: ShownPhoto[];
  label: string;
  onOpen: (photo: ShownPhoto, alt: string) => void;
}) {
  const text = note?.trim();
  if (!text && photos.length === 0) return null;
  return (
    <div class="attachments">
      {text && <p class="task-note">{text}</p>}
      <PhotoStrip photos={photos} label={label} onOpen={onOpen} />
    </div>
  );
}

/** One photo over the whole screen, closed with its button or Escape. */
export function PhotoViewer({ src, alt, onClose }: { src: string | Blob; alt: string; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog ref={ref} class="photo-viewer" aria-label={alt} onClose={onClose}>
      <SourceImage class="photo-full" src={src} alt={alt} />
      <div class="actions">
        <button type="button" class="btn btn-secondary" onClick={() => ref.current?.close()}>
          Close
        </button>
      </div>
    </dialog>
  );
}

/**
 * The inline panel under a task: a note (280 characters, with a counter) and up to 3 photos
 * (camera or library), with previews to remove; its button ticks (or unticks) the task with them,
 * as a tap on the checkbox would.
 */
export function TaskPanel({
  taskId,
  title,
  done,
  draft,
  onNote,
  onPick,
  onRemove,
  onTick,
  onDiscard,
  onOpen,
}: {
  taskId: string;
  title: string;
  done: boolean;
  draft: Draft | undefined;
  onNote: (note: string) => void;
  onPick: (files: File[]) => void;
  onRemove: (key: number) => void;
  onTick: () => void;
  onDiscard: () => void;
  onOpen: (photo: ShownPhoto, alt: string) => void;
}) {
  const d = draft ?? EMPTY;
  const check = checkNote(d.note);
  const room = MAX_PHOTOS - d.photos.length - d.preparing;
  const noteId = `note-${taskId}`;
  const pickId = `photo-${taskId}`;
  const words = attachmentWords(d.note, d.photos.length);
  return (
    <div class="task-panel" role="group" aria-label={`Note and photos for “${title}”`}>
      <label for={noteId} class="task-panel-label">
        Note
      </label>
      <textarea
        id={noteId}
        rows={2}
        value={d.note}
        aria-invalid={check.ok ? undefined : 'true'}
        aria-describedby={`${noteId}-count`}
        placeholder="Fuel 3/4, scratch on the port bow…"
        onInput={(e) => onNote((e.target as HTMLTextAreaElement).value)}
      />
      <p id={`${noteId}-count`} class={`note-count${check.ok ? '' : ' error-text'}`} aria-live="polite">
        {check.error ?? check.counter}
      </p>
      {d.photos.length > 0 && (
        <ul class="plain photo-strip">
          {d.photos.map((p, i) => (
            <li key={p.key} class="photo-draft">
              <button
                type="button"
                class="photo-thumb"
                aria-label={`Open photo ${i + 1} of ${d.photos.length} for “${title}”`}
                onClick={() => onOpen({ key: String(p.key), thumb: p.thumb, full: p.full }, `Photo ${i + 1} for “${title}”`)}
              >
                <SourceImage class="photo" src={p.thumb} alt="" />
              </button>
              <button type="button" class="btn btn-secondary btn-small photo-remove" aria-label={`Remove photo ${i + 1}`} onClick={() => onRemove(p.key)}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      {d.preparing > 0 && (
        <p class="small" role="status">
          Getting {d.preparing === 1 ? 'the photo' : `${d.preparing} photos`} ready…
        </p>
      )}
      {d.message && (
        <p class="small" role="status">
          {d.message}
        </p>
      )}
      <div class="actions">
        {room > 0 && (
          <span class="photo-pick">
            <input
              id={pickId}
              class="visually-hidden"
              type="file"
              accept="image/*"
              capture="environment"
              multiple
              onChange={(e) => {
                const input = e.target as HTMLInputElement;
                const files = [...(input.files ?? [])];
                // The same photo may be picked again after a removal.
                input.value = '';
                if (files.length) onPick(files);
              }}
            />
            <label for={pickId} class="btn btn-secondary btn-small">
              {d.photos.length + d.preparing === 0 ? 'Add photo' : `Add photo (${room} more)`}
            </label>
          </span>
        )}
        <button type="button" class="btn btn-primary btn-small" disabled={!check.ok || d.preparing > 0} onClick={onTick}>
          {done ? 'Untick' : 'Tick'}
          {words ? ` ${words}` : ''}
        </button>
        <button type="button" class="btn btn-secondary btn-small" onClick={onDiscard}>
          {words ? 'Discard' : 'Close'}
        </button>
      </div>
      <p class="small">
        {room <= 0 ? `${photoCount(MAX_PHOTOS)} is the most one tick carries. ` : ''}Saved on this phone with the tick, and sent when
        there is signal.
      </p>
    </div>
  );
}
