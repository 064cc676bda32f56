// The shapes of the server's `pprof.*` command results. Only the fields the
// extension reads are listed; the server owns every number and label.

export interface Status {
    loaded: boolean;
    enabled: boolean;
    available: number;
    profile?: string;
    name?: string;
    sampleType?: string;
    unit?: string;
    total?: number;
    totalLabel?: string;
    samples?: number;
    mappedFiles?: number;
    unmappedFiles?: number;
}

export interface SampleTypeInfo {
    name: string;
    unit: string;
    total: number;
    totalLabel: string;
    active: boolean;
}

export interface TopEntry {
    uri: string | null;
    file: string | null;
    /** 1-based. */
    line: number;
    function: string;
    flat: number;
    cum: number;
    label: string;
}

export interface UnresolvedPath {
    file: string;
    reason: string;
    tried?: string[];
    candidates?: string[];
    omitted?: number;
    path?: string;
}

export interface FunctionReport {
    function: string;
    file: string | null;
    uri: string | null;
    /** Lines are 1-based. */
    lines: { line: number; flat: number; cum: number; label: string }[];
    callers: { function: string; weight: number; label: string }[];
}

export interface LineHeat {
    /** 0-based line in the document as it is now. */
    line: number;
    /** The line's share of the file's hottest line, 0..1. */
    heat: number;
    cum: number;
    flat: number;
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
} as const;
