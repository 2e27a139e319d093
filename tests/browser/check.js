// tests/browser/check.js: open HTML reports in Debian's Chromium and check them as a reader's
// browser shows them: accessibility (axe-core at WCAG 2.2 AA) and layout (desktop and A4 print
// widths), with screenshots and a PDF of each.  tests/e2e/a11y.sh runs it and turns its verdict
// lines into passes and failures.
//
//   /usr/bin/node tests/browser/check.js --chromium BIN --axe AXE.min.js --out DIR REPORT.html...
//
// For each REPORT.html (with REPORT.json, the same report as JSON, beside it) it prints lines
//   CHECK <TAB> ok|fail <TAB> report: what is checked <TAB> details (one line of JSON, or empty)
// and writes DIR/REPORT-desktop.png, DIR/REPORT-print.png, DIR/REPORT.pdf and
// DIR/REPORT-result.json (everything measured).  Exit status 0 when it could run at all (the
// checks' verdicts are in the lines), 2 on a harness failure (no browser, a page that never
// loads), which the test counts as a failure.
//
// Design decisions:
// - The browser is driven over the DevTools protocol through a pipe (--remote-debugging-pipe:
//   NUL-separated JSON on file descriptors 3 and 4, as Puppeteer's pipe mode does), so there is
//   no port, no WebSocket library and no browser download: only Node's own modules, Debian's
//   chromium and the axe-core package (pinned in package-lock.json, installed by `make
//   test-deps`).  One browser serves every report; each report gets a fresh tab.
// - axe-core is injected into the loaded page by Runtime.evaluate (the report file is never
//   edited), then run with runOnly = the WCAG 2.0/2.1/2.2 A and AA tags; every violation is
//   reported with its rule id, impact and the elements it names.  A run that did not apply
//   the rules every report must meet (language, title, text contrast) is a
//   failure too, so a page that did not render cannot pass by being empty.
// - Layout at two widths: the desktop window (1366x900, screen media) and the printed page
//   (print media emulated; the width is A4 minus the margins that the report's own @page rule
//   sets: 794 px portrait or 1123 px landscape at 96 px per inch).  At each, the document may
//   not scroll sideways (scrollWidth <= innerWidth) and no visible element may reach past
//   the viewport's edges; offenders are named by the outermost element (tag, id, classes,
//   text).
// - Console: console.error/assert calls, uncaught exceptions and browser log entries of level
//   error (a resource that failed to load) are failures, collected from before navigation.
// - KPI rows: every KPI the JSON report lists (rows and sections' rows with a `kpi` field, or
//   golden-thread rows of kind "kpi") must be in the page as an element with data-kpi="ID", at
//   least as many times as the JSON lists it, and the page may mark no KPI the JSON lacks.
// - The PDF is printed by the same browser (Page.printToPDF: the report's @page size, no
//   browser header or footer, backgrounds on), i.e. what `chromium --print-to-pdf
//   --no-pdf-header-footer` writes, unless the caller gives one already (REPORT.pdf beside the
//   HTML, e.g. from `pmf report --format pdf`): then that one is copied and checked.
'use strict';

const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');

const RUN_ONLY = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
// Rules that apply to any rendered report (a language, a title, text): a run that did
// not apply them all checked nothing worth the name.
const MUST_APPLY = ['html-has-lang', 'document-title', 'color-contrast'];
const DESKTOP = { width: 1366, height: 900 };
const A4_MM = { width: 210, height: 297 };
const PX_PER_MM = 96 / 25.4;
const PAGE_TIMEOUT_MS = 30000;

function usage(msg) {
  process.stderr.write('check.js: ' + msg + '\nusage: node check.js --chromium BIN --axe AXE.min.js --out DIR REPORT.html...\n');
  process.exit(2);
}

function parseArgs(argv) {
  const o = { pages: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--chromium' || a === '--axe' || a === '--out') {
      if (argv[i + 1] === undefined) usage(a + ' needs a value');
      o[a.slice(2)] = argv[++i];
    } else if (a.startsWith('--')) {
      usage('unknown option ' + a);
    } else {
      o.pages.push(a);
    }
  }
  if (!o.chromium || !o.axe || !o.out || o.pages.length === 0) usage('missing arguments');
  return o;
}

// ---- the DevTools protocol over a pipe ----------------------------------------------------

class Browser {
  constructor(bin, profile) {
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = [];
    this.buffer = '';
    this.stderr = '';
    this.proc = spawn(bin, [
      '--headless', '--remote-debugging-pipe', '--no-sandbox', '--disable-gpu',
      '--disable-dev-shm-usage', '--no-first-run', '--no-default-browser-check',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-extensions', '--hide-scrollbars', '--mute-audio', '--force-color-profile=srgb',
      '--font-render-hinting=none', '--user-data-dir=' + profile, 'about:blank',
    ], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
    // 'exit' never comes when the program could not be started: 'error' ends the wait then
    this.exited = new Promise((resolve) => {
      this.proc.on('exit', (code, sig) => resolve({ code, sig }));
      this.proc.on('error', (e) => resolve({ code: e.code }));
    });
    this.proc.stderr.on('data', (d) => { if (this.stderr.length < 20000) this.stderr += d; });
    this.proc.on('error', (e) => this.failAll(new Error('cannot start ' + bin + ': ' + e.message)));
    this.exited.then(({ code, sig }) => this.failAll(new Error('chromium exited (' + (sig || code) + ')\n' + this.stderr.slice(-2000))));
    this.out = this.proc.stdio[3];
    this.proc.stdio[4].on('data', (d) => this.receive(d));
    this.out.on('error', () => {});
  }

  failAll(err) {
    this.dead = err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  receive(data) {
    this.buffer += data.toString('utf8');
    let end;
    while ((end = this.buffer.indexOf('\0')) >= 0) {
      const text = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 1);
      let msg;
      try { msg = JSON.parse(text); } catch (e) { continue; }
      if (msg.id !== undefined && this.pending.has(msg.id)) {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (msg.error) p.reject(new Error(p.method + ': ' + msg.error.message));
        else p.resolve(msg.result);
      } else if (msg.method) {
        for (const l of this.listeners) l(msg);
      }
    }
  }

  send(method, params, sessionId) {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    const msg = { id, method, params: params || {} };
    if (sessionId) msg.sessionId = sessionId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      this.out.write(JSON.stringify(msg) + '\0');
    });
  }

  on(fn) { this.listeners.push(fn); }
  off(fn) { this.listeners = this.listeners.filter((l) => l !== fn); }

  async close() {
    try { await withTimeout(this.send('Browser.close'), 5000, 'Browser.close'); } catch (e) { /* killed below */ }
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(t);
  }
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(what + ': no answer in ' + ms + ' ms')), ms); }),
  ]).finally(() => clearTimeout(timer));
}

// A tab: commands go to its session; events of its session are kept.
class Tab {
  constructor(browser, sessionId, targetId) {
    this.b = browser;
    this.sessionId = sessionId;
    this.targetId = targetId;
    this.console = [];
    this.loadWaiters = [];
    this.listener = (msg) => {
      if (msg.sessionId !== sessionId) return;
      const p = msg.params || {};
      if (msg.method === 'Page.loadEventFired') {
        const w = this.loadWaiters; this.loadWaiters = [];
        for (const f of w) f();
      } else if (msg.method === 'Runtime.consoleAPICalled' && (p.type === 'error' || p.type === 'assert')) {
        this.console.push('console.' + p.type + ': ' + (p.args || []).map((a) => a.value !== undefined ? String(a.value) : (a.description || a.type)).join(' '));
      } else if (msg.method === 'Runtime.exceptionThrown') {
        const d = p.exceptionDetails || {};
        this.console.push('uncaught: ' + ((d.exception && d.exception.description) || d.text));
      } else if (msg.method === 'Log.entryAdded' && p.entry && p.entry.level === 'error') {
        this.console.push('log (' + p.entry.source + '): ' + p.entry.text + (p.entry.url ? ' ' + p.entry.url : ''));
      }
    };
    browser.on(this.listener);
  }

  static async open(browser) {
    const { targetId } = await browser.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await browser.send('Target.attachToTarget', { targetId, flatten: true });
    const tab = new Tab(browser, sessionId, targetId);
    await tab.send('Page.enable');
    await tab.send('Runtime.enable');
    await tab.send('Log.enable');
    return tab;
  }

  send(method, params) { return withTimeout(this.b.send(method, params, this.sessionId), PAGE_TIMEOUT_MS, method); }

  async navigate(url) {
    const loaded = new Promise((resolve) => this.loadWaiters.push(resolve));
    const r = await this.send('Page.navigate', { url });
    if (r.errorText) throw new Error('cannot load ' + url + ': ' + r.errorText);
    await withTimeout(loaded, PAGE_TIMEOUT_MS, 'load of ' + url);
  }

  // Evaluate an expression in the page (awaiting a promise), returning its JSON value.
  async evaluate(expression) {
    const r = await this.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
    if (r.exceptionDetails) {
      const d = r.exceptionDetails;
      throw new Error('in the page: ' + ((d.exception && d.exception.description) || d.text));
    }
    return r.result.value;
  }

  async viewport(width, height, media) {
    await this.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false });
    await this.send('Emulation.setEmulatedMedia', { media: media || '' });
    // let style and layout settle for the new size and media
    await this.evaluate('new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))');
  }

  async screenshot(file) {
    const h = await this.evaluate('Math.min(Math.max(document.documentElement.scrollHeight, 1), 12000)');
    const w = await this.evaluate('window.innerWidth');
    const r = await this.send('Page.captureScreenshot', {
      format: 'png', captureBeyondViewport: true, clip: { x: 0, y: 0, width: w, height: h, scale: 1 },
    });
    fs.writeFileSync(file, Buffer.from(r.data, 'base64'));
  }

  async close() {
    this.b.off(this.listener);
    await this.b.send('Target.closeTarget', { targetId: this.targetId }).catch(() => {});
  }
}

// ---- what is measured in the page -----------------------------------------------------------

// The printable width in CSS px: the report's @page size (A4 portrait unless it says
// otherwise) less its @page margins.
const PRINT_WIDTH_JS = `(() => {
  const MM = ${PX_PER_MM};
  const len = (s) => {
    const m = /^(-?[0-9.]+)(mm|cm|in|px|pt)?$/.exec(String(s || '').trim());
    if (!m) return null;
    const v = parseFloat(m[1]);
    return { mm: v * MM, cm: v * 10 * MM, in: v * 96, px: v, pt: v * 96 / 72 }[m[2] || 'px'];
  };
  let width = ${A4_MM.width} * MM, height = ${A4_MM.height} * MM, left = null, right = null, rule = '';
  const walk = (rules) => { for (const r of rules) {
    if (r.type === CSSRule.PAGE_RULE && !r.selectorText) {
      rule = r.cssText;
      const size = (r.style.getPropertyValue('size') || '').toLowerCase().split(/\\s+/).filter(Boolean);
      const lengths = size.map(len).filter((v) => v !== null);
      if (lengths.length >= 1) { width = lengths[0]; height = lengths[1] || lengths[0]; }
      if (size.includes('landscape') && width < height) { const t = width; width = height; height = t; }
      if (size.includes('portrait') && width > height) { const t = width; width = height; height = t; }
      const ml = len(r.style.getPropertyValue('margin-left')), mr = len(r.style.getPropertyValue('margin-right'));
      if (ml !== null) left = ml;
      if (mr !== null) right = mr;
    } else if (r.cssRules && r.type === CSSRule.MEDIA_RULE && /print|all/.test(r.conditionText || r.media.mediaText)) {
      walk(r.cssRules);
    }
  } };
  for (const s of document.styleSheets) { try { walk(s.cssRules); } catch (e) { /* not readable */ } }
  const printable = width - (left === null ? 0 : left) - (right === null ? 0 : right);
  return { pageWidth: Math.round(width), pageHeight: Math.round(height), printable: Math.floor(printable), rule };
})()`;

// Overflow: the document's sideways scroll and the outermost visible elements past the edges.
const OVERFLOW_JS = `(() => {
  const vw = window.innerWidth;
  const de = document.documentElement;
  const name = (e) => {
    let s = e.tagName.toLowerCase();
    if (e.id) s += '#' + e.id;
    const cls = typeof e.className === 'string' ? e.className : (e.className && e.className.baseVal) || '';
    if (cls.trim()) s += '.' + cls.trim().split(/\\s+/).join('.');
    const kpi = e.closest('[data-kpi]');
    if (kpi) s += ' [in data-kpi=' + kpi.getAttribute('data-kpi') + ']';
    const t = (e.textContent || '').replace(/\\s+/g, ' ').trim().slice(0, 50);
    return t ? s + ' "' + t + '"' : s;
  };
  const wide = [];
  const seen = new Set();
  for (const e of document.body.querySelectorAll('*')) {
    const st = getComputedStyle(e);
    if (st.display === 'none' || st.visibility === 'hidden') continue;
    const r = e.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.right > vw + 1 || r.left < -1) {
      let a = e.parentElement, nested = false;
      while (a) { if (seen.has(a)) { nested = true; break; } a = a.parentElement; }
      seen.add(e);
      if (!nested) wide.push({ element: name(e), left: Math.round(r.left), right: Math.round(r.right), width: Math.round(r.width) });
    }
  }
  return { innerWidth: vw, scrollWidth: Math.max(de.scrollWidth, document.body.scrollWidth), wide: wide.slice(0, 20), wideCount: wide.length };
})()`;

const KPIS_JS = `Array.from(document.querySelectorAll('[data-kpi]')).map((e) => e.getAttribute('data-kpi'))`;

function axeRunJs() {
  return `(async () => {
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(RUN_ONLY)} },
                                       resultTypes: ['violations'] });
    return {
      version: axe.version,
      passed: r.passes.length, inapplicable: r.inapplicable.length, incomplete: r.incomplete.length,
      applied: r.passes.concat(r.violations, r.incomplete).map((x) => x.id),
      violations: r.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help, tags: v.tags.filter((t) => /^wcag/.test(t)),
        count: v.nodes.length,
        nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(' '), html: n.html.slice(0, 160),
                                                summary: (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 240) })),
      })),
    };
  })()`;
}

// The KPI ids a JSON report lists, with how often.
function jsonKpis(rep) {
  const want = new Map();
  const add = (id) => want.set(id, (want.get(id) || 0) + 1);
  const scan = (rows) => {
    for (const r of rows || []) {
      if (r && typeof r.kpi === 'string') add(r.kpi);
      else if (r && r.kind === 'kpi' && typeof r.id === 'string') add(r.id);
    }
  };
  scan(rep.rows);
  for (const s of rep.sections || []) scan(s.rows);
  for (const t of rep.tiles || []) if (t && typeof t.kpi === 'string') add(t.kpi);
  return want;
}

// ---- one report --------------------------------------------------------------------------

function verdict(ok, what, details) {
  const d = details === undefined || details === null ? '' : JSON.stringify(details);
  process.stdout.write('CHECK\t' + (ok ? 'ok' : 'fail') + '\t' + what + '\t' + d.replace(/[\t\n]/g, ' ') + '\n');
}

async function checkReport(browser, axeSource, file, outDir) {
  const name = path.basename(file, '.html');
  const result = { report: name, file };
  const tab = await Tab.open(browser);
  try {
    // 1. desktop, screen media: axe, overflow, KPI rows, console
    await tab.viewport(DESKTOP.width, DESKTOP.height, 'screen');
    await tab.navigate('file://' + path.resolve(file));
    result.title = await tab.evaluate('document.title');
    verdict(typeof result.title === 'string' && result.title.trim() !== '', name + ': the page loads and has a title', result.title);

    await tab.evaluate(axeSource + '\n;true');
    result.axe = await tab.evaluate(axeRunJs());
    const ax = result.axe;
    const needed = MUST_APPLY.filter((id) => !ax.applied.includes(id));
    verdict(needed.length === 0, name + ': axe-core ' + ax.version + ' checked the page (' + ax.applied.length + ' rules applied)',
      needed.length ? { notApplied: needed, applied: ax.applied } : null);
    verdict(ax.violations.length === 0, name + ': no WCAG 2.2 AA violations (axe-core)',
      ax.violations.map((v) => ({ rule: v.id, impact: v.impact, elements: v.count, first: v.nodes[0] && v.nodes[0].target, html: v.nodes[0] && v.nodes[0].html })));

    result.desktop = await tab.evaluate(OVERFLOW_JS);
    layoutVerdicts(name, 'desktop ' + DESKTOP.width + 'x' + DESKTOP.height, result.desktop);

    const want = jsonKpis(result.json = readJson(file.replace(/\.html$/, '.json')));
    const got = new Map();
    for (const id of await tab.evaluate(KPIS_JS)) got.set(id, (got.get(id) || 0) + 1);
    const missing = [...want].filter(([id, n]) => (got.get(id) || 0) < n).map(([id, n]) => id + (n > 1 ? ' x' + n : ''));
    const extra = [...got.keys()].filter((id) => !want.has(id));
    result.kpis = { json: Object.fromEntries(want), page: Object.fromEntries(got) };
    verdict(missing.length === 0 && extra.length === 0,
      name + ': every KPI row of the JSON (' + [...want.values()].reduce((a, b) => a + b, 0) + ') is in the page as data-kpi (' + [...got.values()].reduce((a, b) => a + b, 0) + ')',
      { missing: missing.slice(0, 12), missingCount: missing.length, notInJson: extra.slice(0, 12) });

    await tab.screenshot(path.join(outDir, name + '-desktop.png'));

    // 2. print media at the printable width of the report's page
    result.page = await tab.evaluate(PRINT_WIDTH_JS);
    await tab.viewport(result.page.printable, Math.round(result.page.pageHeight), 'print');
    result.print = await tab.evaluate(OVERFLOW_JS);
    layoutVerdicts(name, 'print ' + result.page.printable + ' px (' + (result.page.rule || 'no @page rule: A4 portrait') + ')', result.print);
    await tab.screenshot(path.join(outDir, name + '-print.png'));

    // 3. the PDF: the caller's (pmf's own), else printed here
    const given = file.replace(/\.html$/, '.pdf');
    const pdf = path.join(outDir, name + '.pdf');
    if (fs.existsSync(given)) {
      if (path.resolve(given) !== path.resolve(pdf)) fs.copyFileSync(given, pdf);
      result.pdf = { from: given };
    } else {
      await tab.viewport(DESKTOP.width, DESKTOP.height, '');
      const r = await tab.send('Page.printToPDF', { preferCSSPageSize: true, printBackground: true, displayHeaderFooter: false });
      fs.writeFileSync(pdf, Buffer.from(r.data, 'base64'));
      result.pdf = { from: 'Page.printToPDF' };
    }

    result.console = tab.console.slice();
    verdict(result.console.length === 0, name + ': no console errors', result.console.slice(0, 10));
  } finally {
    await tab.close();
    fs.writeFileSync(path.join(outDir, name + '-result.json'), JSON.stringify(result, null, 1));
  }
}

function layoutVerdicts(name, where, m) {
  verdict(m.scrollWidth <= m.innerWidth, name + ': no sideways scroll at ' + where,
    { scrollWidth: m.scrollWidth, innerWidth: m.innerWidth });
  verdict(m.wideCount === 0, name + ': no element past the page edges at ' + where,
    m.wideCount ? { count: m.wideCount, outermost: m.wide.slice(0, 5) } : null);
}

function readJson(file) {
  try { return JSON.parse(fs.readFileSync(file, 'utf8')); } catch (e) {
    throw new Error('cannot read the JSON report ' + file + ': ' + e.message);
  }
}

// ---- main --------------------------------------------------------------------------------

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const axeSource = fs.readFileSync(o.axe, 'utf8');
  fs.mkdirSync(o.out, { recursive: true });
  const profile = fs.mkdtempSync(path.join(o.out, 'profile-'));
  const browser = new Browser(o.chromium, profile);
  let status = 0;
  try {
    const v = await withTimeout(browser.send('Browser.getVersion'), PAGE_TIMEOUT_MS, 'Browser.getVersion');
    process.stdout.write('browser\t' + v.product + '\n');
    for (const file of o.pages) {
      try {
        await checkReport(browser, axeSource, file, o.out);
      } catch (e) {
        verdict(false, path.basename(file, '.html') + ': the harness could check it', e.message);
        status = 2;
        if (browser.dead) break;
      }
    }
  } catch (e) {
    process.stderr.write('check.js: ' + e.message + '\n');
    status = 2;
  } finally {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  process.exit(status);
}

main();
