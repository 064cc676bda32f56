// Finding the pprof-lsp executable and checking that it is one: the
// `pprof.server.path` setting, else the binary bundled in the extension,
// else `pprof-lsp` on PATH. Each candidate must answer `--version`.

import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const EXE = process.platform === 'win32' ? 'pprof-lsp.exe' : 'pprof-lsp';
const VERSION_TIMEOUT_MS = 10_000;

export interface Server {
    path: string;
    /** As printed by `--version`, e.g. `0.1.0`. */
    version: string;
    /** Where it came from, for messages. */
    origin: 'setting' | 'bundled' | 'PATH';
}

/** Why no server could be used, in words for the user. */
export class ServerNotFound extends Error {}

export async function findServer(extensionPath: string, configured: string | undefined): Promise<Server> {
    if (configured) {
        // An explicit setting is never silently replaced by another binary.
        const version = await versionOf(configured);
        if (typeof version !== 'string') {
            throw new ServerNotFound(`pprof.server.path is "${configured}", but ${version.problem}.`);
        }
        return { path: configured, version, origin: 'setting' };
    }
    const bundled = path.join(extensionPath, 'server', EXE);
    if (fs.existsSync(bundled)) {
        makeExecutable(bundled);
        const version = await versionOf(bundled);
        if (typeof version === 'string') {
            return { path: bundled, version, origin: 'bundled' };
        }
    }
    const onPath = searchPath(EXE);
    if (onPath) {
        const version = await versionOf(onPath);
        if (typeof version === 'string') {
            return { path: onPath, version, origin: 'PATH' };
        }
        throw new ServerNotFound(`${onPath} (found on PATH) ${version.problem}.`);
    }
    throw new ServerNotFound('could not find the pprof-lsp server: none is bundled and none is on PATH.');
}

/** The version `--version` reports, or what went wrong. */
function versionOf(exe: string): Promise<string | { problem: string }> {
    return new Promise((resolve) => {
        execFile(exe, ['--version'], { timeout: VERSION_TIMEOUT_MS }, (error, stdout) => {
            if (error) {
                const code = (error as NodeJS.ErrnoException).code;
                const problem =
                    code === 'ENOENT' ? 'no such file exists'
                    : code === 'EACCES' ? 'it is not executable'
                    : `running it with --version failed (${error.message.trim()})`;
                resolve({ problem });
                return;
            }
            const m = /^pprof-lsp (\S+)/.exec(stdout.trim());
            resolve(m ? m[1] : { problem: `its --version printed "${stdout.trim()}", not "pprof-lsp <version>"` });
        });
    });
}

function searchPath(name: string): string | undefined {
    for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
        if (!dir) {
            continue;
        }
        const candidate = path.join(dir, name);
        try {
            fs.accessSync(candidate, fs.constants.X_OK);
            if (fs.statSync(candidate).isFile()) {
                return candidate;
            }
        } catch {
            // Not here; keep looking.
        }
    }
    return undefined;
}

/** Archives do not always keep the executable bit; put it back. */
function makeExecutable(file: string): void {
    if (process.platform === 'win32') {
        return;
    }
    try {
        const mode = fs.statSync(file).mode;
        if ((mode & 0o111) === 0) {
            fs.chmodSync(file, mode | 0o755);
        }
    } catch {
        // The version check below reports the problem.
    }
}
