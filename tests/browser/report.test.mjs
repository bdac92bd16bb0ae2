// report.html and `sweep serve` in a real browser (Debian's chromium, driven by
// playwright-core): the reports of experiments/quick.toml, experiments/baseline.toml and a
// generated 200-configuration x 8-seed grid load with no console error and no failed
// request, within 2 s for the grid (the browser's own performance.now()); the table has one
// row per configuration, filtering and sorting change it, a click shows the seeds' curves,
// a heatmap cell shows its value on hover, brushing the parallel coordinates filters the
// table; and the live view of a served directory follows a sweep until it has finished.
// Screenshots go to target/browser-screenshots/ (not committed), with timings.json.
//
// Run: `npm ci && node --test` here, after `cargo build --release`. Environment:
// SWEEP_BIN (default ../../target/release/sweep), CHROMIUM (default /usr/bin/chromium),
// SWEEP_BROWSER_EXTRA=DIR,... (results directories whose report.html is also opened and
// screenshot, e.g. a copy of results/grid3), SWEEP_BROWSER_LARGE=1 (also a 2000-configuration
// grid: minutes, not for CI).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = process.env.SWEEP_BIN || join(ROOT, 'target/release/sweep');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = join(ROOT, 'target/browser-screenshots');
const READY_BUDGET_MS = 2000;
const TMP = mkdtempSync(join(tmpdir(), 'sweep-browser-'));
const timings = {};
let browser;

/** `sweep ARGS...`, which must succeed; returns the seconds it took. */
function sweep(...args) {
  const start = Date.now();
  execFileSync(BIN, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  return (Date.now() - start) / 1000;
}

/** An experiment file over the bundled data with `body` as its settings. */
function experiment(name, body) {
  const path = join(TMP, name + '.toml');
  writeFileSync(path, `name = "${name}"\n[data]\ntrain = "${join(ROOT, 'data/en/train.tsv')}"\n` +
    `test = "${join(ROOT, 'data/en/test.tsv')}"\n${body}`);
  return path;
}

const GRID200 = '[train]\nepochs = 12\neval_every = 4\n[grid]\nhidden_size = [2, 3, 4, 5]\n' +
  'learning_rate = { log = [0.005, 0.2], n = 10 }\nclip = [0.3, 1.0, 3.0, 10.0, inf]\n' +
  'seed = { start = 0, count = 8 }\n';
const GRID2000 = '[train]\nepochs = 12\neval_every = 4\n[grid]\nhidden_size = [2, 3, 4, 5]\n' +
  'learning_rate = { log = [0.005, 0.2], n = 10 }\nclip = [0.3, 1.0, 3.0, 10.0, inf]\n' +
  'init_scale = [0.001, 0.01, 0.03, 0.1, 0.3]\ngradient = ["article", "exact"]\n' +
  'seed = { start = 0, count = 8 }\n';

const reports = {};

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const runs = [
    ['quick', join(ROOT, 'experiments/quick.toml')],
    ['baseline', join(ROOT, 'experiments/baseline.toml')],
    ['grid200', experiment('grid200', GRID200)],
  ];
  if (process.env.SWEEP_BROWSER_LARGE === '1') runs.push(['grid2000', experiment('grid2000', GRID2000)]);
  for (const [name, exp] of runs) {
    const out = join(TMP, name);
    const seconds = sweep('run', exp, '--out', out, '--quiet', '--no-weights');
    reports[name] = join(out, 'report.html');
    timings[name] = { sweep_run_s: seconds, report_html_bytes: statSync(reports[name]).size };
  }
  for (const dir of (process.env.SWEEP_BROWSER_EXTRA || '').split(',').filter((d) => d)) {
    const name = dir.replace(/\/+$/, '').split('/').pop();
    reports[name] = join(resolve(dir), 'report.html');
    timings[name] = { report_html_bytes: statSync(reports[name]).size };
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

after(async () => {
  if (browser) await browser.close();
  writeFileSync(join(SHOTS, 'timings.json'), JSON.stringify(timings, null, 2) + '\n');
  console.log(JSON.stringify(timings, null, 2));
  rmSync(TMP, { recursive: true, force: true });
});

/** A page that records console errors, page errors and failed requests. */
async function openPage(url) {
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push('console: ' + m.text()); });
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('requestfailed', (r) => problems.push('failed request: ' + r.url()));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  await page.goto(url);
  await page.waitForFunction(() => document.documentElement.dataset.ready === '1');
  return { page, problems };
}

/** Whether `fn` becomes true within `ms`, through navigations (a reload) on the way. */
async function until(page, fn, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try { if (await page.evaluate(fn)) return true; } catch { /* navigating */ }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

const rows = (page) => page.locator('#configs tbody tr').count();

/** Drags along parallel axis `axis` from its top to 45% of its height. */
async function brushAxis(page, axis) {
  const box = await page.locator('#parallel').boundingBox();
  const axes = await page.evaluate(() => window.sweep.charts.parallel.getOption().parallelAxis.length);
  const [left, right, top, bottom] = [60, 90, 60, 30];
  const x = box.x + left + axis * (box.width - left - right) / Math.max(axes - 1, 1);
  const y0 = box.y + top + 2, y1 = box.y + top + 0.45 * (box.height - top - bottom);
  await page.mouse.move(x, y0);
  await page.mouse.down();
  await page.mouse.move(x, (y0 + y1) / 2, { steps: 4 });
  await page.mouse.move(x, y1, { steps: 4 });
  await page.mouse.up();
}

/** Hovers the first heatmap's first cell and returns the tooltip's text. */
async function hoverHeatmap(page) {
  const span = page.locator('span.figure[data-figure^="heatmap-"]').first();
  await span.scrollIntoViewIfNeeded();
  await page.waitForFunction((name) => window.sweep.charts[name], await span.getAttribute('data-figure'));
  const name = await span.getAttribute('data-figure');
  const [px, py] = await page.evaluate((n) => window.sweep.charts[n].convertToPixel({ xAxisIndex: 0, yAxisIndex: 0 }, [0, 0]), name);
  const box = await span.locator('div.chart').boundingBox();
  await page.mouse.move(box.x + px, box.y + py);
  const tooltip = span.locator('div.chart > div').filter({ hasText: 'seed' }).last();
  await tooltip.waitFor({ state: 'visible', timeout: 5000 });
  await span.screenshot({ path: join(SHOTS, `${page.sweepName}-heatmap-hover.png`) });
  return tooltip.innerText();
}

async function checkReport(name) {
  const { page, problems } = await openPage(pathToFileURL(reports[name]).href);
  page.sweepName = name;
  const ready = await page.evaluate(() => window.sweepReadyMs);
  timings[name].ready_ms = Math.round(ready);
  await page.screenshot({ path: join(SHOTS, `${name}-top.png`) });
  const configs = await page.evaluate(() => window.sweep.data.configs.length);
  // The table: one row per configuration.
  await page.locator('#explore').scrollIntoViewIfNeeded();
  assert.equal(await rows(page), configs, `${name}: one row per configuration`);
  // Sorting: the table opens by rank; a click on its title reverses it, the worst first.
  await page.locator('#configs th[data-key="rank"]').click();
  assert.equal(await page.locator('#configs tbody tr td').first().innerText(), String(configs));
  await page.locator('#configs th[data-key="rank"]').click();
  assert.equal(await page.locator('#configs tbody tr td').first().innerText(), '1');
  // Filtering by the first swept setting's first value.
  const token = await page.evaluate(() => {
    const s = window.sweep.data.settings[0];
    return s.short + '=' + s.values[0];
  });
  await page.fill('#filter', token);
  const filtered = await rows(page);
  assert.ok(filtered > 0 && filtered < configs, `${name}: filter ${token} kept ${filtered} of ${configs}`);
  await page.fill('#filter', '');
  assert.equal(await rows(page), configs);
  // Brushing the parallel coordinates filters the table.
  await page.locator('#parallel').scrollIntoViewIfNeeded();
  await brushAxis(page, 0);
  await page.waitForFunction(() => document.getElementById('shown').textContent.includes('brushed'));
  const brushed = await rows(page);
  assert.ok(brushed > 0 && brushed < configs, `${name}: brushing kept ${brushed} of ${configs}`);
  await page.locator('#explore').screenshot({ path: join(SHOTS, `${name}-brushed.png`) });
  await page.click('#clear-brush');
  assert.equal(await rows(page), configs);
  // A click on a configuration: its seeds' curves, epoch table and comparisons.
  await page.locator('#configs tbody tr').first().click();
  await page.locator('#detail').waitFor({ state: 'visible' });
  const seeds = await page.evaluate(() => window.sweep.data.configs[Number(
    document.querySelector('#configs tr.selected').dataset.config)].seeds);
  const series = await page.evaluate(() => window.sweep.charts['detail-seeds'].getOption().series.length);
  assert.equal(series, seeds, `${name}: one curve per seed`);
  assert.ok(await page.locator('#detail-epochs tbody tr').count() > 0);
  await page.locator('#detail').screenshot({ path: join(SHOTS, `${name}-config.png`) });
  // Hovering a heatmap cell shows its value (a sweep of two settings or more has them).
  if (await page.locator('span.figure[data-figure^="heatmap-"]').count() > 0) {
    const text = await hoverHeatmap(page);
    assert.match(text, /\d/, `${name}: heatmap tooltip ${text}`);
    timings[name].heatmap_tooltip = text.replace(/\s+/g, ' ');
  }
  // Every figure drawn, then the whole page.
  for (const span of await page.locator('span.figure').all()) await span.scrollIntoViewIfNeeded();
  await page.waitForFunction(() => [...document.querySelectorAll('span.figure')].every((s) => s.dataset.ready));
  await page.screenshot({ path: join(SHOTS, `${name}-full.png`), fullPage: true });
  for (const section of await page.locator('section.part').all()) {
    const part = await section.getAttribute('data-part');
    await section.screenshot({ path: join(SHOTS, `${name}-section-${part}.png`) });
  }
  assert.deepEqual(problems, [], `${name}: console errors or failed requests`);
  await page.close();
  return { ready, configs };
}

test('quick: loads clean and every view works', async () => {
  await checkReport('quick');
});

test('baseline: loads clean and every view works', async () => {
  await checkReport('baseline');
});

test('200 configurations x 8 seeds: interactive within 2 s', async () => {
  const { ready, configs } = await checkReport('grid200');
  assert.equal(configs, 200);
  assert.ok(ready < READY_BUDGET_MS, `ready after ${ready} ms`);
});

test('2000 configurations stay usable', { skip: process.env.SWEEP_BROWSER_LARGE !== '1' }, async () => {
  const { configs } = await checkReport('grid2000');
  assert.equal(configs, 2000);
});

test('extra reports open clean', { skip: !process.env.SWEEP_BROWSER_EXTRA }, async () => {
  for (const name of Object.keys(reports).filter((n) => !timings[n].sweep_run_s)) await checkReport(name);
});

test('the live view follows a running sweep until it has finished', async () => {
  const out = join(TMP, 'live');
  mkdirSync(out);
  const server = spawn(BIN, ['serve', out, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise((ok, fail) => {
      server.stdout.on('data', (d) => { const m = /http:\/\/[^/]+\//.exec(String(d)); if (m) ok(m[0]); });
      server.on('exit', (code) => fail(new Error('sweep serve exited ' + code)));
    });
    const { page, problems } = await openPage(url);
    await page.waitForFunction(() => document.getElementById('live').dataset.state);
    // A sweep of a few seconds into the served directory.
    const exp = experiment('live', '[train]\nepochs = 1500\neval_every = 100\n[grid]\n' +
      'hidden_size = [32, 64]\nlearning_rate = [0.01, 0.05]\nseed = { start = 0, count = 8 }\n');
    const run = spawn(BIN, ['run', exp, '--out', out, '--quiet', '--no-weights'], { stdio: 'inherit' });
    const exited = new Promise((ok) => run.on('exit', ok));
    await page.waitForFunction(() => document.getElementById('live').dataset.state === 'running', null, { timeout: 30000 });
    // Runs recorded while it runs: the count goes up between polls.
    await page.waitForFunction(() => Number(document.getElementById('live').dataset.done) > 0, null, { timeout: 30000 });
    const first = Number(await page.evaluate(() => document.getElementById('live').dataset.done));
    await page.screenshot({ path: join(SHOTS, 'live-running.png') });
    assert.equal(await exited, 0, 'sweep run failed');
    // Finished: the page reloads itself into the report the sweep wrote, and says so.
    const finished = await until(page, () => document.getElementById('live').dataset.state === 'finished' &&
      document.querySelectorAll('#configs tbody tr').length === 4, 30000);
    assert.ok(finished, 'the page never showed the finished sweep and its report');
    const done = Number(await page.evaluate(() => document.getElementById('live').dataset.done));
    assert.ok(first < done && done === 32, `runs seen: ${first} while running, ${done} at the end`);
    assert.match(await page.locator('#live-state').innerText(), /finished/);
    await page.screenshot({ path: join(SHOTS, 'live-finished.png') });
    assert.deepEqual(problems, []);
    await page.close();
  } finally {
    server.kill();
  }
});
