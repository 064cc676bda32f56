// Runs before `vsce package`: removes earlier .vsix files so exactly one is
// left, and bundles the server when a release build of it exists
// (../../target/release/pprof-lsp); otherwise the extension falls back to
// `pprof.server.path` and PATH.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const exe = process.platform === 'win32' ? 'pprof-lsp.exe' : 'pprof-lsp';
const built = path.resolve(here, '..', '..', 'target', 'release', exe);
const bundled = path.join(here, 'server', exe);

for (const name of fs.readdirSync(here)) {
    if (name.endsWith('.vsix')) {
        fs.rmSync(path.join(here, name));
    }
}
fs.rmSync(path.join(here, 'server'), { recursive: true, force: true });

if (process.env.PPROF_VSIX_NO_SERVER !== '1' && fs.existsSync(built)) {
    fs.mkdirSync(path.dirname(bundled), { recursive: true });
    fs.copyFileSync(built, bundled);
    fs.chmodSync(bundled, 0o755);
    console.log(`bundling the server: ${built}`);
} else {
    console.log('not bundling a server; the extension will use pprof.server.path or PATH');
}
