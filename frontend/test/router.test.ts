import { describe, expect, it } from 'vitest';
import { appPath, isAppPath, parseRoute } from '../src/router';

describe('routes', () => {
  it('maps paths to screens', () => {
    expect(parseRoute('/')).toEqual({ name: 'events' });
    expect(parseRoute('/signin')).toEqual({ name: 'signin' });
    expect(parseRoute('/signin/')).toEqual({ name: 'signin' });
    expect(parseRoute('/account')).toEqual({ name: 'account' });
    expect(parseRoute('/admin/members')).toEqual({ name: 'members' });
    expect(parseRoute('/admin/events/new')).toEqual({ name: 'newEvent' });
    expect(parseRoute('/admin/org')).toEqual({ name: 'orgSettings' });
    expect(parseRoute('/admin/vessels')).toEqual({ name: 'vessels' });
    expect(parseRoute('/admin/vessels/')).toEqual({ name: 'vessels' });
    expect(parseRoute('/reports')).toEqual({ name: 'reports' });
    expect(parseRoute('/events/01M8A19CGSZM0YJ9QHRVEMSYXP')).toEqual({ name: 'event', id: '01M8A19CGSZM0YJ9QHRVEMSYXP' });
    expect(parseRoute('/events/01M8A19CGSZM0YJ9QHRVEMSYXP/edit')).toEqual({
      name: 'editEvent',
      id: '01M8A19CGSZM0YJ9QHRVEMSYXP',
    });
  });
  it('does not take odd ids or unknown paths', () => {
    expect(parseRoute('/events/../../etc')).toEqual({ name: 'notFound', path: '/events/../../etc' });
    expect(parseRoute('/nope')).toEqual({ name: 'notFound', path: '/nope' });
  });
  it("leaves the API, sign-in endpoints, dev pages and files to the browser", () => {
    expect(isAppPath('/events/X')).toBe(true);
    expect(isAppPath('/dev/outbox')).toBe(false);
    expect(isAppPath('/api/events')).toBe(false);
    expect(isAppPath('/auth/exchange')).toBe(false);
    expect(isAppPath('/health')).toBe(false);
    expect(isAppPath('/sw.js')).toBe(false);
    expect(isAppPath('/developer')).toBe(true);
  });
  it('opens the links the API makes for emails inside the app', () => {
    expect(appPath('http://localhost:3917/events/01M8A3HVTZCAJSRYHV9B0H62XN?org=jada')).toBe(
      '/events/01M8A3HVTZCAJSRYHV9B0H62XN?org=jada',
    );
    expect(appPath('https://crew.example.com/events/01M8A3HVTZ')).toBe('/events/01M8A3HVTZ');
    expect(appPath('/events/01M8A3HVTZ?org=qdn')).toBe('/events/01M8A3HVTZ?org=qdn');
    expect(appPath('https://elsewhere.example.com/page')).toBe('https://elsewhere.example.com/page');
    expect(appPath('http://[bad')).toBe('http://[bad');
  });
});
