// Renders public/icons/icon.svg to the PNG icons the manifest and iOS need (run once when the
// icon changes; the PNGs are committed): node scripts/make-icons.mjs
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const dir = fileURLToPath(new URL('../public/icons/', import.meta.url));
const svg = readFileSync(`${dir}icon.svg`, 'utf8');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
});
try {
  const page = await browser.newPage();
  // [file, size, scale of the artwork, background]: maskable icons keep the art in the safe zone.
  const outputs = [
    ['icon-192.png', 192, 1, 'transparent'],
    ['icon-512.png', 512, 1, 'transparent'],
    ['apple-touch-icon.png', 180, 1, '#0b2a4a'],
    ['icon-maskable-512.png', 512, 0.78, '#0b2a4a'],
  ];
  for (const [file, size, scale, bg] of outputs) {
    await page.setViewportSize({ width: size, height: size });
    const art = Math.round(size * scale);
    await page.setContent(
      `<html><body style="margin:0;background:${bg};display:grid;place-items:center;width:${size}px;height:${size}px">` +
        `<div style="width:${art}px;height:${art}px">${svg.replace('<svg ', `<svg width="${art}" height="${art}" `)}</div></body></html>`,
    );
    await page.screenshot({ path: `${dir}${file}`, omitBackground: bg === 'transparent' });
    console.log(`wrote public/icons/${file}`);
  }
} finally {
  await browser.close();
}
