// The dashboard's first paint, for bench/dashboard.sh (not a test: node's
// test runner only picks up *.test.mjs). Loads URL (a `leadscore serve
// --web` that needs no key: loopback without keys) RUNS times in a fresh
// browser context of Debian's Chromium and prints the median and slowest
// first contentful paint, and the time until the leads table (#/leads) and
// the funnel (#/funnel) are on screen.
//
//   URL=http://127.0.0.1:PORT/ RUNS=20 node tests/first_paint.mjs
import { chromium } from 'playwright-core';

const url = process.env.URL.replace(/#.*$/, ''); // each load adds its page's hash
const runs = Number(process.env.RUNS || 20);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
const fcp = [];
const table = [];
const funnel = [];
/** Loads `hash` in a fresh context; ms until `selector` shows, and the first paint. */
async function load(hash, selector) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const t0 = Date.now();
  await page.goto(url + hash, { waitUntil: 'commit' });
  await page.locator(selector).first().waitFor({ timeout: 30_000 });
  const shown = Date.now() - t0;
  const paint = await page.evaluate(() => {
    const e = performance.getEntriesByName('first-contentful-paint')[0];
    return e ? e.startTime : NaN;
  });
  await context.close();
  return [shown, paint];
}
try {
  for (let i = 0; i <= runs; i++) {
    const [shown, paint] = await load('#/leads', '#leads-table tbody tr');
    const [funnelShown] = await load('#/funnel', '#mql-count');
    if (i > 0) { // the first load warms the server's index and the disk cache
      fcp.push(paint);
      table.push(shown);
      funnel.push(funnelShown);
    }
  }
} finally {
  await browser.close();
}
const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (v) => `median ${median(v).toFixed(1).padStart(7)} ms  max ${Math.max(...v).toFixed(1).padStart(7)} ms`;
console.log(`${'first contentful paint'.padEnd(44)} ${fmt(fcp)}  (target <= 1000 ms)`);
console.log(`${'leads page: table on screen (50 rows)'.padEnd(44)} ${fmt(table)}`);
console.log(`${'funnel page: KPIs on screen'.padEnd(44)} ${fmt(funnel)}`);
