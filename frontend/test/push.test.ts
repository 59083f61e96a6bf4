import { afterEach, describe, expect, it, vi } from 'vitest';
import { phoneLabel, pushSupport } from '../src/push';

const IPHONE_SAFARI =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const IPAD_AS_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';
const ANDROID_CHROME =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36';

/** A browser: its user agent, touch points, whether it runs installed, what it offers. */
function browser(opts: {
  ua: string;
  touch?: number;
  standalone?: boolean;
  push?: boolean;
  permission?: NotificationPermission;
}) {
  vi.stubGlobal('navigator', {
    userAgent: opts.ua,
    maxTouchPoints: opts.touch ?? 0,
    standalone: opts.standalone,
    ...(opts.push === false ? {} : { serviceWorker: {} }),
  });
  vi.stubGlobal('window', {
    matchMedia: () => ({ matches: false }),
    ...(opts.push === false ? {} : { PushManager: class {}, Notification: class {} }),
  });
  vi.stubGlobal('Notification', { permission: opts.permission ?? 'default' });
}

afterEach(() => vi.unstubAllGlobals());

describe('whether this phone can get push', () => {
  it('tells iPhone Safari outside the Home Screen to add the app first', () => {
    browser({ ua: IPHONE_SAFARI, touch: 5, push: false });
    expect(pushSupport()).toEqual({ kind: 'ios-not-installed' });
  });
  it('takes an iPad that reports itself as a Mac for what it is', () => {
    browser({ ua: IPAD_AS_MAC, touch: 5, push: false });
    expect(pushSupport()).toEqual({ kind: 'ios-not-installed' });
  });
  it('offers push in the installed iPhone app (iOS 16.4+)', () => {
    browser({ ua: IPHONE_SAFARI, touch: 5, standalone: true });
    expect(pushSupport()).toEqual({ kind: 'ok' });
  });
  it('offers push on Android Chrome, unless notifications are blocked', () => {
    browser({ ua: ANDROID_CHROME, touch: 5 });
    expect(pushSupport()).toEqual({ kind: 'ok' });
    browser({ ua: ANDROID_CHROME, touch: 5, permission: 'denied' });
    expect(pushSupport()).toEqual({ kind: 'denied' });
  });
  it('says so where the browser has no push at all', () => {
    browser({ ua: ANDROID_CHROME, push: false });
    expect(pushSupport()).toEqual({ kind: 'unsupported' });
  });
  it('names the phone for the list', () => {
    browser({ ua: ANDROID_CHROME });
    expect(phoneLabel()).toBe('Android, Chrome');
    browser({ ua: IPHONE_SAFARI });
    expect(phoneLabel()).toBe('iPhone, Safari');
  });
});
