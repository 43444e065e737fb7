// Drives the interactive pages of `stackc render --to html` in one headless
// Chromium (Debian's, through playwright-core): for each page, compares
// `window.stackc.fail` (and the reasons of `window.stackc.explain`) with
// what `stackc simulate --format json` said for every failure set handed in,
// checks that a click and Enter mark exactly the dark records and stopped
// servers, that no request leaves the page and that no script error occurs,
// and takes the screenshots asked for.
//
// node drive.mjs CONFIG.json  ->  one JSON report on stdout.
// CONFIG: {"playwright": DIR, "chromium": PATH, "budget_ms": N,
//          "pages": [{"name", "file", "cases": [{"names", "expect", "why"}],
//                     "click": NAME|null, "screens": [{"path", "theme", "click"}]}]}
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import path from 'node:path';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const require = createRequire(path.join(config.playwright, 'package.json'));
const { chromium } = require('playwright-core');

const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

let browser = null;
const watchdog = setTimeout(async () => {
  console.error(`drive.mjs: over its budget of ${config.budget_ms} ms`);
  try { if (browser) await browser.close(); } catch (e) { /* closing anyway */ }
  process.exit(3);
}, config.budget_ms);

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const sorted = (xs) => [...xs].sort();

// What the visible diagram marks: dark records, servers down or stopped.
async function marks(page) {
  return page.evaluate(() => {
    const svg = document.querySelector('#stackc-svg svg');
    const names = (sel, attr) => [...svg.querySelectorAll(sel)].map((n) => n.getAttribute(attr));
    return {
      dark: names('[data-record].is-dark', 'data-record'),
      records: names('[data-record]', 'data-record'),
      stopped: names('.node[data-element].is-down, .node[data-element].is-stopped', 'data-element'),
      pressed: names('[data-element][aria-pressed="true"]', 'data-element'),
      live: document.getElementById('stackc-now').getAttribute('aria-live'),
    };
  });
}

async function expectMarks(page, expect, what, problems) {
  const m = await marks(page);
  const wantDark = sorted(expect.dark.filter((r) => m.records.includes(r)));
  if (!same(sorted(m.dark), wantDark)) problems.push(`${what}: marks dark ${JSON.stringify(m.dark)}, simulate says ${JSON.stringify(wantDark)}`);
  if (!same(sorted(new Set(m.stopped)), sorted(expect.stopped))) problems.push(`${what}: marks stopped ${JSON.stringify(m.stopped)}, simulate says ${JSON.stringify(expect.stopped)}`);
  return m;
}

const report = { pages: [], requests: 0, errors: [] };
try {
  browser = await chromium.launch({ executablePath: config.chromium, args: FLAGS, headless: true });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const leaks = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file://')) return route.continue();
    leaks.push(url);
    return route.abort();
  });
  for (const p of config.pages) {
    const started = Date.now();
    const page = await context.newPage();
    const errors = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    page.on('request', (r) => { if (!r.url().startsWith('file://') && !r.url().startsWith('data:')) leaks.push(r.url()); });
    await page.goto(pathToFileURL(p.file).href, { waitUntil: 'load' });
    const loadMs = Date.now() - started;
    const problems = [];
    // The differential comparison, all cases in one call.
    const got = await page.evaluate((cases) => cases.map((c) => {
      try {
        return { fail: window.stackc.fail(c.names), explain: window.stackc.explain(c.names) };
      } catch (e) { return { error: String(e) }; }
    }), p.cases);
    let agree = 0, whyAgree = 0;
    p.cases.forEach((c, i) => {
      const g = got[i];
      if (g.error) { problems.push(`fail(${JSON.stringify(c.names)}) threw ${g.error}`); return; }
      // simulate's order of keys is serde's; the page's is the contract's.
      const want = { serves: c.expect.serves, dark: c.expect.dark, stopped: c.expect.stopped };
      if (same(g.fail, want) && same(Object.keys(g.fail), ['serves', 'dark', 'stopped'])) agree++;
      else if (problems.length < 20) problems.push(`fail(${JSON.stringify(c.names)}) = ${JSON.stringify(g.fail)}, simulate: ${JSON.stringify(c.expect)}`);
      const w = { dark: g.explain.dark, stopped: g.explain.stopped };
      if (same(w, c.why)) whyAgree++;
      else if (problems.length < 20) problems.push(`why of ${JSON.stringify(c.names)}: page ${JSON.stringify(w)}, simulate ${JSON.stringify(c.why)}`);
    });
    const evalMs = Date.now() - started - loadMs;
    let clicked = null;
    if (p.click) {
      const expect = p.cases.find((c) => same(c.names, [p.click])).expect;
      const visible = `#stackc-svg svg .node[data-element="${p.click}"]`;
      await page.locator(visible).click();
      const m = await expectMarks(page, expect, `click on ${p.click}`, problems);
      if (!same(m.pressed, [p.click])) problems.push(`click on ${p.click}: aria-pressed on ${JSON.stringify(m.pressed)}`);
      if (m.live !== 'polite') problems.push('the panel is not aria-live');
      // Enter on the focused element brings it back, Enter again takes it down.
      await page.locator(visible).focus();
      await page.keyboard.press('Enter');
      await expectMarks(page, { dark: [], stopped: [] }, `Enter on ${p.click} (back up)`, problems);
      await page.keyboard.press('Enter');
      await expectMarks(page, expect, `Enter on ${p.click}`, problems);
      await page.keyboard.press(' ');
      await expectMarks(page, { dark: [], stopped: [] }, `Space on ${p.click}`, problems);
      await page.locator('#stackc-reset').click();
      clicked = { name: p.click, dark: m.dark, stopped: m.stopped };
    }
    if (p.click_zone) {
      // A zone's legend entry toggles the zone: its servers go down.
      const expect = p.cases.find((c) => same(c.names, [p.click_zone])).expect;
      await page.locator(`#stackc-svg svg [data-element="${p.click_zone}"]:not(.node)`).first().click();
      await expectMarks(page, expect, `click on zone ${p.click_zone}`, problems);
      const m = await marks(page);
      if (!m.pressed.includes(p.click_zone)) problems.push(`zone ${p.click_zone} not pressed: ${JSON.stringify(m.pressed)}`);
      await page.locator('#stackc-reset').click();
      await expectMarks(page, { dark: [], stopped: [] }, 'after reset', problems);
    }
    for (const s of p.screens || []) {
      await page.locator('#stackc-reset').click();
      const theme = await page.evaluate(() => document.documentElement.getAttribute('data-theme'));
      if (theme !== s.theme) await page.locator('#stackc-theme').click();
      const colours = await page.evaluate(() => document.querySelector('#stackc-svg svg > rect').getAttribute('fill'));
      if ((s.theme === 'dark') !== (colours !== '#ffffff')) problems.push(`the ${s.theme} theme draws on ${colours}`);
      if (s.click) await page.locator(`#stackc-svg svg .node[data-element="${s.click}"]`).click();
      const m = await marks(page);
      if (s.click && !same(m.pressed, [s.click])) problems.push(`${s.theme} theme: aria-pressed on ${JSON.stringify(m.pressed)}`);
      await page.mouse.move(0, 0);
      await page.screenshot({ path: s.path });
      await page.locator('#stackc-reset').click();
    }
    report.pages.push({
      name: p.name, cases: p.cases.length, agree, why_agree: whyAgree, clicked,
      problems, errors, load_ms: loadMs, eval_ms: evalMs,
    });
    await page.close();
  }
  // A page embedded by the mdBook preprocessor (`stack interactive`): it
  // runs inside the chapter's iframe and a click there marks what goes dark.
  if (config.embedded) {
    const e = config.embedded;
    const page = await context.newPage();
    const errors = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
    page.on('pageerror', (x) => errors.push(`page error: ${x.message}`));
    page.on('request', (r) => { if (!r.url().startsWith('file://') && !r.url().startsWith('data:') && !r.url().startsWith('about:')) leaks.push(r.url()); });
    await page.goto(pathToFileURL(e.file).href, { waitUntil: 'load' });
    const problems = [];
    const frame = page.frameLocator('.stackc-page iframe');
    const handle = await page.locator('.stackc-page iframe').elementHandle();
    const inner = handle ? await handle.contentFrame() : null;
    let got = null;
    if (!inner) problems.push('no iframe in the chapter');
    else {
      await inner.waitForFunction(() => window.stackc !== undefined, null, { timeout: 10000 });
      got = await inner.evaluate((names) => window.stackc.fail(names), [e.element]);
      const want = { serves: e.expect.serves, dark: e.expect.dark, stopped: e.expect.stopped };
      if (!same(got, want)) problems.push(`embedded fail([${e.element}]) = ${JSON.stringify(got)}, simulate ${JSON.stringify(want)}`);
      await frame.locator(`#stackc-svg .node[data-element="${e.element}"]`).click();
      const m = await marks(inner);
      if (!same(sorted(m.dark), sorted(e.expect.dark.filter((r) => m.records.includes(r))))) problems.push(`embedded click marks dark ${JSON.stringify(m.dark)}`);
      if (!same(sorted(new Set(m.stopped)), sorted(e.expect.stopped))) problems.push(`embedded click marks stopped ${JSON.stringify(m.stopped)}`);
    }
    report.embedded = { fail: got, problems, errors };
    await page.close();
  }
  // How long the evaluator takes on a big page (1,000 servers).
  if (config.timing) {
    const page = await context.newPage();
    const t0 = Date.now();
    await page.goto(pathToFileURL(config.timing.file).href, { waitUntil: 'load' });
    const loadMs = Date.now() - t0;
    const r = await page.evaluate((sets) => {
      const t = performance.now();
      const out = sets.map((s) => window.stackc.fail(s).serves);
      const click = performance.now();
      window.stackc.toggle(sets[0][0]);
      return { per_set_ms: (click - t) / sets.length, toggle_ms: performance.now() - click, serves: out };
    }, config.timing.sets);
    report.timing = { load_ms: loadMs, ...r };
    await page.close();
  }
  report.requests = leaks.length;
  report.leaks = leaks.slice(0, 10);
} catch (e) {
  report.errors.push(String(e && e.stack || e));
} finally {
  clearTimeout(watchdog);
  if (browser) await browser.close();
}
process.stdout.write(JSON.stringify(report) + '\n');
