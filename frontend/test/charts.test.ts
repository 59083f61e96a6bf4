// The report charts' scales and the way figures and their week-over-week changes read.
import { describe, expect, it } from 'vitest';
import {
  barLength,
  change,
  describeRows,
  formatCount,
  formatFigure,
  formatHours,
  formatMoney,
  formatPercent,
  niceMax,
  scaleMax,
} from '../src/charts';

describe('scales', () => {
  it('round the top up to 1, 2, 2.5 or 5 times a power of ten', () => {
    expect(niceMax(0)).toBe(0);
    expect(niceMax(-3)).toBe(0);
    expect(niceMax(Number.NaN)).toBe(0);
    expect(niceMax(1)).toBe(1);
    expect(niceMax(3)).toBe(5);
    expect(niceMax(6)).toBe(10);
    expect(niceMax(9)).toBe(10);
    expect(niceMax(10)).toBe(10);
    expect(niceMax(11)).toBe(20);
    expect(niceMax(21)).toBe(25);
    expect(niceMax(0.3)).toBe(0.5);
    expect(niceMax(0.1 * 3)).toBe(0.5);
    expect(niceMax(1_868_800)).toBe(2_000_000);
    expect(niceMax(2_193_300)).toBe(2_500_000);
  });
  it('run percentages to 100, further only when a figure does (a vessel over 100%)', () => {
    expect(scaleMax([98.6, 94.4], 'percent')).toBe(100);
    expect(scaleMax([null, undefined], 'percent')).toBe(100);
    expect(scaleMax([128.4, 85.7], 'percent')).toBe(200);
    expect(scaleMax([15.6, 47, null])).toBe(50);
    expect(scaleMax([])).toBe(0);
  });
  it('draw bars in proportion, clipped to the width, and visible for any figure above zero', () => {
    expect(barLength(50, 100, 70)).toBe(35);
    expect(barLength(100, 100, 70)).toBe(70);
    expect(barLength(128.4, 100, 70)).toBe(70);
    expect(barLength(1, 10_000, 70)).toBe(2);
    expect(barLength(1, 10_000, 70, 0.6)).toBe(0.6);
    expect(barLength(0, 100, 70)).toBe(0);
    expect(barLength(null, 100, 70)).toBe(0);
    expect(barLength(-5, 100, 70)).toBe(0);
    expect(barLength(5, 0, 70)).toBe(0);
    expect(barLength(1 / 3, 1, 100)).toBe(33.3);
  });
});

describe('figures', () => {
  it('read as people expect', () => {
    expect(formatMoney(1_327_800)).toBe('$13,278');
    expect(formatMoney(85_115)).toBe('$851');
    expect(formatMoney(49)).toBe('$0');
    expect(formatMoney(-541_000)).toBe('−$5,410');
    expect(formatMoney(null)).toBe('–');
    expect(formatPercent(98.6)).toBe('98.6%');
    expect(formatPercent(100)).toBe('100%');
    expect(formatPercent(null)).toBe('–');
    expect(formatHours(15.6)).toBe('15.6 h');
    expect(formatHours(336.46)).toBe('336.5 h');
    expect(formatCount(1234)).toBe('1,234');
    expect(formatFigure(47, 'hours')).toBe('47 h');
    expect(formatFigure(3, 'count')).toBe('3');
  });
  it('say how they moved since last week, and whether that is good news', () => {
    expect(change(5, 6, 'count', 'neither')).toEqual({ text: '−1', direction: 'down', tone: 'neutral' });
    expect(change(2, 7, 'count', 'down')).toEqual({ text: '−5', direction: 'down', tone: 'good' });
    expect(change(3, 0, 'count', 'down')).toEqual({ text: '+3', direction: 'up', tone: 'bad' });
    expect(change(100, 83.3, 'percent')).toEqual({ text: '+16.7 pts', direction: 'up', tone: 'good' });
    expect(change(94.4, 98.6, 'percent')).toEqual({ text: '−4.2 pts', direction: 'down', tone: 'bad' });
    expect(change(1_327_800, 1_868_800, 'money')).toEqual({ text: '−$5,410 (−29%)', direction: 'down', tone: 'bad' });
    expect(change(2_000_000, 0, 'money')).toEqual({ text: '+$20,000', direction: 'up', tone: 'good' });
    expect(change(15.6, 47, 'hours')).toEqual({ text: '−31.4 h (−67%)', direction: 'down', tone: 'bad' });
    expect(change(4, 4, 'count')).toEqual({ text: 'no change', direction: 'same', tone: 'neutral' });
    // Cents that round to the same dollar are no change.
    expect(change(100_040, 100_010, 'money').direction).toBe('same');
    expect(change(null, 83.3, 'percent')).toEqual({ text: 'no figure this week', direction: 'none', tone: 'neutral' });
    expect(change(75, null, 'percent')).toEqual({ text: 'no figure last week', direction: 'none', tone: 'neutral' });
  });
  it('put a chart in one sentence for screen readers', () => {
    expect(
      describeRows('Revenue by kind', [
        { label: 'Charter', text: '$9,494' },
        { label: 'Sunset sail', text: '$3,784' },
      ]),
    ).toBe('Revenue by kind: Charter $9,494; Sunset sail $3,784.');
    expect(describeRows('Hours on duty', [])).toBe('Hours on duty: no figures.');
  });
});
