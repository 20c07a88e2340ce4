// SVG → PNG through headless Chromium (playwright-core), so plots open anywhere; when no Chromium
// is found the caller keeps the SVG only and says so.
import * as fs from 'fs';

const PLAYWRIGHT = 'playwright-core';

export const DEFAULT_CHROMIUM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The first Chromium executable that exists, or null. `SPO_CHROMIUM` overrides the search. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const candidates = env.SPO_CHROMIUM ? [env.SPO_CHROMIUM] : DEFAULT_CHROMIUM_PATHS;
  return candidates.find((p) => fs.existsSync(p)) ?? null;
}

export interface RasteriseResult {
  /** PNG files written. */
  written: string[];
  /** Why no PNG was written, when none was. */
  skipped: string | null;
}

/** Write `<file>.png` next to each `{svg, pngPath}`; one browser for all of them. */
export async function rasteriseSvgs(items: Array<{ svg: string; pngPath: string }>, chromiumPath = findChromium()): Promise<RasteriseResult> {
  if (items.length === 0) return { written: [], skipped: null };
  if (!chromiumPath) return { written: [], skipped: 'no Chromium executable found (set SPO_CHROMIUM); SVG only' };
  let chromium: typeof import('playwright-core').chromium;
  try {
    // Required by a computed name so bundlers leave it out: it is a dev tool (7 MB, absent from a
    // packaged extension) found in node_modules at run time, or missing and reported below.
    const name = PLAYWRIGHT;
    ({ chromium } = require(name) as typeof import('playwright-core'));
  } catch (err) {
    return { written: [], skipped: `playwright-core is not installed (${(err as Error).message.split('\n')[0]}); SVG only` };
  }
  let browser: import('playwright-core').Browser;
  try {
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu'] });
  } catch (err) {
    return { written: [], skipped: `Chromium at ${chromiumPath} did not start (${(err as Error).message.split('\n')[0]}); SVG only` };
  }
  const written: string[] = [];
  try {
    const page = await browser.newPage({ deviceScaleFactor: 2 });
    for (const { svg, pngPath } of items) {
      await page.setContent(`<!doctype html><html><body style="margin:0;background:#fff">${svg}</body></html>`);
      const box = await page.locator('svg').first().boundingBox();
      if (!box) throw new Error(`rendered SVG for ${pngPath} has no size`);
      await page.screenshot({ path: pngPath, clip: { x: box.x, y: box.y, width: box.width, height: box.height } });
      written.push(pngPath);
    }
  } finally {
    await browser.close();
  }
  return { written, skipped: null };
}
