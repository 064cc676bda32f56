// Typed access to the `pprof` settings. The server's keys are passed through
// under the same names; `server.*`, `heat.*`, `trace.*` and `benchmarks.kind`
// are read only here.

import * as vscode from 'vscode';

import { Filters } from './protocol';

export const SECTION = 'pprof';

/** Settings only the extension reads; never sent to the server. */
const CLIENT_ONLY = ['server', 'heat', 'trace'] as const;

export interface PathMapping {
    from: string;
    to: string;
}

/** The server's configuration object, key for key (see src/lsp/config.rs). */
export interface ServerSettings {
    /** Paths, globs or URLs, or entries: `{path}`, `{name, merge}`, `{pyroscope}`, `{parca}` (src/lsp/config.rs). */
    profiles: (string | Record<string, unknown>)[];
    sampleType: string | null;
    pathMappings: PathMapping[];
    sourcePaths: string[];
    goroot: string | null;
    hints: {
        enabled: boolean;
        minCumPercent: number;
        minFlatPercent: number;
        format: 'flatCum' | 'cum' | 'flat';
        stale: 'mark' | 'hide';
    };
    lenses: { enabled: boolean };
    maxProfileBytes: number;
    watch: boolean;
    diagnostics: { hotLines: boolean; hotLineCount: number; growth: boolean };
    refreshSeconds: number;
    history: number;
    growth: { minPercentPerMinute: number };
    benchmarks: { memProfileRate: number | null; benchtime: string | null; args: string[]; compareWithPrevious: boolean };
    diffBase: string | null;
    /** pprof's filters by the server's keys; see `FilterKind`. */
    filters: Filters;
}

export class Config {
    private get cfg(): vscode.WorkspaceConfiguration {
        return vscode.workspace.getConfiguration(SECTION);
    }

    /** `pprof.server.path`, with `~` expanded; undefined when unset. */
    get serverPath(): string | undefined {
        const p = this.cfg.get<string | null>('server.path');
        if (!p) {
            return undefined;
        }
        const home = process.env.HOME ?? process.env.USERPROFILE;
        return home && (p === '~' || p.startsWith('~/')) ? home + p.slice(1) : p;
    }

    get heatEnabled(): boolean {
        return this.cfg.get<boolean>('heat.enabled', true);
    }

    /** The settings the server reads, as `initializationOptions`. */
    serverSettings(): ServerSettings {
        return serverPart(vscode.workspace.getConfiguration().get(SECTION)) as unknown as ServerSettings;
    }
}

/**
 * A copy of a `pprof` settings object without the client-only keys. The
 * contributed defaults equal the server's, so nothing else is filled in.
 */
export function serverPart(section: unknown): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (section && typeof section === 'object') {
        for (const [key, value] of Object.entries(section)) {
            if (typeof value !== 'function' && !(CLIENT_ONLY as readonly string[]).includes(key)) {
                out[key] = value;
            }
        }
    }
    const copy = JSON.parse(JSON.stringify(out));
    // `benchmarks.kind` only chooses what "Profile Benchmark at Cursor" runs.
    if (copy.benchmarks && typeof copy.benchmarks === 'object') {
        delete copy.benchmarks.kind;
    }
    return copy;
}
