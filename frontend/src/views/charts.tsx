// Report charts drawn as inline SVG (no chart library): horizontal bars, one row per item, with
// last week as an outlined bar under this week's solid one where there is a comparison. Every
// chart carries its numbers twice over for people who cannot see it: an aria-label sentence on
// the SVG and a table under "Numbers".

import { useState } from 'preact/hooks';
import { barLength, describeRows, scaleMax } from '../charts';

export interface BarRow {
  label: string;
  value: number | null | undefined;
  /** The value as people read it (`$1,234`, `97.4%`). */
  text: string;
  /** Last week's figure, for a this/last pair. */
  previous?: number | null | undefined;
  previousText?: string;
  /** More about the row for the table (`37 of 38 tasks`). */
  note?: string;
}

/** Room the bars take of the chart's width; the rest is for the value after each bar. */
const BAR_SHARE = 70;
const LABEL_H = 20;
const BAR_H = 18;
const PREV_H = 12;
const ROW_GAP = 12;

let nextId = 0;

export function BarChart({
  title,
  rows,
  kind = 'amount',
  max,
  labelHeader = 'Item',
  valueHeader = 'This week',
  previousHeader = 'Last week',
  empty = 'Nothing to chart this week.',
}: {
  title: string;
  rows: BarRow[];
  kind?: 'percent' | 'amount';
  /** The scale's top; by default rounded up from the largest value. */
  max?: number;
  labelHeader?: string;
  valueHeader?: string;
  previousHeader?: string;
  empty?: string;
}) {
  const [id] = useState(() => `chart-${++nextId}`);
  const pairs = rows.some((r) => r.previous !== undefined);
  const top = max ?? scaleMax(rows.flatMap((r) => [r.value, r.previous]), kind);
  const rowH = LABEL_H + BAR_H + (pairs ? PREV_H + 4 : 0) + ROW_GAP;
  const height = rows.length * rowH;
  const label = describeRows(
    title,
    rows.map((r) => ({
      label: r.label,
      text: pairs ? `${r.text} this week, ${r.previousText ?? '–'} last week` : r.note ? `${r.text} (${r.note})` : r.text,
    })),
  );
  // Lengths in percent of the chart's width, so it fits any screen without scaling the text.
  const pct = (v: number | null | undefined) => barLength(v, top, BAR_SHARE, 0.6);
  return (
    <figure class="chart" aria-labelledby={`${id}-t`}>
      <figcaption id={`${id}-t`} class="chart-title">
        {title}
      </figcaption>
      {rows.length === 0 ? (
        <p class="subtle">{empty}</p>
      ) : (
        <>
          {pairs && (
            <p class="chart-legend" aria-hidden="true">
              <span class="key key-now" /> this week <span class="key key-last" /> last week
            </p>
          )}
          <svg class="bars" width="100%" height={height} role="img" aria-label={label}>
            {rows.map((r, i) => {
              const y = i * rowH;
              const w = pct(r.value);
              const pw = pct(r.previous);
              return (
                <g key={r.label}>
                  <text class="bar-label" x="0" y={y + 15}>
                    {r.label}
                  </text>
                  <rect class="bar-track" x="0" y={y + LABEL_H} width={`${BAR_SHARE}%`} height={BAR_H} />
                  {w > 0 && <rect class="bar" x="0" y={y + LABEL_H} width={`${w}%`} height={BAR_H} />}
                  <text class="bar-value" x={`${w}%`} dx="6" y={y + LABEL_H + 14}>
                    {r.text}
                  </text>
                  {pairs && (
                    <>
                      {pw > 0 && (
                        <rect class="bar-last" x="1" y={y + LABEL_H + BAR_H + 4} width={`${pw}%`} height={PREV_H} />
                      )}
                      <text class="bar-value bar-value-last" x={`${pw}%`} dx="6" y={y + LABEL_H + BAR_H + 4 + 11}>
                        {r.previousText ?? '–'}
                      </text>
                    </>
                  )}
                </g>
              );
            })}
          </svg>
          <details class="chart-data">
            <summary>
              The numbers<span class="visually-hidden">: {title}</span>
            </summary>
            <table>
              <thead>
                <tr>
                  <th scope="col">{labelHeader}</th>
                  <th scope="col">{valueHeader}</th>
                  {pairs && <th scope="col">{previousHeader}</th>}
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.label}>
                    <th scope="row">{r.label}</th>
                    <td>
                      {r.text}
                      {r.note ? ` (${r.note})` : ''}
                    </td>
                    {pairs && <td>{r.previousText ?? '–'}</td>}
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </>
      )}
    </figure>
  );
}

/** Two small bars, this week over last week, for a KPI tile (its text says the same numbers). */
export function PairBars({
  now,
  last,
  nowText,
  lastText,
  kind = 'amount',
}: {
  now: number | null | undefined;
  last: number | null | undefined;
  nowText: string;
  lastText: string;
  kind?: 'percent' | 'amount';
}) {
  const top = scaleMax([now, last], kind);
  const w = barLength(now, top, 100, 1);
  const pw = barLength(last, top, 100, 1);
  return (
    <svg class="pair" width="100%" height="30" role="img" aria-label={`This week ${nowText}, last week ${lastText}`}>
      <rect class="bar-track" x="0" y="0" width="100%" height="14" />
      {w > 0 && <rect class="bar" x="0" y="0" width={`${w}%`} height="14" />}
      {pw > 0 && <rect class="bar-last" x="1" y="18" width={`${Math.max(0.5, pw - 0.5)}%`} height="10" />}
    </svg>
  );
}
