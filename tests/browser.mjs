// What the browser tests share: headless Debian Chromium driven through
// playwright-core (both installed by scripts/install-vscode-test-deps.sh),
// and waiting for a condition.

import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Starts Chromium (`executable`) with its profile in `dir` and returns it with its first
 * page; the page's console goes to `ARTIFACTS/browser-console.log`.
 */
export async function launchChromium({ executable, tools, dir, artifacts, viewport, timeout, wait }) {
    const require = createRequire(path.join(tools, 'pw', 'node_modules', 'playwright-core', 'package.json'));
    const { chromium } = require('playwright-core');
    const browser = await chromium.launchPersistentContext(dir, {
        executablePath: executable,
        headless: true,
        viewport,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
            '--disable-background-networking', '--disable-component-update', '--disable-sync'],
        timeout,
    });
    const page = browser.pages()[0] ?? (await browser.newPage());
    page.setDefaultTimeout(wait);
    const consoleLog = fs.createWriteStream(path.join(artifacts, 'browser-console.log'));
    page.on('console', (m) => consoleLog.write(`${m.type()}: ${m.text()}\n`));
    page.on('pageerror', (e) => consoleLog.write(`pageerror: ${e.message}\n`));
    return { browser, page };
}

/**
 * Calls `check` every `every` ms until it returns something truthy, which
 * is returned; after `ms` ms, throws naming `what` and the last error.
 */
export async function until(what, check, ms, every = 100) {
    const deadline = Date.now() + ms;
    let last;
    for (;;) {
        try {
            const value = await check();
            if (value) return value;
        } catch (e) {
            last = e;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out after ${ms / 1000}s waiting for ${what}${last ? ` (last error: ${last.message})` : ''}`);
        }
        await new Promise((r) => setTimeout(r, every));
    }
}
