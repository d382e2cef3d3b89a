/** Shared by the browser tests: the machine's Chromium with the flags this workplace needs, and screenshot checks. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Where browser tests save their screenshots for a reviewer: `test-output/` at the repo root, or `E2E_SHOTS_DIR`. */
export const SHOTS_DIR = process.env['E2E_SHOTS_DIR'] ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test-output');

/** Saves a screenshot as `SHOTS_DIR/name` and returns its path. */
export async function saveShot(name: string, png: Buffer): Promise<string> {
  await mkdir(SHOTS_DIR, { recursive: true });
  const file = path.join(SHOTS_DIR, name);
  await writeFile(file, png);
  return file;
}

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Headless Chromium from `CHROMIUM_PATH` (default the Debian package's /usr/bin/chromium); it downloads nothing. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** Counts distinct colours in a PNG screenshot, sampling every `samplePixels`-th pixel, decoded by the browser itself. */
export async function distinctColours(page: Page, png: Buffer, samplePixels: number): Promise<number> {
  return page.evaluate(
    async ({ base64, stride }) => {
      const blob = await (await fetch(`data:image/png;base64,${base64}`)).blob();
      const bitmap = await createImageBitmap(blob);
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const context = canvas.getContext('2d');
      if (!context) return 0;
      context.drawImage(bitmap, 0, 0);
      const { data } = context.getImageData(0, 0, bitmap.width, bitmap.height);
      const colours = new Set<number>();
      for (let i = 0; i < data.length; i += 4 * stride) colours.add(((data[i] ?? 0) << 16) | ((data[i + 1] ?? 0) << 8) | (data[i + 2] ?? 0));
      return colours.size;
    },
    { base64: png.toString('base64'), stride: samplePixels },
  );
}
