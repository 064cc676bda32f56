// The server's protocol extensions, as docs/lsp-extensions.md describes them
// (the Rust types are in src/lsp/protocol.rs): the `pprof/status`
// notification and every `pprof.*` command's argument and result. The
// server owns every number, label and line of text in them.

import { NotificationType } from 'vscode-languageclient/node';

/** What the server is doing, in one word. */
export type StatusState = 'empty' | 'loading' | 'loaded' | 'failed';

/** The `pprof/status` notification's parameters, and the result of `pprof.status`. */
export interface Status {
    state: StatusState;
    /** One line for a status bar, e.g. `heap.pb.gz · inuse_space 15.27MB`. */
    summary: string;
    /** A few lines of plain text for a tooltip. */
    detail: string;
    /** Grows whenever what is shown changes (profile, sample type, path mapping, hint or lens settings, filters, base, per-operation values, a live refresh). */
    generation: number;
    loaded: boolean;
    /** False after `pprof.toggle` hid the annotations. */
    enabled: boolean;
    /** Entries in `pprof.listProfiles`. */
    available: number;
    // Present when a profile is shown:
    profile?: string;
    name?: string;
    /**
     * What a merged or continuous profiler's source is made of, as the
     * summary names it: `3 replicas`, `3 profiles`,
     * `pyroscope · checkout · inuse_space · last 1h`.
     */
    sources?: string;
    sampleType?: string;
    unit?: string;
    total?: number;
    totalLabel?: string;
    samples?: number;
    mappedFiles?: number;
    unmappedFiles?: number;
    // Present while a load runs, and after a failure until a load succeeds:
    loading?: string;
    error?: string;
    /** The base profile values are compared with (`pprof.setDiffBase`), while one is set. */
    diffBase?: string;
    /** How the status names the base (a file name, or "the previous snapshot of …"). */
    diffBaseName?: string;
    /** Present while the shown profile is a polled URL. */
    live?: LiveStatus;
    /** pprof's filters in effect (`pprof.setFilters`, the `filters` setting); only the active ones. */
    filters?: Filters;
    /** What pprof says on stderr while applying the filters, line by line. */
    filterNotes?: string[];
    /** Settings that could not be used, each `path: why`; each keeps its default. */
    settingsErrors?: string[];
}

/**
 * pprof's filters by the server's keys (e.g. `showFrom`; see `FilterKind`),
 * as `go tool pprof` takes them: regular expressions (tags: `key=value`
 * forms).
 */
export type Filters = Record<string, string>;

/**
 * One filter the server offers, from its `initialize` result
 * (`capabilities.experimental.pprof.filters`, in pprof's order).
 */
export interface FilterKind {
    /** The key in `pprof.setFilters`, the status and the `pprof.filters` setting, e.g. `showFrom`. */
    key: string;
    /** pprof's flag, e.g. `-show_from`. */
    flag: string;
    /** What it does, in a few words, e.g. `cut each stack above the first frame matching`. */
    description: string;
}

/** The filters listed in an `initialize` result's `capabilities.experimental`; [] when none are. */
export function filterKinds(experimental: unknown): FilterKind[] {
    const listed = (experimental as { pprof?: { filters?: unknown } } | undefined)?.pprof?.filters;
    if (!Array.isArray(listed)) {
        return [];
    }
    return listed.filter(
        (k): k is FilterKind =>
            typeof k?.key === 'string' && k.key !== '' && typeof k.flag === 'string' && typeof k.description === 'string',
    );
}

/** The result of `pprof.openWeb`: the page the server serves, token included. */
export interface OpenWebResult {
    url: string;
}

/** A live (polled) source's state, in the status. */
export interface LiveStatus {
    /** Snapshots kept for growth. */
    snapshots: number;
    refreshSeconds: number;
    /** The last successful fetch, e.g. `14:03:22 UTC`. */
    lastFetch?: string;
    /** While the endpoint does not answer. */
    unreachableSince?: string;
    error?: string;
    /** `delta over 30 s` for `?seconds=N` URLs. */
    delta?: string;
    /** For merged URLs: `3 replicas`, or `2 of 3 replicas · … down since …`. */
    sources?: string;
}

/** Server → client, whenever what the server shows changes. */
export const StatusNotification = new NotificationType<Status>('pprof/status');

/** `pprof.load`: a file, a URL, several merged into one, or a continuous profiler's query. */
export type LoadArgs = { path: string } | { url: string } | { name?: string; merge: string[] } | { fleet: FleetEntry };

/** The continuous profilers a fleet entry queries. */
export type FleetKind = 'pyroscope' | 'parca';

/**
 * A `profiles` entry for a continuous profiler (src/source/fleet/settings.rs
 * has every key): `{"pyroscope": URL, "query", "profileType", "range"}` or the
 * same with `"parca"`. Credentials are named by environment variable
 * (`tokenEnv`, `basicAuth`, `orgIdEnv`), never given.
 */
export interface FleetEntry {
    pyroscope?: string;
    parca?: string;
    /** A label selector, `{service_name="checkout"}`; Parca's may start with the type. */
    query?: string;
    profileType?: string;
    /** `1h`, `15m`, `7d`; or `from`/`to`. */
    range?: string;
    name?: string;
}

/** `pprof.fleet.describe`: an entry (its query and type optional), or a configured entry's `name`. */
export interface FleetDescribeArgs {
    source: FleetEntry | string;
}

/** What a continuous profiler holds: the result of `pprof.fleet.describe`. */
export interface FleetDescription {
    profileTypes: string[];
    labels: { name: string; values: string[]; truncated: boolean }[];
    labelsTruncated: boolean;
}

/** `pprof.selectSampleType`: a name, a number, or one of pprof's legacy names. */
export interface SelectSampleTypeArgs {
    name: string;
}

/** One entry of `pprof.listSampleTypes`. */
export interface SampleTypeInfo {
    name: string;
    unit: string;
    total: number;
    totalLabel: string;
    active: boolean;
}

/** `pprof.top`; both fields default on the server (20, `flat`). */
export interface TopArgs {
    n?: number;
    by?: 'flat' | 'cum';
}

/** One row of `pprof.top`. */
export interface TopEntry {
    /** Null when the file is not mapped to a local file. */
    uri: string | null;
    /** The profile's spelling; null for a location without symbols. */
    file: string | null;
    /** 1-based. */
    line: number;
    /** The function, or the address in hex without symbols. */
    function: string;
    flat: number;
    cum: number;
    label: string;
}

/** `pprof.setDiffBase`: a base profile to compare with; `{}` stops comparing. */
export type DiffBaseArgs = { path: string } | { url: string } | { previous: true } | Record<string, never>;

/** `pprof.growth`; both optional (the shown sample type if it describes state; every row). */
export interface GrowthArgs {
    sampleType?: string;
    n?: number;
}

/** One line of `pprof.growth`. */
export interface GrowthRow {
    /** Set when the file is mapped to a local file. */
    uri?: string;
    /** The local path when mapped, else the profile's. */
    file: string;
    /** 1-based. */
    line: number;
    function: string;
    /** The latest values, integers in `unit`. */
    flat: number;
    cum: number;
    /** Least-squares slopes over the snapshots, in `unit` per minute. */
    flatPerMinute: number;
    /** `+75MB/min flat · +75MB/min cum · 300MB now`, ready to show. */
    label: string;
    cumPerMinute: number;
}

/** The result of `pprof.growth`; rows by `flatPerMinute`, descending. */
export interface GrowthReport {
    sampleType: string;
    unit: string;
    snapshots: number;
    seconds: number;
    rows: GrowthRow[];
}

/** A place in a `pprof.leaks` row: a `go` statement. */
export interface LeakSite {
    /** Set when the file is mapped to a local file. */
    uri?: string;
    /** The local path when mapped, else the profile's. */
    file: string;
    /** 1-based. */
    line: number;
    function: string;
}

/** Goroutines that block at one line and were started at one place (`pprof.leaks`). */
export interface LeakRow {
    /** Set when the blocking line's file is mapped to a local file. */
    uri?: string;
    /** The local path when mapped, else the profile's. */
    file: string;
    /** 1-based: where they block. */
    line: number;
    function: string;
    count: number;
    /** The wait state most of them are in (`chan send`), when the dump names it. */
    state?: string;
    /** The longest wait among them, in minutes, when the dump printed it. */
    waitMinutes?: number;
    /** The `go` statement that started them, when the profile names it. */
    createdAt?: LeakSite;
    /** A live source's growth of the count at this line, per minute. */
    perMinute?: number;
    /** `30 leaked · chan send · 4 min · ▲ 600/min`, ready to show. */
    label: string;
    /** `started here: 30 leaked goroutines (main.leakOnce)`, when `createdAt` is known. */
    startedLabel?: string;
}

/** The result of `pprof.leaks`; most goroutines first. */
export interface Leaks {
    /** `goroutineleak` (only leaked goroutines count) or `goroutine`. */
    sampleType: string;
    /** Whether the rows are leaked goroutines. */
    leaks: boolean;
    total: number;
    /** `70 leaked goroutines (goroutineleak) in 4 places`, ready to show. */
    summary: string;
    rows: LeakRow[];
}

/** One entry of `pprof.unresolved`. */
export type UnresolvedPath =
    | { reason: 'not found'; file: string; tried: string[] }
    | { reason: 'ambiguous'; file: string; candidates: string[]; omitted: number };

/** `pprof.toggle`: `enabled` sets, `{}` flips. */
export interface ToggleArgs {
    enabled?: boolean;
}

export interface ToggleResult {
    enabled: boolean;
}

/** One entry of `pprof.listProfiles`. */
export interface ProfileEntry {
    source: string;
    name: string;
    active: boolean;
    origin: 'configured' | 'discovered' | 'loaded' | 'run';
    /** Why the server chose the profile it loaded by itself. */
    reason?: string;
}

/** `pprof.showFunction`; `notify` (default true) also shows the report as a message. */
export interface ShowFunctionArgs {
    function: string;
    notify?: boolean;
}

export interface FunctionLine {
    /** 1-based. */
    line: number;
    flat: number;
    cum: number;
    label: string;
}

export interface Caller {
    function: string;
    weight: number;
    label: string;
}

/** The result of `pprof.showFunction`. */
export interface FunctionReport {
    function: string;
    file: string | null;
    uri: string | null;
    lines: FunctionLine[];
    callers: Caller[];
}

/** `pprof.heat`: an open document. */
export interface HeatArgs {
    uri: string;
}

/** One shaded line of `pprof.heat`. */
export interface LineHeat {
    /** 0-based line in the document as it is now. */
    line: number;
    /** 1 (coolest) to 5 (hottest): the shade to use. */
    level: number;
    /** The line's cum as a share of the file's hottest line's, 0..1. */
    heat: number;
    flat: number;
    cum: number;
}

/** The server's command names (`workspace/executeCommand`). */
export const Command = {
    load: 'pprof.load',
    listSampleTypes: 'pprof.listSampleTypes',
    selectSampleType: 'pprof.selectSampleType',
    top: 'pprof.top',
    unresolved: 'pprof.unresolved',
    status: 'pprof.status',
    toggle: 'pprof.toggle',
    listProfiles: 'pprof.listProfiles',
    showFunction: 'pprof.showFunction',
    heat: 'pprof.heat',
    setDiffBase: 'pprof.setDiffBase',
    growth: 'pprof.growth',
    runBenchmark: 'pprof.runBenchmark',
    togglePerOp: 'pprof.togglePerOp',
    openWeb: 'pprof.openWeb',
    setFilters: 'pprof.setFilters',
    leaks: 'pprof.leaks',
    fleetDescribe: 'pprof.fleet.describe',
} as const;

/** `pprof.runBenchmark`: a test or benchmark by name, or the one declared last at or above `line`. */
export type RunBenchmarkArgs =
    | { uri: string; name: string; kind: BenchKind }
    | { uri: string; line: number; kind: BenchKind };

/** Which profile of the run is shown. */
export type BenchKind = 'mem' | 'cpu';

/** The result of `pprof.runBenchmark`. */
export interface RunBenchmarkResult {
    uri: string;
    name: string;
    /** 1 for the first run of this test or benchmark, then 2, … */
    run: number;
    profile: string;
    /** The test failed; the profile it wrote is shown anyway. */
    failed: boolean;
    iterations?: number;
    /** go test's result: `BenchmarkRender: 1520 ns/op · 2048 B/op · 3 allocs/op`. */
    result?: string;
    /** The run compared with, e.g. `run 1 of BenchmarkRender`. */
    comparedWith?: string;
}
