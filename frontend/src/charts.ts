// The arithmetic and wording behind the report charts: scales, bar lengths, and how figures and
// their week-over-week changes read. Pure, so the unit tests pin them down; the SVG is drawn by
// views/charts.tsx.

/** The top of a scale: `max` rounded up to 1, 2, 2.5 or 5 times a power of ten (0 for nothing). */
export function niceMax(max: number): number {
  if (!Number.isFinite(max) || max <= 0) return 0;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) {
    const top = step * power;
    // Float noise (0.1 * 3) must not push a round number one step up.
    if (top >= max * (1 - 1e-9)) return Number(top.toPrecision(12));
  }
  return 10 * power;
}

/** The scale for a set of values: percentages run to 100 (further only if a value does). */
export function scaleMax(values: Array<number | null | undefined>, kind: 'percent' | 'amount' = 'amount'): number {
  const max = Math.max(0, ...values.map((v) => (v != null && Number.isFinite(v) ? v : 0)));
  if (kind === 'percent') return max <= 100 ? 100 : niceMax(max);
  return niceMax(max);
}

/**
 * A bar's length for `value` on a scale of `max` drawn `width` long: proportional, clipped to the
 * width, and at least `minVisible` for any value above zero so a small figure still shows a bar.
 */
export function barLength(value: number | null | undefined, max: number, width: number, minVisible = 2): number {
  if (value == null || !Number.isFinite(value) || value <= 0 || max <= 0) return 0;
  const length = (value / max) * width;
  return Math.min(width, Math.max(minVisible, Math.round(length * 10) / 10));
}

const money0 = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
const number1 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/** `$13,278` (whole dollars, as the emails round). */
export function formatMoney(cents: number | null | undefined): string {
  if (cents == null || !Number.isFinite(cents)) return '–';
  return money0.format(Math.round(cents / 100)).replace('-$', '−$');
}

/** `98.6%`, `100%`; `–` where there was nothing to measure (no departures, no tasks). */
export function formatPercent(p: number | null | undefined): string {
  return p == null || !Number.isFinite(p) ? '–' : `${number1.format(p)}%`;
}

/** `15.6 h` */
export function formatHours(h: number | null | undefined): string {
  return h == null || !Number.isFinite(h) ? '–' : `${number1.format(h)} h`;
}

export function formatCount(n: number | null | undefined): string {
  return n == null || !Number.isFinite(n) ? '–' : number1.format(n);
}

export type FigureKind = 'count' | 'percent' | 'money' | 'hours';

export function formatFigure(value: number | null | undefined, kind: FigureKind): string {
  switch (kind) {
    case 'percent':
      return formatPercent(value);
    case 'money':
      return formatMoney(value);
    case 'hours':
      return formatHours(value);
    case 'count':
      return formatCount(value);
  }
}

export interface Change {
  /** `+3`, `−4.2 pts`, `−$5,410 (−29%)`, `no change`, `no figure last week`. */
  text: string;
  direction: 'up' | 'down' | 'same' | 'none';
  /** Whether the move is good news: more revenue is, more safety misses are not. */
  tone: 'good' | 'bad' | 'neutral';
}

/**
 * How a figure moved from last week to this week. Percentages move in percentage points; money
 * and hours also say by how much relative to last week. `better` says which way is good news.
 */
export function change(
  now: number | null | undefined,
  last: number | null | undefined,
  kind: FigureKind,
  better: 'up' | 'down' | 'neither' = 'up',
): Change {
  if (now == null || last == null || !Number.isFinite(now) || !Number.isFinite(last)) {
    return { text: last == null ? 'no figure last week' : 'no figure this week', direction: 'none', tone: 'neutral' };
  }
  const delta = kind === 'money' ? Math.round(now / 100) - Math.round(last / 100) : Math.round((now - last) * 10) / 10;
  if (delta === 0) return { text: 'no change', direction: 'same', tone: 'neutral' };
  const direction = delta > 0 ? 'up' : 'down';
  const sign = delta > 0 ? '+' : '−';
  const size = Math.abs(delta);
  let text: string;
  switch (kind) {
    case 'percent':
      text = `${sign}${number1.format(size)} pts`;
      break;
    case 'money':
      text = `${sign}${money0.format(size)}`;
      break;
    case 'hours':
      text = `${sign}${number1.format(size)} h`;
      break;
    case 'count':
      text = `${sign}${number1.format(size)}`;
      break;
  }
  if ((kind === 'money' || kind === 'hours') && last > 0) {
    const relative = Math.round((Math.abs(now - last) / last) * 100);
    if (relative > 0) text += ` (${sign}${relative}%)`;
  }
  const tone = better === 'neither' ? 'neutral' : direction === better ? 'good' : 'bad';
  return { text, direction, tone };
}

/** A chart's numbers as one sentence for screen readers: `Title: A 3; B 5.` */
export function describeRows(title: string, rows: Array<{ label: string; text: string }>): string {
  if (rows.length === 0) return `${title}: no figures.`;
  return `${title}: ${rows.map((r) => `${r.label} ${r.text}`).join('; ')}.`;
}
