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
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
let adminKey; // admin: the rescore preview

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

/** The API directly, with the read,sales key (or `as`). */
async function api(pathname, { method = 'GET', body, as = key, status = 200 } = {}) {
  const res = await fetch(base + pathname, {
    method,
    headers: { Authorization: `Bearer ${as}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  assert.equal(res.status, status, `${method} ${pathname}: ${res.status} ${await res.clone().text()}`);
  return res.json();
}

/** POST /v1/models/preview with a candidate's YAML: [HTTP status, JSON answer]. */
async function preview(yaml, as = adminKey) {
  const res = await fetch(`${base}/v1/models/preview`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${as}`, 'Content-Type': 'application/yaml' },
    body: yaml,
  });
  return [res.status, await res.json()];
}

/**
 * A KPI value as the dashboard shows it (an independent rendering with Intl):
 * a count (at most one decimal), a share as a percentage with one decimal,
 * days with one decimal. Spaces are dropped (ICU versions differ on them).
 */
function kpiText(kind, v, lang = 'en') {
  if (v === null || v === undefined) return '—';
  const f = kind === 'conversion'
    ? new Intl.NumberFormat(lang, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 })
    : kind === 'median_days'
      ? new Intl.NumberFormat(lang, { style: 'unit', unit: 'day', unitDisplay: 'long', minimumFractionDigits: 1, maximumFractionDigits: 1 })
      : new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  return f.format(v).replace(/\s/g, '');
}
const squash = (s) => (s ?? '').replace(/\s/g, '');

/** 'YYYY-MM' `delta` months from the month of an ISO time. */
function monthFrom(iso, delta = 0) {
  const d = new Date(iso);
  const m = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + delta, 1));
  return m.toISOString().slice(0, 7);
}

/** The KPI cards shown, by id: the value's text and data-value, the label. */
async function shownKpis(page) {
  return page.locator('#kpi-cards li.kpi-card').evaluateAll((cards) => Object.fromEntries(cards.map((c) => [c.dataset.kpi, {
    label: c.querySelector('.kpi-label').textContent,
    text: c.querySelector('.kpi-value').textContent,
    value: c.querySelector('.kpi-value').dataset.value,
    met: c.classList.contains('kpi-met'),
    target: c.querySelector('.kpi-target').textContent,
  }])));
}

/** Every KPI card equals the funnel answer's KPI (value shown, raw value, met, label). */
async function assertKpiCards(page, funnel, lang = 'en') {
  const shown = await shownKpis(page);
  assert.deepEqual(Object.keys(shown), funnel.kpis.map((k) => k.id), 'one card per KPI, in order');
  for (const k of funnel.kpis) {
    const c = shown[k.id];
    assert.equal(squash(c.text), k.has ? kpiText(k.kind, k.value, lang) : '—', `${k.id}: the value shown`);
    assert.equal(Number(c.value), k.value, `${k.id}: data-value`);
    assert.equal(c.met, k.has && k.met, `${k.id}: met`);
    assert.equal(c.label, lang === 'ja' ? (k.label_ja || k.label) : k.label, `${k.id}: label`);
    assert.ok(squash(c.target).includes(kpiText(k.kind, k.target, lang)), `${k.id}: the target ${c.target}`);
  }
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

async function signIn(page, withKey = key, { at = '/#/leads', ready = '#leads-table' } = {}) {
  await page.goto(`${base}${at}`);
  await page.locator('#api-key').fill(withKey);
  await page.locator('.signin-form button[type="submit"]').click();
  await page.locator(ready).waitFor();
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
    adminKey = leadscore('keys', 'create', '--db', db, '--scope', 'admin', '--name', 'modeller').trim();
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
    await page.locator('#kpi-cards').waitFor(); // the funnel: the landing page
    assert.equal(await page.evaluate(() => sessionStorage.getItem('leadscore.apiKey')), key);

    await page.reload(); // the tab keeps the key
    await page.locator('#kpi-cards').waitFor();

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
    const shownLeads = () => rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.lead));
    // the default order: the score, highest first, over the whole list (the API's order)
    const all = await api('/v1/leads?sort=-score&limit=50');
    assert.equal(await rows.count(), 50, '50 rows a page');
    assert.deepEqual(await shownLeads(), all.leads.map((p) => p.lead_id), 'page 1 = GET /v1/leads?sort=-score');
    assert.equal(await page.locator('th[aria-sort="descending"] .sort').getAttribute('data-column'), 'score:score');
    assert.equal(await page.locator('#leads-status').textContent(), `${all.total.toLocaleString('en')} leads match`);
    assert.equal(await page.locator('#page-number').textContent(), `Page 1 of ${Math.ceil(all.total / 50).toLocaleString('en')}`);
    // the owner column is the API's (a list assigns nobody: null shows empty)
    const owners = await page.locator('#leads-table tbody tr td:nth-last-child(3)').allTextContents();
    assert.deepEqual(owners, all.leads.map((p) => p.owner ?? ''));
    // owner suggestions: GET /v1/owners (the model's team members at least)
    const named = (await api('/v1/owners')).owners.map((o) => o.owner);
    assert.ok(named.includes('sato'), 'the model\'s team members are owners to filter by');
    await page.waitForFunction((n) => document.querySelectorAll('#owners-list option').length === n, named.length);
    const first = await rows.first().getAttribute('data-lead');
    await page.locator('#next-page').click();
    await page.locator('#page-number', { hasText: 'Page 2 of' }).waitFor();
    const page2 = await api(`/v1/leads?sort=-score&limit=50&cursor=${all.next_cursor}`);
    assert.deepEqual(await shownLeads(), page2.leads.map((p) => p.lead_id), 'page 2 = the API\'s page after the cursor');
    await page.locator('#prev-page').click();
    await page.locator('#page-number', { hasText: 'Page 1 of' }).waitFor();
    assert.equal(await rows.first().getAttribute('data-lead'), first, 'back on page 1');

    // filter to hot
    const hot = (await api('/v1/leads?stage=hot&limit=1000')).leads;
    assert.ok(hot.length > 0 && hot.length <= 50, 'the demo store has hot leads, one page of them');
    await page.locator('#f-stage').selectOption('hot');
    await page.getByRole('button', { name: messages.en['leads.apply'] }).click();
    await page.waitForFunction(() => location.hash.includes('stage=hot'));
    await page.waitForFunction((n) => document.querySelectorAll('#leads-table tbody tr').length === n, hot.length);
    const stages = await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.stage));
    assert.deepEqual([...new Set(stages)], ['hot']);

    // sorting is the server's: each header gives the API's order of the whole filter
    const order = async (sort) => (await api(`/v1/leads?stage=hot&sort=${sort}&limit=1000`)).leads.map((p) => p.lead_id);
    const sortBy = async (column, sort) => {
      await page.locator(`a.sort[data-column="${column}"]`).click();
      await page.waitForFunction((s) => new URLSearchParams(location.hash.split('?')[1]).get('sort') === s, sort);
      await page.locator(`th[aria-sort="${sort.startsWith('-') ? 'descending' : 'ascending'}"] a.sort[data-column="${column}"]`).waitFor();
      assert.deepEqual(await shownLeads(), await order(sort), `sorted by ${sort}`);
    };
    await sortBy('score:score', 'score'); // it was -score: the other way
    await sortBy('lead', 'lead_id');
    await sortBy('updated', '-updated');
    await sortBy('score:score', '-score');
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
    assert.equal(await page.locator('#nav a[href="#/leads"]').textContent(), ja['nav.leads']);

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
    // signing in showed every lead (hot ones first): wait for the filtered
    // render, not a hot row of the one before it
    await page.waitForFunction(() => document.querySelector('#f-stage')?.value === 'hot' &&
      [...document.querySelectorAll('#leads-table tbody tr')].every((r) => r.dataset.stage === 'hot'));
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

  test('funnel: the landing page, KPI cards equal GET /v1/funnel, hot stage → hot leads → a lead whose score is its ledger sum', TEST, async () => {
    const page = await newPage();
    await signIn(page, key, { at: '/', ready: '#kpi-cards' }); // the landing page after sign-in
    assert.equal(await page.locator('#nav a[aria-current="page"]').getAttribute('href'), '#/funnel');
    const funnel = await api('/v1/funnel');
    assert.ok(funnel.kpis.length >= 4, 'the example model has four targets');
    await assertKpiCards(page, funnel);
    assert.ok((await page.locator('#mql-count').textContent()).includes(String(funnel.mqls)));
    // persons per stage now, in model order, each a link to its leads
    const bars = await page.locator('#funnel-bars li').evaluateAll((lis) => lis.map((li) => [li.dataset.stage,
      Number(li.querySelector('.funnel-count').dataset.now), li.querySelector('a').getAttribute('href')]));
    assert.deepEqual(bars, funnel.stages.map((st) => [st.name, st.now, `#/leads?stage=${st.name}`]));
    // entries per week: an SVG with a title, one bar per non-zero count, the same numbers as a table
    await page.locator('#weekly-chart-box svg title').first().waitFor({ state: 'attached' });
    const nonZero = funnel.weeks.reduce((a, w) => a + Object.values(w.entries).filter((n) => n > 0).length, 0);
    assert.equal(await page.locator('#weekly-chart-box svg rect.bar').count(), nonZero);
    assert.equal(await page.locator('#weekly-chart-table tbody tr').count(), funnel.weeks.length);
    assert.equal(await page.locator('#conversion-table tbody tr').count(), funnel.conversions.length);
    const medians = await page.locator('#stage-table tbody td[data-median]').evaluateAll((tds) => tds.map((td) => td.dataset.median));
    assert.deepEqual(medians, funnel.stages.map((st) => (st.median_days === null ? '' : String(st.median_days))));
    await shot(page, 'funnel-1280');

    // the previous month and the last 12 weeks: the cards follow the API
    const now = await api('/v1/funnel');
    const prevMonth = monthFrom(now.from, -1);
    await page.locator('#quick-prev').focus(); // by the keyboard: the focus stays on the link
    await page.keyboard.press('Enter');
    await page.waitForFunction((m) => location.hash === `#/funnel?month=${m}`, prevMonth);
    await page.locator('.quick-link[data-period="prev"][aria-current="true"]').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'quick-prev');
    await assertKpiCards(page, await api(`/v1/funnel?month=${prevMonth}`));
    await page.locator('.quick-link[data-period="weeks"]').click();
    await page.locator('.quick-link[data-period="weeks"][aria-current="true"]').waitFor();
    const from = await page.locator('#p-from').inputValue();
    const to = await page.locator('#p-to').inputValue();
    assert.equal((Date.parse(to) - Date.parse(from)) / 86400000, 83, `12 weeks: ${from} … ${to}`);
    await assertKpiCards(page, await api(`/v1/funnel?from=${from}&to=${to}`));
    await shot(page, 'funnel-12-weeks-1280');

    // click through: the hot stage → only hot leads → the first lead
    await page.locator('.quick-link[data-period="current"]').click();
    await page.locator('#funnel-bars a[data-stage="hot"]').click();
    await page.waitForFunction(() => location.hash === '#/leads?stage=hot');
    const hot = (await api('/v1/leads?stage=hot&limit=1000')).leads;
    assert.equal(hot.length, funnel.stages.find((st) => st.name === 'hot').now, 'the funnel counts the hot leads');
    const rows = page.locator('#leads-table tbody tr');
    await page.waitForFunction((n) => document.querySelectorAll('#leads-table tbody tr').length === n, Math.min(hot.length, 50));
    assert.deepEqual([...new Set(await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.stage)))], ['hot']);
    assert.equal(await page.locator('#f-stage').inputValue(), 'hot', 'the filter shows the stage');
    const first = await rows.first().getAttribute('data-lead');
    await rows.first().locator('a').click();
    await page.locator('#lead-score').waitFor();
    assert.equal(await page.locator('#lead-stage').textContent(), 'hot');
    const { shown, sum } = await scoreAndLedgerSum(page);
    assert.equal(shown, sum, 'the score shown is the sum of the ledger points shown');
    assert.equal(shown, hot.find((p) => p.lead_id === first).scores.score, 'and the API\'s score');
    await closePage(page);
  });

  test('funnel in Japanese: the switch shows the model\'s Japanese KPI labels and Japanese numbers', TEST, async () => {
    const page = await newPage();
    await signIn(page, key, { at: '/#/funnel', ready: '#kpi-cards' });
    const model = await api('/v1/model');
    const en = await page.locator('#kpi-cards .kpi-label').allTextContents();
    assert.deepEqual(en, model.targets.map((k) => k.label));
    await page.getByRole('button', { name: '日本語' }).click();
    await page.locator('h1', { hasText: messages.ja['funnel.title'] }).waitFor();
    await page.locator('#kpi-cards').waitFor();
    const ja = await page.locator('#kpi-cards .kpi-label').allTextContents();
    assert.deepEqual(ja, model.targets.map((k) => k.label_ja), 'the labels of the model\'s targets in Japanese');
    assert.ok(ja.every((l, i) => l !== en[i] || !model.targets[i].label_ja));
    await assertKpiCards(page, await api('/v1/funnel'), 'ja');
    assert.equal(await page.locator('#nav a[href="#/funnel"]').textContent(), messages.ja['nav.funnel']);
    await shot(page, 'funnel-ja-1280');
    await closePage(page);
  });

  test('monthly review: the KPI table and the movers equal GET /v1/reports/month', TEST, async () => {
    const month = monthFrom(latestEventTime(EVENTS), -1); // the demo's last whole month
    const report = await api(`/v1/reports/month?month=${month}`);
    const page = await newPage();
    await signIn(page);
    await page.getByRole('link', { name: messages.en['nav.review'] }).click();
    await page.locator('#review-kpis').waitFor(); // the default: the previous month
    const def = await api('/v1/reports/month');
    assert.equal(await page.locator('#r-month').inputValue(), def.month);

    await page.goto(`${base}/#/review?month=${month}`);
    await page.locator(`#r-month`).waitFor();
    await page.waitForFunction((m) => document.querySelector('#r-month')?.value === m, month);
    const rows = await page.locator('#review-kpis tbody tr').evaluateAll((trs) => trs.map((tr) => ({
      id: tr.dataset.kpi,
      label: tr.querySelector('th').textContent,
      cur: tr.querySelector('.kpi-cur').textContent,
      prev: tr.querySelector('.kpi-prev').textContent,
      change: tr.querySelector('.change').textContent,
    })));
    assert.deepEqual(rows.map((r) => r.id), report.kpis.map((k) => k.id));
    for (const [i, k] of report.kpis.entries()) {
      assert.equal(rows[i].label, k.label);
      assert.equal(squash(rows[i].cur), k.has ? kpiText(k.kind, k.value) : '—', `${k.id}: this month`);
      assert.equal(squash(rows[i].prev), kpiText(k.kind, k.prev_value), `${k.id}: the previous month`);
      const d = k.value - k.prev_value;
      assert.ok(rows[i].change.includes(d > 0 ? '▲' : d < 0 ? '▼' : '＝'), `${k.id}: the change ${rows[i].change}`);
    }
    for (const dir of ['up', 'down']) {
      const shown = await page.locator(`#movers-${dir} tbody tr`).evaluateAll((trs) => trs.map((tr) => [tr.dataset.lead,
        Number(tr.querySelector('td[data-delta]').dataset.delta)]));
      assert.deepEqual(shown, report.movers[dir].map((m) => [m.lead_id, m.end - m.start]), `movers ${dir}`);
    }
    assert.ok(report.movers.up.length > 0, 'the demo month has movers');
    assert.equal(await page.locator('#sla-owners tbody tr').count(), report.sla.owners.length);
    assert.deepEqual(await page.locator('#review-stages tbody tr').evaluateAll((trs) => trs.map((tr) => Number(tr.querySelector('td[data-entries]').dataset.entries))),
      report.cur.stages.map((st) => st.entries));
    assert.match(await page.locator('.cli-hint').textContent(), new RegExp(`leadscore report --db FILE --month ${month}`));
    await shot(page, 'review-1280');

    // a mover's page
    const mover = report.movers.up[0];
    await page.locator(`#movers-up tbody tr >> nth=0`).locator('a').click();
    await page.locator('#lead-score').waitFor();
    assert.equal(decodeURIComponent(await page.evaluate(() => location.hash)), `#/leads/${mover.lead_id}`);

    // in Japanese: the model's labels
    await page.goto(`${base}/#/review?month=${month}`);
    await page.locator('#review-kpis').waitFor();
    await page.getByRole('button', { name: '日本語' }).click();
    await page.locator('h1', { hasText: '月次レビュー' }).waitFor();
    assert.deepEqual(await page.locator('#review-kpis tbody th').allTextContents(), report.kpis.map((k) => k.label_ja || k.label));
    await shot(page, 'review-ja-1280');
    await closePage(page);
  });

  test('models: versions and their YAML; a preview of the same model changes nothing; a broken one shows the server\'s error', TEST, async () => {
    const versions = await api('/v1/models');
    const model = await api('/v1/model');
    const page = await newPage();
    await signIn(page, adminKey);
    await page.getByRole('link', { name: messages.en['nav.models'] }).click();
    await page.locator('#model-versions').waitFor();
    assert.equal(await page.locator('#model-versions li.version').count(), versions.versions.length);
    assert.equal(await page.locator(`#model-versions li[data-version="${versions.current}"] .badge-current`).count(), 1);
    assert.deepEqual(await page.locator('#model-targets tbody th').allTextContents(), model.targets.map((k) => k.label));
    const targets = await page.locator('#model-targets tbody td[data-target]').allTextContents();
    model.targets.forEach((k, i) => assert.ok(squash(targets[i]).includes(kpiText(k.kind, k.value ?? k.target)), `${k.id}: ${targets[i]}`));
    assert.equal(await page.locator('#model-rules tbody tr').count(), model.rules.length);

    // a version's YAML
    const source = (await api(`/v1/models/${versions.current}`)).source;
    const show = page.locator(`button.show-yaml[data-version="${versions.current}"]`);
    await show.click();
    assert.equal(await show.getAttribute('aria-expanded'), 'true');
    await page.locator(`#yaml-${versions.current} pre`).waitFor();
    assert.equal(await page.locator(`#yaml-${versions.current} pre`).textContent(), source);

    // the same model: nothing changes
    await page.locator('#preview-load').click();
    await page.waitForFunction((n) => document.querySelector('#candidate').value.length === n, source.length);
    const [status, same] = await preview(source);
    assert.equal(status, 200);
    assert.equal(same.changed, 0);
    await page.locator('#preview-run').click();
    await page.locator('#preview-changed').waitFor();
    assert.equal(await page.locator('#preview-changed').getAttribute('data-changed'), '0');
    assert.match(await page.locator('#preview-changed').textContent(), /^0 /);
    assert.equal(await page.locator('#preview-report').textContent(), same.report);
    assert.equal(await page.locator('#preview-stages-table tbody tr').count(), same.stages.length);
    await page.locator('#preview-stages-box svg rect.bar').first().waitFor({ state: 'attached' });
    await page.locator('#preview-weeks-box svg').waitFor();
    await shot(page, 'models-1280');

    // a broken model: the server's message (line:col)
    const broken = 'leadscore: 1\nname: broken\nscores: [\n';
    const [bad, err] = await preview(broken);
    assert.equal(bad, 400);
    assert.match(err.error.message, /\d+:\d+/);
    await page.locator('#candidate').fill(broken);
    await page.locator('#preview-run').click();
    const alert = page.locator('#preview-error');
    await alert.waitFor();
    assert.ok((await alert.textContent()).includes(`HTTP 400: ${err.error.message}`), await alert.textContent());
    await shot(page, 'models-error-1280');

    // Japanese: the model's rule labels
    await page.getByRole('button', { name: '日本語' }).click();
    await page.locator('h1', { hasText: messages.ja['models.title'] }).waitFor();
    assert.deepEqual(await page.locator('#model-targets tbody th').allTextContents(), model.targets.map((k) => k.label_ja || k.label));
    assert.ok(await page.locator('#model-rules td', { hasText: model.rules[0].label_ja }).count() > 0);
    await shot(page, 'models-ja-1280');
    await closePage(page);

    // a key without the admin scope: the 403, said in words
    const reader = await newPage();
    await signIn(reader);
    await reader.goto(`${base}/#/models`);
    await reader.locator('#candidate').fill(source);
    await reader.locator('#preview-run').click();
    await reader.locator('#preview-error', { hasText: 'HTTP 403' }).waitFor();
    assert.ok((await reader.locator('#preview-error').textContent()).includes(messages.en['models.noAdmin']));
    await closePage(reader);
  });

  test('models: a backtest report of two models read from a file: the figures equal the JSON, one series per model, a broken file, Japanese', TEST, async () => {
    // the example model and a copy that makes persons hot at 50 (not 65) and gives the pricing page 25 points (not 15)
    const source = readFileSync(MODEL, 'utf8');
    const second = source.replace('when: score >= 65', 'when: score >= 50').replace('rearm_when: score < 65', 'rearm_when: score < 50')
      .replace(/points: 15\b/, 'points: 25');
    for (const changed of ['when: score >= 50', 'rearm_when: score < 50', 'points: 25']) assert.ok(second.includes(changed), changed);
    const candidate = path.join(tmp, 'candidate.yaml');
    writeFileSync(candidate, second);
    const out = path.join(tmp, 'backtest.json');
    leadscore('backtest', '--db', path.join(tmp, 's.db'), '--model', MODEL, '--model', candidate, '--format', 'json', '--out', out);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    assert.deepEqual(report.models.map((m) => m.model), [MODEL, candidate]);
    const diff = report.differences[0];
    assert.ok(diff.stage_differs > 0 && diff.stage_examples.length > 0, 'the two models differ on the demo');
    const RATES = ['precision_opportunity', 'precision_won', 'recall_opportunity', 'recall_won'];

    // the figures as the page should show them (an independent rendering with Intl)
    const nf = (lang, opts) => (v) => new Intl.NumberFormat(lang, opts).format(v);
    const rateText = (x, lang) => {
      if (!x.n || x.rate === null) return '—';
      const d = x.rate > 0 && x.rate < 0.01 ? 3 : 1;
      return nf(lang, { style: 'percent', minimumFractionDigits: d, maximumFractionDigits: d })(x.rate);
    };
    const assertFigures = async (page, lang) => {
      const m = messages[lang];
      const int = nf(lang);
      const cards = await page.locator('#bt-models li.bt-model').evaluateAll((lis) => lis.map((li) => ({
        path: li.querySelector('.bt-path').textContent,
        cls: li.className,
        figures: Object.fromEntries([...li.querySelectorAll('.bt-figure')].map((f) => [f.dataset.figure, {
          label: f.querySelector('dt').textContent,
          main: f.querySelector('.bt-main').textContent,
          count: f.querySelector('.bt-count')?.textContent ?? null,
          small: f.querySelectorAll('.bt-small').length,
          data: { ...f.querySelector('dd').dataset },
        }])),
      })));
      assert.equal(cards.length, report.models.length, 'a card per model');
      report.models.forEach((x, i) => {
        const f = cards[i].figures;
        const what = (k) => `${lang}, model ${i}, ${k}`;
        assert.equal(cards[i].path, x.model);
        assert.match(cards[i].cls, new RegExp(`\\bbt-m${i}\\b`));
        assert.equal(f.mqls.main, int(x.mqls), what('MQLs'));
        assert.equal(Number(f.mqls.data.value), x.mqls);
        assert.equal(f.mqls_per_week.main, nf(lang, { maximumFractionDigits: 1 })(x.mqls_per_week), what('MQLs per week'));
        assert.equal(Number(f.mqls_per_week.data.value), x.mqls_per_week);
        for (const k of RATES) {
          assert.equal(squash(f[k].main), squash(rateText(x[k], lang)), what(k));
          assert.equal(f[k].count, `(${int(x[k].k)}/${int(x[k].n)})`, what(`${k} counts`));
          assert.equal(f[k].small, x[k].small_n ? 1 : 0, what(`${k}: the mark of fewer than ${report.min_n} cases`));
          assert.equal(x[k].small_n, x[k].n < report.min_n);
          assert.deepEqual([Number(f[k].data.k), Number(f[k].data.n)], [x[k].k, x[k].n]);
          assert.equal(f[k].data.rate, x[k].rate === null ? '' : String(x[k].rate));
        }
        const days = nf(lang, { maximumFractionDigits: 1 })(report.horizon_seconds / 86400);
        assert.equal(f.precision_opportunity.label, m['bt.precisionOpp'].replace('{days}', days));
        assert.equal(f.recall_won.label, m['bt.recallWon']);
        assert.equal(f.auc.main, x.ranking.auc === null ? '—' : nf(lang, { maximumFractionDigits: 3 })(x.ranking.auc), what('AUC'));
        assert.equal(f.auc.count, m['bt.aucCount'].replace('{n}', int(x.ranking.n)).replace('{pos}', int(x.ranking.positives)));
        assert.equal(f.auc.small, x.ranking.positives < report.min_n ? 1 : 0);
        assert.equal(f.recommended_threshold.main, x.recommended_threshold === null ? '—' : int(x.recommended_threshold), what('threshold'));
        assert.equal(f.recommended_threshold.label, m['bt.recF1'], 'no --target-mql-per-week: the best F1');
      });
      // the charts: an SVG each with its title and desc; one line (or bar colour) per model
      for (const [id, key] of [['bt-weeks', 'bt.weeksChart'], ['bt-precision', 'bt.precisionChart'], ['bt-recall', 'bt.recallChart']]) {
        await page.locator(`#${id}-box svg g.series`).first().waitFor({ state: 'attached' });
        assert.equal(await page.locator(`#${id}-box svg > title`).textContent(), m[key]);
        assert.ok((await page.locator(`#${id}-box svg > desc`).textContent()).length > 20, `${id}: a desc`);
        assert.deepEqual(await page.locator(`#${id}-box svg g.series`).evaluateAll((gs) => gs.map((g) => g.getAttribute('class'))),
          report.models.map((_, i) => `series bt-m${i}`), `${id}: one line per model`);
      }
      for (const [i, x] of report.models.entries()) {
        assert.equal(await page.locator(`#bt-weeks-box svg g.series.bt-m${i} circle`).count(), x.mqls_by_week.length, 'a point per week');
        assert.equal(await page.locator(`#bt-precision-box svg g.series.bt-m${i} circle`).count(), x.sweep.length, 'a point per threshold');
        // each point's <title> ends with its value: the model's own numbers, not another's
        const tip = (which) => page.locator(`#${which}-box svg g.series.bt-m${i} circle title`).evaluateAll((ts) => ts.map((t) => t.textContent.split(': ').pop()));
        assert.deepEqual(await tip('bt-weeks'), x.mqls_by_week.map((v) => int(v)), `weeks of model ${i}`);
        for (const which of ['precision', 'recall']) {
          const shown = x.sweep.map((s) => {
            const v = (s[which].rate ?? 0) * 100; // drawn as percentages: whole ticks
            const d = Number.isInteger(v) ? 0 : 1;
            return squash(nf(lang, { style: 'percent', minimumFractionDigits: d, maximumFractionDigits: d })(v / 100));
          });
          assert.deepEqual((await tip(`bt-${which}`)).map(squash), shown, `${which} of model ${i}`);
        }
      }
      await page.locator('#bt-lift-box svg rect.bar').first().waitFor({ state: 'attached' });
      assert.equal(await page.locator('#bt-lift-box svg > title').textContent(), m['bt.liftChart']);
      const liftBars = await page.locator('#bt-lift-box svg rect.bar').evaluateAll((rs) => rs.map((r) => r.getAttribute('class')));
      assert.deepEqual([...new Set(liftBars)].sort(), report.models.map((_, i) => `bar bt-m${i}`), 'lift: a bar colour per model');
      assert.equal(liftBars.length, 10 * report.models.length, 'lift: ten deciles');
      const diffBars = await page.locator('#bt-diff-box svg rect.bar').evaluateAll((rs) => rs.map((r) => r.getAttribute('class')));
      assert.deepEqual(diffBars, ['bar bt-m1', 'bar bt-m1', 'bar bt-m1'], 'differences: one series (model B against A)');
    };

    const page = await newPage();
    await signIn(page, key, { at: '/#/models', ready: '#bt-file' });
    assert.match(await page.locator('#bt-hint').textContent(), /leadscore backtest --db FILE --model A\.yaml --model B\.yaml --format json --out report\.json/);
    await page.locator('#bt-file').setInputFiles(out);
    await page.locator('#bt-models').waitFor();
    assert.equal(await page.locator('#bt-status').textContent(),
      messages.en['bt.loaded'].replace('{file}', 'backtest.json').replace('{models}', '2').replace('{weeks}', String(report.weeks)));
    await assertFigures(page, 'en');

    // the numbers as tables
    const weekRows = await page.locator('#bt-weeks-table tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => Number(td.dataset.value))));
    assert.deepEqual(weekRows, report.models[0].mqls_by_week.map((_, w) => report.models.map((x) => x.mqls_by_week[w])));
    for (const [i, x] of report.models.entries()) {
      assert.deepEqual(await page.locator(`#bt-lift-table-${i} td[data-lift]`).evaluateAll((tds) => tds.map((td) => td.dataset.lift)),
        x.ranking.deciles.map((d) => (d.lift === null ? '' : String(d.lift))));
      assert.deepEqual(await page.locator(`#bt-sweep-table-${i} tbody tr`).evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.threshold))),
        x.sweep.map((s) => s.threshold));
      assert.deepEqual(await page.locator(`#bt-sweep-table-${i} tr.bt-rec`).evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.threshold))),
        [x.recommended_threshold], 'the recommended row');
    }
    // the differences: counts and the examples, each a link to its lead
    const counts = await page.locator('#bt-diff-table tbody tr td').evaluateAll((tds) => tds.map((td) => Number(Object.values(td.dataset)[0])));
    assert.deepEqual(counts, [diff.compared, diff.stage_differs, diff.mql_only_a, diff.mql_only_b]);
    for (const [sel, list] of [['#bt-ex-stage-0', diff.stage_examples], ['#bt-ex-a-0', diff.mql_only_a_examples], ['#bt-ex-b-0', diff.mql_only_b_examples]]) {
      assert.deepEqual(await page.locator(`${sel} tbody a`).evaluateAll((as) => as.map((a) => a.getAttribute('href'))),
        list.map((e) => `#/leads/${encodeURIComponent(e.lead_id)}`), sel);
    }
    await shot(page, 'models-backtest-1280');
    const example = diff.stage_examples[0];
    await page.locator('#bt-ex-stage-0 tbody a').first().click();
    await page.locator('#lead-score').waitFor();
    assert.equal(decodeURIComponent(await page.evaluate(() => location.hash)), `#/leads/${example.lead_id}`);
    await page.goBack();
    await page.locator('#bt-models').waitFor(); // the report stays while the tab lives

    // broken files: not JSON; JSON without `models`; a model without a rate
    await page.locator('#bt-file').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"models": [') });
    const alert = page.locator('#bt-error');
    await alert.waitFor();
    assert.ok((await alert.textContent()).startsWith(messages.en['bt.notJson'].replace('{file}', 'broken.json').split('{message}')[0]), await alert.textContent());
    assert.equal(await page.locator('#bt-models').count(), 0, 'no figures from a broken file');
    await page.locator('#bt-section-title').evaluate((el) => el.scrollIntoView());
    await shot(page, 'models-backtest-error-1280', { fullPage: false }); // the section and its alert in view
    const { models: _, ...noModels } = report;
    await page.locator('#bt-file').setInputFiles({ name: 'no-models.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(noModels)) });
    await page.locator('#bt-error', { hasText: 'no-models.json' }).waitFor();
    assert.equal(await page.locator('#bt-error code').textContent(), 'models');
    const noRate = structuredClone(report);
    delete noRate.models[1].precision_won;
    await page.locator('#bt-file').setInputFiles({ name: 'no-rate.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(noRate)) });
    await page.locator('#bt-error', { hasText: 'no-rate.json' }).waitFor();
    assert.equal(await page.locator('#bt-error code').textContent(), 'models[1].precision_won');

    // in Japanese: the same figures in Japanese formats and labels
    await page.locator('#bt-file').setInputFiles(out);
    await page.locator('#bt-models').waitFor();
    await page.getByRole('button', { name: '日本語' }).click();
    await page.locator('#bt-section-title', { hasText: messages.ja['bt.title'] }).waitFor();
    await page.locator('#bt-models').waitFor();
    await assertFigures(page, 'ja');
    assert.match(await page.locator('#bt-hint').textContent(), /でレポートを作成し/);
    await shot(page, 'models-backtest-ja-1280');
    await closePage(page);

    // a phone: no sideways scroll, the charts fit
    const phone = await newPage({ width: 390, height: 844 });
    await signIn(phone, key, { at: '/#/models', ready: '#bt-file' });
    await phone.locator('#bt-file').setInputFiles(out);
    await phone.locator('#bt-diff-box svg').waitFor();
    const [sw, cw] = await phone.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
    assert.ok(sw <= cw, `models with a backtest report: the page is ${sw} px wide in a ${cw} px window`);
    for (const id of ['bt-weeks', 'bt-lift', 'bt-precision', 'bt-recall', 'bt-diff']) {
      const w = await phone.locator(`#${id}-box svg`).evaluate((el) => el.getBoundingClientRect().right);
      assert.ok(w <= cw, `${id} fits (its right edge at ${w} px)`);
    }
    await shot(phone, 'models-backtest-390');
    await closePage(phone);
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

    // the new pages: the funnel (en and ja), the review, the models
    await page.goto(`${base}/#/funnel`);
    await page.locator('#weekly-chart-box svg').waitFor();
    await noOverflow('funnel');
    const chartWidth = await page.locator('#weekly-chart-box svg').evaluate((el) => el.getBoundingClientRect().width);
    assert.ok(chartWidth <= 390, `the weekly chart fits (${chartWidth} px)`);
    await shot(page, 'funnel-390');
    await page.goto(`${base}/#/review?month=${monthFrom(latestEventTime(EVENTS), -1)}`);
    await page.locator('#review-kpis').waitFor();
    await noOverflow('review');
    assert.ok(await page.locator('#review-kpis').evaluate((el) => el.parentElement.scrollWidth > el.parentElement.clientWidth),
      'the KPI table scrolls in its wrapper');
    await shot(page, 'review-390');
    await page.goto(`${base}/#/models`);
    await page.locator('#model-versions').waitFor();
    await noOverflow('models');
    await shot(page, 'models-390');
    await page.getByRole('button', { name: '日本語' }).click();
    await page.goto(`${base}/#/funnel`);
    await page.locator('h1', { hasText: messages.ja['funnel.title'] }).waitFor();
    await page.locator('#weekly-chart-box svg').waitFor();
    await noOverflow('funnel (ja)');
    await shot(page, 'funnel-ja-390');
    await closePage(page);
  });

  // last: it moves the store's clock (the server reads as of the latest event)
  test('a lead\'s ledger ends at the read time: decay due since the last write shows as "not yet written", and adds up', TEST, async () => {
    const top = (await api('/v1/leads?stage=hot&sort=-score&limit=1')).leads[0];
    const later = new Date(Date.parse(latestEventTime(EVENTS)) + 200 * 86400e3).toISOString().replace('.000Z', 'Z');
    const res = await fetch(`${base}/v1/events`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ingestKey}`, 'Content-Type': 'application/x-ndjson' },
      body: `${JSON.stringify({ id: 'clock-mover', type: 'page_view', time: later, anonymous_id: 'c-clock-mover' })}\n`,
    });
    assert.equal(res.status, 200, await res.text());
    const ledger = (await api(`/v1/leads/${encodeURIComponent(top.lead_id)}/ledger`)).ledger;
    const due = ledger.filter((r) => r.pending);
    assert.ok(due.length > 0 && due.every((r) => r.kind === 'decay'), 'decay steps are due 200 days on');
    const page = await newPage();
    await signIn(page, key, { at: `/#/leads/${encodeURIComponent(top.lead_id)}`, ready: '#lead-score' });
    await page.locator('#pending-decay').waitFor();
    assert.equal(await page.locator('#ledger-table tbody tr[data-pending="true"]').count(), due.length);
    assert.equal(await page.locator('#ledger-table tbody tr[data-pending="true"] .kind-pending').first().textContent(), messages.en['ledger.pending']);
    const { shown, sum } = await scoreAndLedgerSum(page);
    assert.equal(shown, sum, 'the score shown is the sum of the ledger, pending rows included');
    assert.equal(shown, (await api(`/v1/leads/${encodeURIComponent(top.lead_id)}`)).scores.score);
    await shot(page, 'lead-pending-1280');
    await closePage(page);
  });
});
