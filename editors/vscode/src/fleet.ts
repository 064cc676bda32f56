// "Pprof: Open Fleet Profile…": builds a fleet source step by step and loads
// it. For Grafana Pyroscope or Parca the pickers offer what the server holds
// (`pprof.fleet.describe`): a selector per label value, the profile types;
// then a range. For replicas, their profile URLs are merged into one. The
// server queries, merges and names the source; this file only asks.

import * as vscode from 'vscode';

import { Command, FleetDescribeArgs, FleetDescription, FleetEntry, FleetKind, LoadArgs, Status } from './protocol';
import { Session } from './session';

type Kind = FleetKind | 'replicas';

/** Windows offered for the range; any duration the server reads can be typed. */
const RANGES: { range: string; description: string }[] = [
    { range: '15m', description: 'last 15 minutes' },
    { range: '1h', description: 'last hour' },
    { range: '6h', description: 'last 6 hours' },
    { range: '24h', description: 'last day' },
    { range: '7d', description: 'last week' },
];

/** A duration as the server reads it: `90s`, `15m`, `1h30m`, `7d`, `2w`. */
const DURATION = /^(\d+[smhdw])+$/;
const URL_RE = /^https?:\/\/\S+$/;

/** The server URLs used in this window, per kind, offered again. */
const lastUrl = new Map<Kind, string>();

export async function openFleetProfile(session: Session): Promise<void> {
    const kind = await pickKind();
    if (kind === 'replicas') {
        await openReplicas(session);
    } else if (kind) {
        await openProfiler(session, kind);
    }
}

async function pickKind(): Promise<Kind | undefined> {
    const items: (vscode.QuickPickItem & { source: Kind })[] = [
        { label: 'Pyroscope', description: 'Grafana Pyroscope or Grafana Cloud Profiles', source: 'pyroscope' },
        { label: 'Parca', description: 'Parca or Polar Signals Cloud', source: 'parca' },
        { label: 'Replicas of a service', description: 'several /debug/pprof URLs merged into one profile', source: 'replicas' },
    ];
    const picked = await vscode.window.showQuickPick(items, {
        title: 'Open a fleet profile (1/5): source',
        placeHolder: 'Where the fleet\'s profiles come from',
        ignoreFocusOut: true,
    });
    return picked?.source;
}

async function openProfiler(session: Session, kind: FleetKind): Promise<void> {
    const name = kind === 'pyroscope' ? 'Pyroscope' : 'Parca';
    let typed = lastUrl.get(kind);
    let url = '';
    let described: FleetDescription | undefined;
    while (!described) {
        typed = await vscode.window.showInputBox({
            title: `Open a fleet profile (2/5): ${name} server`,
            prompt: 'The server\'s URL; credentials go in a profiles entry of the settings (tokenEnv, basicAuth, …)',
            placeHolder: kind === 'pyroscope' ? 'http://localhost:4040' : 'http://localhost:7070',
            value: typed,
            ignoreFocusOut: true,
            validateInput: (v) => (URL_RE.test(v.trim()) ? undefined : 'Enter an http:// or https:// URL'),
        });
        if (!typed) {
            return;
        }
        url = typed.trim();
        const answer = await describe(session, kind, url);
        if (answer === 'cancel') {
            return;
        }
        if (answer !== 'change') {
            described = answer;
        }
    }
    lastUrl.set(kind, url);
    const query = await pickSelector(name, described);
    if (query === undefined) {
        return;
    }
    const profileType = await pickProfileType(name, described);
    if (!profileType) {
        return;
    }
    const range = await pickRange();
    if (!range) {
        return;
    }
    const entry: FleetEntry = { [kind]: url, query, profileType, range };
    const arg: LoadArgs = { fleet: entry };
    await session.execute<Status>(Command.load, arg);
}

/**
 * Asks the server what `url` holds. On an error, shows the server's message
 * and offers to ask again or to change the URL.
 */
async function describe(session: Session, kind: FleetKind, url: string): Promise<FleetDescription | 'change' | 'cancel'> {
    const arg: FleetDescribeArgs = { source: { [kind]: url } };
    for (;;) {
        try {
            return await vscode.window.withProgress(
                { location: vscode.ProgressLocation.Notification, title: `pprof-lsp: asking ${url} for its profiles…` },
                () => session.execute<FleetDescription>(Command.fleetDescribe, arg),
            );
        } catch (e) {
            const retry = 'Retry';
            const change = 'Change URL';
            const message = e instanceof Error ? e.message : String(e);
            // The server's message names the URL when the request failed on the way.
            const text = message.includes(url) ? message : `${url}: ${message}`;
            const choice = await vscode.window.showErrorMessage(`pprof-lsp: ${text}`, retry, change);
            if (choice === change) {
                return 'change';
            }
            if (choice !== retry) {
                return 'cancel';
            }
        }
    }
}

/** `{}` for every profile, a label value's selector, or one typed. */
async function pickSelector(name: string, described: FleetDescription): Promise<string | undefined> {
    type Item = vscode.QuickPickItem & { query?: string };
    // Service labels first: they are what a query usually selects by.
    const first = ['service_name', 'job'];
    const labels = [...described.labels].sort((a, b) => rank(a.name) - rank(b.name));
    function rank(label: string): number {
        const i = first.indexOf(label);
        return i < 0 ? first.length : i;
    }
    const items: Item[] = [
        { label: '$(edit) Type a selector…', description: 'e.g. {service_name="checkout", env="prod"}' },
        { label: '{}', description: 'every profile', query: '{}' },
    ];
    for (const label of labels) {
        items.push({ label: label.name, kind: vscode.QuickPickItemKind.Separator });
        for (const value of label.values) {
            const query = `{${label.name}=${JSON.stringify(value)}}`;
            items.push({ label: query, query });
        }
        if (label.truncated) {
            items.push({ label: `$(ellipsis) more values of ${label.name} on the server: type a selector`, query: undefined });
        }
    }
    const picked = await vscode.window.showQuickPick(items, {
        title: `Open a fleet profile (3/5): ${name} label selector`,
        placeHolder: described.labelsTruncated ? 'Which profiles to merge (more labels on the server: type a selector)' : 'Which profiles to merge',
        matchOnDescription: true,
        ignoreFocusOut: true,
    });
    if (!picked) {
        return undefined;
    }
    if (picked.query !== undefined) {
        return picked.query;
    }
    return vscode.window.showInputBox({
        title: `Open a fleet profile (3/5): ${name} label selector`,
        prompt: 'A label selector in braces',
        placeHolder: '{service_name="checkout", env="prod"}',
        value: '{}',
        ignoreFocusOut: true,
        validateInput: (v) => (/^\{.*\}$/.test(v.trim()) ? undefined : 'A selector is in braces: {name="value", …}'),
    }).then((v) => v?.trim());
}

async function pickProfileType(name: string, described: FleetDescription): Promise<string | undefined> {
    type Item = vscode.QuickPickItem & { type?: string };
    const items: Item[] = described.profileTypes.map((type) => ({ label: type, description: type.split(':')[1], type }));
    items.push({ label: '$(edit) Type a profile type…' });
    const picked = await vscode.window.showQuickPick(items, {
        title: `Open a fleet profile (4/5): ${name} profile type`,
        placeHolder: described.profileTypes.length ? 'The profile type to show' : 'The server lists no profile types in the last hour',
        matchOnDescription: true,
        ignoreFocusOut: true,
    });
    if (!picked || picked.type) {
        return picked?.type;
    }
    const typed = await vscode.window.showInputBox({
        title: `Open a fleet profile (4/5): ${name} profile type`,
        placeHolder: 'memory:inuse_space:bytes:space:bytes',
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim().includes(':') ? undefined : 'A profile type id, such as memory:inuse_space:bytes:space:bytes'),
    });
    return typed?.trim();
}

async function pickRange(): Promise<string | undefined> {
    type Item = vscode.QuickPickItem & { range?: string };
    const items: Item[] = RANGES.map(({ range, description }) => ({ label: range, description, range }));
    items.push({ label: '$(edit) Custom…', description: 'any duration, such as 90m or 2w' });
    const picked = await vscode.window.showQuickPick(items, {
        title: 'Open a fleet profile (5/5): range',
        placeHolder: 'The window whose profiles are merged, ending now',
        ignoreFocusOut: true,
    });
    if (!picked || picked.range) {
        return picked?.range;
    }
    const typed = await vscode.window.showInputBox({
        title: 'Open a fleet profile (5/5): range',
        placeHolder: '90m',
        ignoreFocusOut: true,
        validateInput: (v) => (DURATION.test(v.trim()) ? undefined : 'A duration such as 90s, 15m, 1h30m, 7d or 2w'),
    });
    return typed?.trim();
}

async function openReplicas(session: Session): Promise<void> {
    const typed = await vscode.window.showInputBox({
        title: 'Open a fleet profile (2/3): replicas',
        prompt: 'Each replica\'s profile URL, separated by commas or spaces; each is polled on its own',
        placeHolder: 'http://10.0.0.5:6060/debug/pprof/heap, http://10.0.0.6:6060/debug/pprof/heap',
        value: lastUrl.get('replicas'),
        ignoreFocusOut: true,
        validateInput: (v) => {
            const urls = splitUrls(v);
            const bad = urls.find((u) => !URL_RE.test(u));
            if (bad) {
                return `Not an http:// or https:// URL: ${bad}`;
            }
            return urls.length ? undefined : 'Enter one URL or more';
        },
    });
    if (!typed) {
        return;
    }
    const merge = splitUrls(typed);
    const name = await vscode.window.showInputBox({
        title: 'Open a fleet profile (3/3): name',
        prompt: 'What to call the merged profile',
        value: `${merge[0].split('/').pop() || 'profile'} (${merge.length} replicas)`,
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() ? undefined : 'Enter a name'),
    });
    if (!name) {
        return;
    }
    lastUrl.set('replicas', merge.join(', '));
    const arg: LoadArgs = { name: name.trim(), merge };
    await session.execute<Status>(Command.load, arg);
}

function splitUrls(text: string): string[] {
    return text.split(/[\s,]+/).filter((u) => u !== '');
}
