/**
 * Renders resources/icons/socklab.svg into the PNG sizes the installers need
 * (resources/icons/NxN.png; electron-builder makes .icns and .ico from 512x512.png), with
 * Debian's Chromium through playwright-core. Run after changing the SVG: `npx tsx scripts/icons.ts`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const SIZES = [16, 32, 48, 64, 128, 256, 512];
const dir = join(import.meta.dirname, '..', 'resources', 'icons');
const svg = readFileSync(join(dir, 'socklab.svg'), 'utf8');

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
try {
  const page = await browser.newPage();
  for (const size of SIZES) {
    await page.setViewportSize({ width: size, height: size });
    await page.setContent(
      `<html><body style="margin:0;background:transparent">${svg.replace('<svg ', `<svg width="${size}" height="${size}" `)}</body></html>`,
    );
    writeFileSync(join(dir, `${size}x${size}.png`), await page.screenshot({ omitBackground: true }));
  }
} finally {
  await browser.close();
}
console.log(`icons: ${SIZES.map((s) => `${s}x${s}.png`).join(', ')} in resources/icons`);
