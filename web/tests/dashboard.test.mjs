// The dashboard in a real browser against a real server: a store made from
// examples/models/buying-cycle.yaml and examples/events/demo.jsonl,
// `leadscore serve --web web/dist`, and headless Chromium (playwright-core,
// never a downloaded browser). Screenshots go to build/web-artifacts/.
//
//   LEADSCORE  the program (default build/leadscore; relative to the repo root)
//   CHROMIUM   the browser (default /usr/bin/chromium; the tests skip without it)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { messages } from '../src/i18n.js';

const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPO = path.resolve(WEB, '..');
const DIST = path.join(WEB, 'dist');
const LS = path.resolve(REPO, process.env.LEADSCORE || 'build/leadscore');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const MODEL = path.join(REPO, 'examples/models/buying-cycle.yaml');
const EVENTS = path.join(REPO, 'examples/events/demo.jsonl');
const ARTIFACTS = path.join(REPO, 'build/web-artifacts');
const CSV_HEADER = 'lead_id,score,stage,mql_count,last_mql_at'; // spec §8, the reference model

const TEST = { timeout: 60_000 };
const skip = existsSync(CHROMIUM)
  ? false
  : `no Chromium at ${CHROMIUM} (install Debian's chromium, or set CHROMIUM): the browser tests are skipped`;

let tmp;
let server;
let base;
let browser;
let key; // read,sales
let ingestKey; // ingest only: may not read

function leadscore(...args) {
  return execFileSync(LS, args, { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The latest event time of the file: the store's clock after ingesting it. */
function latestEventTime(file) {
  let max = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    try {
      const ms = Date.parse(JSON.parse(line).time);
      if (ms > max) max = ms;
    } catch { /* a line that is not JSON is rejected by ingest too */ }
  }
  return new Date(max).toISOString().replace('.000Z', 'Z');
}

async function startServer(db) {
  const portFile = path.join(tmp, 'port');
  const proc = spawn(LS, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--port-file', portFile,
    '--clock', 'event', '--log', path.join(tmp, 'requests.log'), '--web', DIST],
  { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  proc.stderrText = () => stderr;
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`leadscore serve exited with ${proc.exitCode}: ${stderr}`);
    if (existsSync(portFile)) {
      const port = readFileSync(portFile, 'utf8').trim();
      if (port) return { proc, port: Number(port) };
    }
    await sleep(25);
  }
  proc.kill('SIGKILL');
  throw new Error(`leadscore serve did not start within 20 s: ${stderr}`);
}

/** SIGTERM; the server exits 0 (a sanitizer's report would make it fail). */
async function stopServer() {
  if (!server) return;
  const { proc } = server;
  if (proc.exitCode === null && proc.signalCode === null) {
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }
  assert.equal(proc.exitCode, 0, `leadscore serve exited with ${proc.exitCode ?? proc.signalCode} after SIGTERM:\n${proc.stderrText().slice(-3000)}`);
}

/** The API directly, with the read,sales key. */
async function api(pathname, { method = 'GET', body } = {}) {
  const res = await fetch(base + pathname, {
    method,
    headers: { Authorization: `Bearer ${key}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  assert.equal(res.status, 200, `${method} ${pathname}: ${res.status} ${await res.clone().text()}`);
  return res.json();
}

/** A page in a new browser context; CSP violations and uncaught errors are recorded. */
async function newPage({ width = 1280, height = 900, locale = 'en-US' } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`uncaught: ${e.message}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window.__csp ??= []).push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return page;
}

async function closePage(page) {
  const csp = await page.evaluate(() => window.__csp ?? []).catch(() => []);
  await page.context().close();
  assert.deepEqual(csp, [], 'Content-Security-Policy violations');
  assert.deepEqual(page.problems, [], 'errors in the page');
}

async function shot(page, name, { fullPage = true } = {}) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage });
}

async function signIn(page, withKey = key) {
  await page.goto(`${base}/#/leads`);
  await page.locator('#api-key').fill(withKey);
  await page.locator('.signin-form button[type="submit"]').click();
  await page.locator('#leads-table').waitFor();
}

/** The score shown on a lead page, and the sum of the points of the ledger table. */
async function scoreAndLedgerSum(page) {
  const shown = Number(await page.locator('#lead-score').getAttribute('data-score'));
  const text = (await page.locator('#lead-score').textContent()).replace(/[^\d-]/g, '');
  assert.equal(Number(text), shown, 'the score text and its data-score');
  const points = await page.locator('#ledger-table tbody td[data-points]').evaluateAll(
    (cells) => cells.map((c) => Number(c.dataset.points)));
  return { shown, points, sum: points.reduce((a, b) => a + b, 0) };
}

describe('dashboard', { skip }, () => {
  before(async () => {
    assert.ok(existsSync(path.join(DIST, 'index.html')),
      `${DIST}/index.html is missing: build the dashboard first (cd web && npm ci && npm run build)`);
    assert.ok(existsSync(LS), `${LS} is missing: build leadscore first (or set LEADSCORE)`);
    tmp = mkdtempSync(path.join(tmpdir(), 'ls-web-'));
    const db = path.join(tmp, 's.db');
    leadscore('init', '--db', db, '--model', MODEL);
    leadscore('ingest', '-q', '--db', db, EVENTS);
    // Decay up to the store's clock goes into the ledger (reads are as of the
    // clock with --clock event), so that a score equals its ledger's sum.
    leadscore('advance', '--db', db, '--to', latestEventTime(EVENTS));
    key = leadscore('keys', 'create', '--db', db, '--scope', 'read,sales', '--name', 'dashboard').trim();
    ingestKey = leadscore('keys', 'create', '--db', db, '--scope', 'ingest', '--name', 'collector').trim();
    assert.match(key, /^lsk_/);
    server = await startServer(db);
    process.once('exit', () => server.proc.kill('SIGKILL')); // if the run dies before after()
    base = `http://127.0.0.1:${server.port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  }, TEST);

  after(async () => {
    try {
      await browser?.close();
      await stopServer();
    } finally {
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    }
  }, TEST);

  test('the server answers / and /assets/ with a same-origin CSP', TEST, async () => {
    const res = await fetch(`${base}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    const html = await res.text();
    assert.match(html, /<script type="module" src="\/assets\/app\.js"><\/script>/);
    assert.match(html, /href="\/assets\/app\.css"/);
    for (const [name, type] of [['app.js', /javascript/], ['app.css', /text\/css/]]) {
      const a = await fetch(`${base}/assets/${name}`);
      assert.equal(a.status, 200, name);
      assert.match(a.headers.get('content-type'), type);
    }
  });

  test('sign-in: refuses a wrong key (401) and a key without read (403), keeps a good one per tab', TEST, async () => {
    const page = await newPage();
    await page.goto(`${base}/`);
    await page.locator('#api-key').waitFor();
    await shot(page, 'signin-1280');

    const alert = page.locator('#signin-errors [role="alert"]');
    await page.locator('#api-key').fill('lsk_not_a_key');
    await page.locator('#api-key').press('Enter'); // the keyboard submits
    await assert.doesNotReject(alert.filter({ hasText: 'HTTP 401' }).waitFor());

    await page.locator('#api-key').fill(ingestKey);
    await page.locator('#api-key').press('Enter');
    await assert.doesNotReject(alert.filter({ hasText: 'HTTP 403' }).waitFor());

    await page.locator('#api-key').fill(key);
    await page.locator('#api-key').press('Enter');
    await page.locator('#leads-table').waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('leadscore.apiKey')), key);

    await page.reload(); // the tab keeps the key
    await page.locator('#leads-table').waitFor();

    await page.getByRole('button', { name: messages.en.signout }).click();
    await page.locator('#api-key').waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('leadscore.apiKey')), null);
    await closePage(page);
  });

  test('keyboard: the skip link comes first and moves to the content', TEST, async () => {
    const page = await newPage();
    await signIn(page);
    await page.reload(); // a fresh load: nothing has the focus yet
    await page.locator('#leads-table').waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'skip-link');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
    await closePage(page);
  });

  test('leads: pages, the hot filter, sorting, a hot lead whose score is its ledger sum, search', TEST, async () => {
    const page = await newPage();
    await signIn(page);
    const rows = page.locator('#leads-table tbody tr');
    assert.equal(await rows.count(), 50, '50 rows a page');
    const first = await rows.first().getAttribute('data-lead');
    await page.locator('#next-page').click();
    await page.locator('#page-number', { hasText: '2' }).waitFor();
    assert.notEqual(await rows.first().getAttribute('data-lead'), first, 'page 2 differs');
    await page.locator('#prev-page').click();
    await page.locator('#page-number', { hasText: '1' }).waitFor();
    assert.equal(await rows.first().getAttribute('data-lead'), first, 'back on page 1');

    // filter to hot
    const hot = (await api('/v1/leads?stage=hot&limit=1000')).leads;
    assert.ok(hot.length > 0, 'the demo store has hot leads');
    await page.locator('#f-stage').selectOption('hot');
    await page.getByRole('button', { name: messages.en['leads.apply'] }).click();
    await page.waitForFunction(() => location.hash.includes('stage=hot'));
    await page.locator('#leads-table tbody tr').first().waitFor();
    await page.waitForFunction((n) => document.querySelectorAll('#leads-table tbody tr').length === n, hot.length);
    const stages = await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.stage));
    assert.deepEqual([...new Set(stages)], ['hot']);

    // sort this page by score, highest first
    const scoreButton = page.locator('button.sort[data-column="score:score"]');
    await scoreButton.click();
    await scoreButton.click();
    assert.equal(await page.locator('th[aria-sort="descending"] button.sort').getAttribute('data-column'), 'score:score');
    const top = hot.reduce((a, b) => (b.scores.score > a.scores.score ? b : a));
    assert.equal(await rows.first().getAttribute('data-lead'), top.lead_id);
    await shot(page, 'leads-1280');

    // the hottest lead
    await rows.first().locator('a').click();
    await page.locator('#lead-score').waitFor();
    assert.equal(decodeURIComponent(await page.evaluate(() => location.hash)), `#/leads/${top.lead_id}`);
    assert.equal(await page.locator('#lead-stage').textContent(), 'hot');
    const { shown, points, sum } = await scoreAndLedgerSum(page);
    const ledger = (await api(`/v1/leads/${encodeURIComponent(top.lead_id)}/ledger`)).ledger;
    assert.ok(points.length > 0, 'the ledger table has rows');
    assert.equal(points.length, ledger.length, 'every ledger row is shown');
    assert.equal(shown, sum, 'the score shown is the sum of the ledger points shown');
    assert.equal(shown, top.scores.score, 'and the API\'s score');
    assert.equal(await page.locator('#pending-decay').count(), 0, 'no decay waiting outside the ledger');
    // the chart: a step line, one vertical line per stage change
    const person = await api(`/v1/leads/${encodeURIComponent(top.lead_id)}`);
    await page.locator('#score-chart svg path.chart-line').waitFor();
    assert.equal(await page.locator('#score-chart .chart-stage').count(), person.stage_history.length);
    assert.equal(await page.locator('#score-chart .chart-decay').count(),
      ledger.filter((r) => r.kind === 'decay').length);
    assert.equal(await page.locator('#why-hot').textContent(), person.why_hot.en || messages.en['lead.whyHotNone']);

    // record a checklist criterion
    const need = page.locator('input[data-criterion="need"]');
    await need.check();
    await page.waitForFunction(() => document.querySelector('input[data-criterion="need"]')?.disabled);
    assert.ok(await need.isChecked());
    const checklist = await api(`/v1/leads/${encodeURIComponent(top.lead_id)}/checklist`);
    assert.ok(checklist.criteria.find((c) => c.criterion === 'need').recorded, 'recorded in the store');
    await shot(page, 'lead-1280');

    // search by e-mail: the same person
    const email = person.identities.find((i) => i.startsWith('email:'))?.slice('email:'.length);
    assert.ok(email, 'the hot lead has an e-mail');
    await page.getByRole('link', { name: messages.en['app.backToLeads'] }).click();
    await page.locator('#search').fill(email);
    await page.locator('#search').press('Enter');
    await page.locator('h1', { hasText: top.lead_id }).waitFor();
    assert.match(await page.evaluate(() => location.hash), /^#\/leads\/.+%40/);

    // an unknown identity: the API's 404 and message
    await page.goto(`${base}/#/leads/${encodeURIComponent('nobody@example.invalid')}`);
    await page.locator('[role="alert"]', { hasText: 'HTTP 404' }).waitFor();
    assert.match(await page.locator('[role="alert"]').textContent(), /no person has the identity/);
    await closePage(page);
  });

  test('tasks: complete an overdue task with an outcome', TEST, async () => {
    const overdue = (await api('/v1/tasks?due=overdue')).tasks;
    assert.ok(overdue.length > 0, 'the demo store has overdue tasks (hot leads\' cadences)');
    const page = await newPage();
    await signIn(page);
    await page.getByRole('link', { name: messages.en['nav.tasks'] }).click();
    const table = page.locator('#tasks-overdue table');
    await table.waitFor();
    assert.equal(await table.locator('tbody tr[data-task]').count(), overdue.length);
    await shot(page, 'tasks-1280');

    const row = table.locator('tbody tr[data-task]').first();
    const id = await row.getAttribute('data-task');
    await row.locator('button.complete').click();
    const dialog = page.locator('#complete-dialog');
    await dialog.waitFor();
    await dialog.getByLabel(messages.en['outcome.meeting_set']).check();
    await dialog.locator('#complete-note').fill('demo next Tuesday');
    await shot(page, 'tasks-dialog-1280', { fullPage: false }); // the modal dialog in view
    await dialog.locator('#complete-submit').click();
    await page.locator('#tasks-status .alert-ok', { hasText: id }).waitFor();
    assert.equal(await page.locator(`#tasks-overdue tr[data-task="${id}"]`).count(), 0, 'gone from overdue');

    const done = (await api('/v1/tasks?status=done')).tasks.find((x) => x.id === id);
    assert.ok(done, 'the task is done in the store');
    assert.equal(done.outcome, 'meeting_set');
    assert.equal(done.outcome_note, 'demo next Tuesday');
    await closePage(page);
  });

  test('languages: Japanese from the browser, the switcher, kept in localStorage', TEST, async () => {
    const page = await newPage({ locale: 'ja-JP' });
    await signIn(page);
    const ja = messages.ja;
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'ja');
    assert.equal(await page.locator('h1').textContent(), ja['leads.title']);
    assert.equal(await page.locator('#nav a').first().textContent(), ja['nav.leads']);

    await page.getByRole('button', { name: 'English' }).click();
    await page.locator('h1', { hasText: messages.en['leads.title'] }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    assert.equal(await page.getByRole('button', { name: 'English' }).getAttribute('aria-pressed'), 'true');
    await page.reload();
    await page.locator('h1', { hasText: messages.en['leads.title'] }).waitFor();

    await page.getByRole('button', { name: '日本語' }).click();
    await page.locator('h1', { hasText: ja['leads.title'] }).waitFor();
    assert.equal(await page.evaluate(() => localStorage.getItem('leadscore.lang')), 'ja');
    await shot(page, 'leads-ja-1280');

    // a lead page: the model's Japanese rule labels and why-hot text
    const lead = (await api('/v1/leads?stage=hot&limit=1')).leads[0].lead_id;
    const person = await api(`/v1/leads/${encodeURIComponent(lead)}`);
    const ledger = (await api(`/v1/leads/${encodeURIComponent(lead)}/ledger`)).ledger;
    await page.goto(`${base}/#/leads/${encodeURIComponent(lead)}`);
    await page.locator('#ledger-table').waitFor();
    assert.equal(await page.locator('#ledger-section-title').textContent(), ja['lead.ledger']);
    const labelJa = ledger.find((r) => r.label_ja)?.label_ja;
    assert.ok(labelJa);
    assert.ok(await page.locator('#ledger-table tbody td', { hasText: labelJa }).count() > 0);
    assert.equal(await page.locator('#why-hot').textContent(), person.why_hot.ja || ja['lead.whyHotNone']);
    await shot(page, 'lead-ja-1280');
    await closePage(page);
  });

  test('CSV: the download of the current filter', TEST, async () => {
    const page = await newPage();
    await signIn(page);
    await page.goto(`${base}/#/leads?stage=hot`);
    await page.locator('#leads-table tbody tr[data-stage="hot"]').first().waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('#download-csv').click(),
    ]);
    assert.equal(download.suggestedFilename(), 'leads-hot.csv');
    const file = path.join(tmp, 'download.csv');
    await download.saveAs(file);
    const lines = readFileSync(file, 'utf8').trim().split(/\r?\n/);
    assert.equal(lines[0], CSV_HEADER);
    const hot = (await api('/v1/leads?stage=hot&limit=1000')).leads;
    assert.equal(lines.length - 1, hot.length, 'one row per hot lead');
    assert.ok(lines.slice(1).every((l) => l.split(',')[2] === 'hot'));
    await page.locator('#download-status', { hasText: 'leads-hot.csv' }).waitFor();
    await closePage(page);
  });

  test('phone width (390 px): no sideways page scroll; tables scroll in their wrapper', TEST, async () => {
    const page = await newPage({ width: 390, height: 844 });
    await page.goto(`${base}/`);
    await page.locator('#api-key').waitFor();
    await shot(page, 'signin-390');
    await signIn(page);
    const noOverflow = async (what) => {
      const [sw, cw] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
      assert.ok(sw <= cw, `${what}: the page is ${sw} px wide in a ${cw} px window`);
    };
    await noOverflow('leads');
    const wrap = page.locator('#leads-results .table-wrap');
    assert.ok(await wrap.evaluate((el) => el.scrollWidth > el.clientWidth), 'the leads table scrolls in its wrapper');
    await shot(page, 'leads-390');

    const lead = (await api('/v1/leads?stage=hot&limit=1')).leads[0].lead_id;
    await page.goto(`${base}/#/leads/${encodeURIComponent(lead)}`);
    await page.locator('#score-chart svg').waitFor();
    await noOverflow('lead');
    const svgWidth = await page.locator('#score-chart svg').evaluate((el) => el.getBoundingClientRect().width);
    assert.ok(svgWidth <= 390, `the chart fits (${svgWidth} px)`);
    await shot(page, 'lead-390');

    await page.goto(`${base}/#/tasks`);
    await page.locator('#tasks-overdue table').waitFor();
    await noOverflow('tasks');
    await shot(page, 'tasks-390');
    await closePage(page);
  });
});
