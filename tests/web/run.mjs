#!/usr/bin/env node
// The web view in a real browser: starts `pprof-lsp web --no-browser --http
// 127.0.0.1:0` for the fixture heap profile and reads the page in headless
// Chromium:
//   - a request without the token, or with a foreign Host, gets 403;
//   - the root frame is as wide as the graph, and the hottest init
//     function's frame is its cum share of that width (within 1%), its
//     tooltip naming it with its value and share;
//   - the top table's first row is `pprof-lsp top`'s first row, and by cum
//     `pprof-lsp top --cum`'s;
//   - search highlights the matching frames; a click zooms, into a URL that
//     shows the same zoom after a reload;
//   - Ctrl+click on a frame, with no editor attached, shows its line in the
//     page's source view with the line's cost;
//   - a filter in the URL changes the graph and the top table as the CLI's
//     flag does; filters that drop everything leave the table empty, with
//     the CLI's notes (pprof's stderr lines) above it.
// Expected values come from the golden pprof output and from the CLI, not
// from literals. Every process started is stopped by its PID, pass or fail.
//
// Usage: node tests/web/run.mjs            (the checks; PASS or FAIL)
//        node tests/web/run.mjs --measure PROFILE
//            (time to first paint and payload of the page for PROFILE)
// A screenshot of the flame graph goes to tests/artifacts/web/, and with
// PPROF_SCREENSHOT_DIR set also there as web-flame.png.

import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

import { launchChromium, until as waitUntil } from '../browser.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TOOLS = path.join(ROOT, '.tools');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const SERVER = process.env.PPROF_LSP ?? path.join(ROOT, 'target', 'release', 'pprof-lsp');
const ARTIFACTS = path.join(ROOT, 'tests', 'artifacts', 'web');
const PROFILE = path.join(ROOT, 'tests', 'fixtures', 'profiles', 'heap.pb.gz');
const WORKSPACE = path.join(ROOT, 'tests', 'fixtures', 'goprog');
const GOLDEN = path.join(ROOT, 'tests', 'golden', 'heap.inuse_space.functions.top.txt');
/** The hottest init function of the fixture program. */
const HOT = 'pprofdemo/internal/catalog.init.0';

/** The whole run, start-up and shut-down included. */
const TOTAL_MS = Number(process.env.PPROF_WEB_TIMEOUT_MS ?? 60_000);
/** One wait for something to show up. */
const WAIT_MS = 15_000;


const started = Date.now();
const log = (message) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${message}`);

let server;
let browser;
let page;
let tmp;
let failed = false;

const watchdog = setTimeout(() => {
    console.error(`FAIL: the run took longer than ${TOTAL_MS / 1000}s`);
    failed = true;
    void finish(1);
}, TOTAL_MS);

function check(ok, what) {
    if (!ok) throw new Error(`check failed: ${what}`);
    log(`ok: ${what}`);
}

const until = (what, fn, ms = WAIT_MS) => waitUntil(what, fn, ms);

/** The total and the hot function's cum, flat and cum% as `go tool pprof` recorded them. */
function recorded() {
    const text = fs.readFileSync(GOLDEN, 'utf8');
    const total = Number(/of (\d+)B total/.exec(text)?.[1]);
    const row = text.split('\n').find((l) => l.trim().endsWith(` ${HOT}`));
    const cols = row?.trim().split(/\s+/);
    if (!total || !cols) throw new Error(`no total or ${HOT} row in ${GOLDEN}`);
    return { total, flat: Number(cols[0].replace(/B$/, '')), cum: Number(cols[3].replace(/B$/, '')), cumPercent: cols[4] };
}

/** The caller of the hot function's frame (recorded: its cum in the same golden). */
function recordedCum(name) {
    const row = fs.readFileSync(GOLDEN, 'utf8').split('\n').find((l) => l.trim().endsWith(` ${name}`) || l.trim().endsWith(` ${name} (inline)`));
    if (!row) throw new Error(`no ${name} row in ${GOLDEN}`);
    return Number(row.trim().split(/\s+/)[3].replace(/B$/, ''));
}

/** `pprof-lsp top` (with extra flags) for the profile: its stdout and stderr. */
function cliTop(...flags) {
    const out = spawnSync(SERVER, ['top', ...flags, PROFILE], { encoding: 'utf8', timeout: 20_000 });
    if (out.status !== 0) throw new Error(`pprof-lsp top failed: ${out.stderr}`);
    return out;
}

/** What `pprof-lsp top` (with extra flags) prints on stderr: pprof's notes about the filters. */
function cliNotes(...flags) {
    return cliTop(...flags).stderr.split('\n').filter((l) => l !== '');
}

/** `pprof-lsp top` (with extra flags): its first row's cells, whitespace-normalised. */
function cliFirstRow(...flags) {
    const out = cliTop(...flags);
    const lines = out.stdout.split('\n');
    const header = lines.findIndex((l) => /^\s+flat\s+flat%\s+sum%\s+cum\s+cum%/.test(l));
    if (header < 0 || !lines[header + 1]) throw new Error(`no table in:\n${out.stdout}`);
    return lines[header + 1].trim().split(/\s+/).join(' ');
}

/** pprof's label of a byte count of a few MB: two decimals, trailing zeros dropped. */
const mbLabel = (bytes) => `${(bytes / 1048576).toFixed(2).replace(/\.?0+$/, '')}MB`;

/** One raw HTTP GET, so the Host header can be set; answers the status. */
function rawGet(url, host) {
    return new Promise((resolve, reject) => {
        const u = new URL(url);
        const req = http.request({ host: u.hostname, port: u.port, path: `${u.pathname}${u.search}`, headers: { Host: host } }, (res) => {
            res.resume();
            resolve(res.statusCode);
        });
        req.on('error', reject);
        req.setTimeout(5000, () => req.destroy(new Error('timeout')));
        req.end();
    });
}

/** Starts the server and waits for the URL it prints. */
async function startServer(profile, extra = []) {
    const child = spawn(SERVER, ['web', '--no-browser', '--http', '127.0.0.1:0', ...extra, profile], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (code, signal) => {
        if (server?.child === child && !server.stopping) log(`the server exited early (${code ?? signal}): ${output}`);
    });
    server = { child, pid: child.pid, stopping: false };
    const url = await until('the server to print its URL', () => {
        if (child.exitCode !== null) throw new Error(`the server exited: ${output}`);
        return /(http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)/.exec(output)?.[1];
    }, 60_000);
    log(`server (pid ${child.pid}) at ${url.replace(/token=.*/, 'token=…')}`);
    return url;
}

/** Stops the server by its PID and waits until it is gone. */
async function stopServer() {
    const s = server;
    if (!s) return;
    s.stopping = true;
    if (s.child.exitCode === null && s.child.signalCode === null) {
        const exited = new Promise((r) => s.child.once('exit', r));
        process.kill(s.pid, 'SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (s.child.exitCode === null && s.child.signalCode === null) {
            process.kill(s.pid, 'SIGKILL');
            await exited;
        }
    }
    let alive = true;
    try {
        process.kill(s.pid, 0);
    } catch {
        alive = false;
    }
    if (alive) throw new Error(`the server (pid ${s.pid}) is still running`);
    server = undefined;
}

async function launchBrowser() {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pprof-web-'));
    ({ browser, page } = await launchChromium({
        executable: CHROMIUM, tools: TOOLS, dir: tmp, artifacts: ARTIFACTS,
        viewport: { width: 1280, height: 800 }, timeout: 30_000, wait: WAIT_MS,
    }));
    // The page must not reach anywhere but its own server.
    page.on('request', (r) => {
        if (!r.url().startsWith('http://127.0.0.1:') && !r.url().startsWith('data:')) {
            failed = true;
            console.error(`FAIL: the page requested ${r.url()}`);
        }
    });
}

/** Width of an element, in CSS pixels. */
const widthOf = (locator) => locator.evaluate((e) => e.getBoundingClientRect().width);
const frame = (name) => page.locator(`#flame .frame[data-name="${name}"]`).first();
const rootFrame = () => page.locator('#flame .frame[data-i="0"]');
const graphWidth = () => page.locator('#flame').evaluate((e) => e.clientWidth);

async function screenshot(name) {
    if (!page) return;
    const file = path.join(ARTIFACTS, `${name}.png`);
    await page.screenshot({ path: file }).catch(() => {});
    return file;
}

async function checks() {
    const golden = recorded();
    const url = await startServer(PROFILE, ['--source-path', WORKSPACE]);
    const base = url.replace(/\?token=.*/, '');
    const token = /token=([0-9a-f]+)/.exec(url)[1];

    // The token and the Host header.
    check((await fetch(base)).status === 403, 'the page without the token is 403');
    check((await fetch(`${base}api/flame`)).status === 403, 'api/flame without the token is 403');
    const wrong = `${token.slice(0, -1)}${token.endsWith('0') ? '1' : '0'}`;
    check((await fetch(`${base}api/flame?token=${wrong}`)).status === 403, 'a wrong token is 403');
    check((await rawGet(url, `rebound.example:${new URL(url).port}`)) === 403, 'a foreign Host header is 403');
    check((await fetch(url)).status === 200, 'the page with the token is 200');

    await launchBrowser();
    await page.goto(url);
    await frame(HOT).waitFor();
    await page.waitForFunction(() => document.body.dataset.flame === 'drawn');
    const shot = await screenshot('flame');
    if (process.env.PPROF_SCREENSHOT_DIR) fs.copyFileSync(shot, path.join(process.env.PPROF_SCREENSHOT_DIR, 'web-flame.png'));

    // Widths: the root spans the graph, the hot function its share of it.
    const graph = await graphWidth();
    const root = await widthOf(rootFrame());
    check(Math.abs(root - graph) < 0.5, `the root frame is the graph's width (${root} of ${graph}px)`);
    const hot = await widthOf(frame(HOT));
    const share = golden.cum / golden.total;
    check(Math.abs(hot / root - share) <= 0.01 * share, `${HOT}'s frame is ${(100 * hot / root).toFixed(2)}% of the root, its cum share ${golden.cumPercent} within 1%`);
    const title = await frame(HOT).getAttribute('title');
    check(title.includes(HOT) && title.includes(mbLabel(golden.cum)) && title.includes(golden.cumPercent), `its tooltip "${title.replace('\n', ' | ')}" has the function, ${mbLabel(golden.cum)} and ${golden.cumPercent}`);

    // Search highlights the matching frames.
    await page.locator('#search').fill('catalog\\.init');
    await until('search to highlight frames', async () => (await page.locator('#flame .frame.match').count()) > 0);
    const matched = await page.locator('#flame .frame.match').evaluateAll((es) => es.map((e) => e.dataset.name));
    check(matched.length > 0 && matched.every((n) => /catalog\.init/.test(n)), `search marks only matching frames (${matched.join(', ')})`);
    check((await page.locator('#flame-info').innerText()).includes(golden.cumPercent), `the search line sums them to ${golden.cumPercent}`);
    await page.locator('#search').fill('');

    // A click zooms: the caller of the hot frame becomes the root, and the
    // hot frame its share of the caller.
    const caller = await page.evaluate((name) => {
        const boxes = [...document.querySelectorAll('#flame .frame')];
        const hotBox = boxes.find((b) => b.dataset.name === name);
        const above = boxes.filter((b) => parseFloat(b.style.top) === parseFloat(hotBox.style.top) - 18
            && parseFloat(b.style.left) <= parseFloat(hotBox.style.left) + 0.01
            && parseFloat(b.style.left) + parseFloat(b.style.width) >= parseFloat(hotBox.style.left) + parseFloat(hotBox.style.width) - 0.01);
        return above[0]?.dataset.name;
    }, HOT);
    check(Boolean(caller), `${HOT} has a caller frame (${caller})`);
    await frame(caller).click();
    await until('the zoom to reach the URL', async () => new URL(page.url()).searchParams.get('zoom')?.includes(caller));
    await until(`${caller} to be the root`, async () => (await rootFrame().getAttribute('data-name')) === caller);
    const callerCum = recordedCum(caller);
    const zoomed = async () => (await widthOf(frame(HOT))) / (await widthOf(rootFrame()));
    check(Math.abs((await zoomed()) - golden.cum / callerCum) <= 0.01 * (golden.cum / callerCum), `zoomed into ${caller}, ${HOT} is its share of it`);
    await page.reload();
    await until('the zoomed root after a reload', async () => (await rootFrame().getAttribute('data-name').catch(() => null)) === caller);
    log('ok: a reload keeps the zoom (the URL holds it)');
    await page.keyboard.press('Escape');
    await until('the whole profile again', async () => (await rootFrame().getAttribute('data-name')) === 'root');

    // The top table: its first row is the CLI's, by flat and by cum.
    await page.locator('#views a[data-view="top"]').click();
    const firstRow = async () => {
        await page.locator('#top-table tbody tr').first().waitFor();
        return (await page.locator('#top-table tbody tr').first().locator('td').allInnerTexts()).join(' ').trim().split(/\s+/).join(' ');
    };
    const cliRow = cliFirstRow();
    check((await until('the top table', firstRow)) === cliRow, `the top table's first row is pprof-lsp top's: "${cliRow}"`);
    await screenshot('top');
    await page.locator('#top-table th[data-sort="cum"]').click();
    const cliCumRow = cliFirstRow('--cum');
    await until('the table sorted by cum', async () => (await firstRow()) === cliCumRow);
    log(`ok: sorted by cum, the first row is pprof-lsp top --cum's: "${cliCumRow}"`);
    check(new URL(page.url()).searchParams.get('sort') === 'cum', 'the URL holds the sort order');

    // Ctrl+click on the hot frame, with no editor: its line in the source view.
    await page.locator('#views a[data-view="flame"]').click();
    await frame(HOT).waitFor();
    await frame(HOT).click({ modifiers: ['Control'] });
    const target = await until('the source view at the hot line', async () => {
        const row = page.locator('#source-table tr.target');
        return (await row.count()) ? row : null;
    });
    const cells = await target.locator('td').allInnerTexts();
    check(cells[0] === mbLabel(golden.flat) && cells[2] === new URL(page.url()).searchParams.get('line'),
        `the source view shows line ${cells[2]} with flat ${cells[0]} (${cells[3].trim()})`);
    check((await page.locator('#message').innerText()).includes('not connected to an editor'), 'the page says why it did not open an editor');
    await screenshot('source');

    // A focus in the URL changes both views, as pprof's -focus does.
    const focused = new URL(url);
    focused.searchParams.delete('line');
    focused.searchParams.delete('file');
    focused.searchParams.set('view', 'flame');
    focused.searchParams.set('focus', 'ingest');
    await page.goto(focused.toString());
    await page.waitForFunction(() => document.body.dataset.flame === 'drawn');
    await until('the focused graph', async () => (await frame(HOT).count()) === 0 && (await page.locator('#flame .frame[data-name*="ingest"]').count()) > 0);
    log(`ok: with focus=ingest the graph has ingest frames and no ${HOT}`);
    const focusedRoot = await widthOf(rootFrame());
    check(Math.abs(focusedRoot - (await graphWidth())) < 0.5, `the focused root frame is the graph's width (${focusedRoot}px)`);
    focused.searchParams.set('view', 'top');
    await page.goto(focused.toString());
    const cliFocusedRow = cliFirstRow('--focus', 'ingest');
    check(cliFocusedRow !== cliRow, `the focus changes top's first row ("${cliFocusedRow}")`);
    await until('the focused top table', async () => (await firstRow()) === cliFocusedRow);
    log(`ok: with focus=ingest the top table's first row is pprof-lsp top --focus ingest's`);
    check(await page.locator('#top-notes').isHidden(), 'a focus that matches leaves no notes above the table');

    // Filters that drop everything: no rows, and above the table the lines
    // pprof prints on stderr for them, as the CLI prints them.
    const notes = cliNotes('--tagfocus', 'bytes=1kb:', '--focus', 'no-such-function');
    check(notes.length > 0, `the CLI prints notes for these filters: ${JSON.stringify(notes)}`);
    focused.searchParams.set('tagfocus', 'bytes=1kb:');
    focused.searchParams.set('focus', 'no-such-function');
    await page.goto(focused.toString());
    const notesShown = async () => (await page.locator('#top-notes').isVisible()) && (await page.locator('#top-notes').innerText()) === notes.join('\n');
    await until('the CLI\'s notes above the table', notesShown);
    check((await page.locator('#top-table tbody tr').count()) === 0, 'the notes are the CLI\'s, and the table has no rows');

    // With a base, frames are coloured by the sign of their value: red
    // grew, green shrank, as the server's values say.
    await stopServer();
    const diffUrl = await startServer(path.join(path.dirname(PROFILE), 'heap2.pb.gz'), ['--diff-base', PROFILE, '--source-path', WORKSPACE]);
    const diffData = await (await fetch(diffUrl.replace('/?', '/api/flame?'))).json();
    check(diffData.diff === true, 'with --diff-base the flame graph holds differences');
    await page.goto(diffUrl);
    await page.waitForFunction(() => document.body.dataset.flame === 'drawn');
    const colours = await page.locator('#flame .frame[data-i]').evaluateAll((els) => els.map((e) => [Number(e.dataset.i), getComputedStyle(e).backgroundColor]));
    let grew = 0;
    let shrank = 0;
    const miscoloured = [];
    for (const [i, colour] of colours) {
        const value = diffData.value[i];
        if (!value) continue;
        const [r, g] = colour.match(/\d+/g).map(Number);
        if (value > 0) grew++; else shrank++;
        if ((value > 0) !== (r > g)) miscoloured.push(`${diffData.names[diffData.name[i]]} ${value} ${colour}`);
    }
    check(grew > 0 && shrank > 0 && miscoloured.length === 0, `frames are red where they grew (${grew}) and green where they shrank (${shrank})${miscoloured.length ? `; wrong: ${miscoloured.join(', ')}` : ''}`);

    await stopServer();
    log('the server stopped');
}

/** Loads the page for a large profile and reports its time to first paint and its payload. */
async function measure(profile) {
    const url = await startServer(profile, ['--source-path', path.dirname(profile)]);
    await launchBrowser();
    const t0 = Date.now();
    await page.goto(url);
    await page.waitForFunction(() => document.body.dataset.flame === 'drawn', null, { timeout: 60_000 });
    const wall = Date.now() - t0;
    const numbers = await page.evaluate(() => {
        const paint = Object.fromEntries(performance.getEntriesByType('paint').map((e) => [e.name, e.startTime]));
        const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
        return {
            firstContentfulPaint: paint['first-contentful-paint'],
            flameDrawn: window.pprofFlameDrawn.at,
            frames: window.pprofFlameDrawn.frames,
            transferred: entries.reduce((s, e) => s + e.transferSize, 0),
            decoded: entries.reduce((s, e) => s + e.decodedBodySize, 0),
            byResource: entries.map((e) => `${e.name.replace(/\?.*/, '').replace(/^.*\//, '/')}: ${e.transferSize} B sent, ${e.decodedBodySize} B decoded`),
        };
    });
    log(`first contentful paint ${numbers.firstContentfulPaint?.toFixed(0)} ms; flame graph drawn (${numbers.frames} frames) ${numbers.flameDrawn.toFixed(0)} ms after navigation start (${wall} ms wall)`);
    log(`payload: ${numbers.transferred} B transferred, ${numbers.decoded} B decoded`);
    for (const r of numbers.byResource) log(`  ${r}`);
    await screenshot('measure');
    await stopServer();
}

let finishing;
function finish(code) {
    finishing ??= (async () => {
        clearTimeout(watchdog);
        if (failed) await screenshot('failure');
        await browser?.close().catch(() => {});
        await stopServer().catch((e) => console.error(`stopping the server: ${e.message}`));
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
        console.log(failed ? `FAIL (${((Date.now() - started) / 1000).toFixed(1)}s; screenshots in ${path.relative(ROOT, ARTIFACTS)})`
            : `PASS (${((Date.now() - started) / 1000).toFixed(1)}s)`);
        process.exit(failed ? 1 : code);
    })();
    return finishing;
}

async function main() {
    for (const [what, file] of [['Chromium', CHROMIUM], ['the server', SERVER]]) {
        if (!fs.existsSync(file)) throw new Error(`${what} is missing: ${file} (run scripts/test-web.sh)`);
    }
    fs.rmSync(ARTIFACTS, { recursive: true, force: true });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const at = process.argv.indexOf('--measure');
    if (at >= 0) await measure(path.resolve(process.argv[at + 1] ?? ''));
    else await checks();
}

main().then(
    () => finish(0),
    (e) => {
        failed = true;
        console.error(`FAIL: ${e.stack ?? e}`);
        return finish(1);
    },
);
