// `npm start -- --check`: opens *SPO: Show Training Curves* from the palette of a loaded workbench and waits until
// the panel's webview shows the given run as completed with its charts drawn.
const { runFromPalette } = require('../e2e/workbench');

const CURVES_COMMAND = 'SPO: Show Training Curves';

/** The webview frame (nested iframes) whose status chips name `runName`; null until it exists. */
async function findCurvesFrame(page, runName) {
  for (const frame of page.frames()) {
    try {
      const chips = await frame.locator('.chip').allTextContents();
      if (chips.some((t) => t.startsWith(`${runName}:`))) return frame;
    } catch { /* a frame that navigated away meanwhile */ }
  }
  return null;
}

/** Returns what the panel shows: { chip, charts } (charts = drawn uPlot canvases); throws with what it saw otherwise. */
async function checkCurvesPanel(page, runName, timeoutMs = 45000) {
  await runFromPalette(page, CURVES_COMMAND);
  const t0 = Date.now();
  let seen = { chip: null, charts: 0 };
  while (Date.now() - t0 < timeoutMs) {
    const frame = await findCurvesFrame(page, runName);
    if (frame) {
      const chip = (await frame.locator('.chip').allTextContents()).find((t) => t.startsWith(`${runName}:`));
      const charts = await frame.locator('.uplot canvas').count();
      seen = { chip, charts };
      if (/: completed/.test(chip) && charts > 0) return seen;
    }
    await page.waitForTimeout(500);
  }
  throw new Error(`the ${CURVES_COMMAND} panel did not show run ${runName} completed with charts within ${timeoutMs / 1000} s `
    + `(status chip: ${seen.chip === null ? 'none' : JSON.stringify(seen.chip)}, charts drawn: ${seen.charts})`);
}

module.exports = { CURVES_COMMAND, checkCurvesPanel };
