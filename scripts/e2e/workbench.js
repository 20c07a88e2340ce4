// Opens the VS Code web workbench in headless Debian Chromium (playwright-core, no browser download) and builds
// workbench URLs, optionally carrying the dev-mode payload (extensionDevelopmentPath, extensionTestsPath).
const { chromium } = require('playwright-core');

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function launchBrowser(host) {
  return chromium.launch({ executablePath: host.chromium, headless: true, args: CHROMIUM_ARGS });
}

/** `folder` is a path on this machine; `dev` holds optional extensionDevelopmentPath / extensionTestsPath paths. */
function workbenchUrl(server, { folder, extensionDevelopmentPath, extensionTestsPath } = {}) {
  const params = [];
  if (folder) params.push(`folder=${encodeURIComponent(folder)}`);
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', server.remoteUri(extensionDevelopmentPath)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', server.remoteUri(extensionTestsPath)]);
  if (payload.length) payload.push(['skipWelcome', 'true']);
  if (payload.length) params.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
  return `${server.origin}/${params.length ? `?${params.join('&')}` : ''}`;
}

/** Waits until the workbench shows its editor area and the explorer of the opened folder. */
async function waitForWorkbench(page, timeoutMs = 60000) {
  await page.waitForSelector('.monaco-workbench .part.editor', { timeout: timeoutMs });
  await page.waitForSelector('.explorer-folders-view', { timeout: timeoutMs });
}

/**
 * Runs a command from the palette (F1, fill, Enter). Retries: contributed commands are listed only once the
 * extension host has registered them, and keystrokes typed into the palette too early can get lost.
 */
async function runFromPalette(page, title, attempts = 6) {
  for (let i = 1; i <= attempts; i++) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    try { await input.waitFor({ state: 'visible', timeout: 5000 }); } catch { continue; }
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    try { await row.waitFor({ state: 'visible', timeout: 5000 }); } catch { continue; }
    await page.keyboard.press('Enter');
    return;
  }
  throw new Error(`command "${title}" never appeared in the command palette`);
}

module.exports = { CHROMIUM_ARGS, launchBrowser, workbenchUrl, waitForWorkbench, runFromPalette };
