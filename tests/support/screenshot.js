// Photographs the #screen element of an HTML page in headless Chromium
// (Debian's /usr/bin/chromium) through playwright-core, with every request
// the page would make refused and counted; prints {"requests":N,"width":W,
// "height":H}. Used by tests/editor_screenshot.rs.
//
// usage: node screenshot.js PLAYWRIGHT_CORE_DIR PAGE.html OUT.png
'use strict';
const fs = require('fs');
const [playwrightDir, pagePath, outPath] = process.argv.slice(2);
const { chromium } = require(playwrightDir);

(async () => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: 30000,
  });
  let requests = 0;
  try {
    const page = await browser.newPage({ deviceScaleFactor: 1 });
    await page.route('**/*', (route) => {
      requests += 1;
      return route.abort();
    });
    await page.setContent(fs.readFileSync(pagePath, 'utf8'), { timeout: 15000 });
    const screen = page.locator('#screen');
    const box = await screen.boundingBox();
    await screen.screenshot({ path: outPath, timeout: 15000 });
    process.stdout.write(
      JSON.stringify({ requests, width: Math.round(box.width), height: Math.round(box.height) }),
    );
  } finally {
    await browser.close();
  }
})().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + '\n');
  process.exit(1);
});
