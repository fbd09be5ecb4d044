import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildDiagram } from '../diagram/model';
import { diagramHtml } from '../diagram/page';
import { shivizLog } from '../diagram/shiviz';
import { syntheticRecord, syntheticScript } from '../diagram/synthetic';
import { BenchRow } from './row';

// The message diagram at scale: a generated record of 50,000 messages (5 servers, 5 clients),
// built into the diagram's model, the HTML page and a ShiViz log in Node, then loaded in headless
// Chromium until its first screen is drawn. Figures only, no targets.

const MESSAGES = 50_000;
const CHROMIUM = '/usr/bin/chromium';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timedSync<T>(fn: () => T): { ms: number; value: T } {
  const t = performance.now();
  const value = fn();
  return { ms: performance.now() - t, value };
}

export async function benchDiagram(): Promise<BenchRow[]> {
  const section = 'diagram';
  const rows: BenchRow[] = [];
  const opts = { messages: MESSAGES };
  const events = syntheticRecord(opts);
  const scriptLines = syntheticScript(opts);
  const n = `${MESSAGES.toLocaleString('en')} messages`;

  const model = [0, 1, 2].map(() => timedSync(() => buildDiagram(events, scriptLines)));
  rows.push({ section, name: `build the diagram's model, ${n} (median of 3)`, value: median(model.map((x) => x.ms)), unit: 'ms', note: `${model[0].value.rows.toLocaleString('en')} rows` });
  const html = [0, 1, 2].map(() => timedSync(() => diagramHtml(events, { title: 'bench', scriptLines })));
  const bytes = Buffer.byteLength(html[0].value);
  rows.push({ section, name: `build the HTML page, ${n} (median of 3)`, value: median(html.map((x) => x.ms)), unit: 'ms', note: `${(bytes / 1e6).toFixed(1)} MB` });
  const shiviz = [0, 1, 2].map(() => timedSync(() => shivizLog(events)));
  rows.push({ section, name: `build the ShiViz log, ${n} (median of 3)`, value: median(shiviz.map((x) => x.ms)), unit: 'ms', note: `${(Buffer.byteLength(shiviz[0].value) / 1e6).toFixed(1)} MB` });

  if (!fs.existsSync(CHROMIUM)) {
    process.stderr.write(`diagram browser benchmark unavailable: no ${CHROMIUM}\n`);
    return rows;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvcmd-bench-diagram-'));
  const file = path.join(dir, 'diagram.html');
  fs.writeFileSync(file, html[0].value);
  // Loaded lazily: a dev dependency, only needed here.
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const inPage: number[] = [], outside: number[] = [], drawn: number[] = [];
    for (let i = 0; i < 3; i++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const t = performance.now();
      await page.goto('file://' + file);
      await page.waitForSelector('body[data-ready]', { timeout: 120_000 });
      outside.push(performance.now() - t);
      inPage.push((await page.evaluate('window.kvcmdDiagram.readyMs')) as number);
      drawn.push(Number(await page.evaluate('document.body.dataset.drawn')));
      await page.close();
    }
    rows.push({
      section, name: `headless Chromium: load to first screen drawn, ${n} (median of 3)`, value: median(inPage), unit: 'ms',
      note: `navigation start to data-ready; ${median(outside).toFixed(0)} ms as seen from playwright; ${median(drawn)} arrows drawn`,
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto('file://' + file);
    await page.waitForSelector('body[data-ready]', { timeout: 120_000 });
    const frame = (await page.evaluate(`(() => {
      const s = document.getElementById('scroller'), times = [];
      for (let i = 1; i <= 50; i++) {
        s.scrollTop = (s.scrollHeight * i) / 51;
        const t = performance.now();
        window.kvcmdDiagram.redraw();
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      return times[25];
    })()`)) as number;
    rows.push({ section, name: `headless Chromium: one frame after a scroll, ${n} (median of 50 positions)`, value: frame, unit: 'ms' });
    await page.close();
  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
