// "Pprof: Set Filters…": pprof's filters, one at a time, through the
// server's `pprof.setFilters`. Which filters there are, and what each does,
// comes from the server's `initialize` result, so this file names none of
// them. That command replaces the whole set, so the other active filters
// (from the server's last status) are sent along unchanged. A bad regular
// expression is the server's error, shown in the input box so it can be
// fixed there.

import * as vscode from 'vscode';

import { Command, FilterKind, Filters, Status } from './protocol';
import { Session } from './session';

/**
 * The active filters of a status: every non-empty string it lists, in the
 * server's order of `kinds`, then any key `kinds` does not name (kept, so
 * that sending the set back never drops one).
 */
export function activeFilters(status: Status | undefined, kinds: FilterKind[]): Filters {
    const given = status?.filters ?? {};
    const keys = [...kinds.map((k) => k.key), ...Object.keys(given).filter((key) => !kinds.some((k) => k.key === key))];
    const out: Filters = {};
    for (const key of keys) {
        const value = given[key];
        if (typeof value === 'string' && value !== '') {
            out[key] = value;
        }
    }
    return out;
}

/** `key=RE key=RE`, in the order given; empty when no filter is active. */
export function describeFilters(filters: Filters): string {
    return Object.entries(filters)
        .map(([key, value]) => `${key}=${value}`)
        .join(' ');
}

export async function setFilters(session: Session): Promise<void> {
    const kinds = session.filterKinds;
    if (kinds.length === 0) {
        throw new Error('the server lists no filters (capabilities.experimental.pprof.filters); is it running, and up to date?');
    }
    const active = activeFilters(session.status, kinds);
    type Item = vscode.QuickPickItem & { filter?: FilterKind };
    const items: Item[] = kinds.map((filter) => ({
        label: filter.key,
        description: active[filter.key] ?? '',
        detail: `${filter.description} (${filter.flag})`,
        filter,
    }));
    if (describeFilters(active)) {
        items.push({ label: '', kind: vscode.QuickPickItemKind.Separator }, { label: 'Clear all filters', description: describeFilters(active) });
    }
    const picked = await vscode.window.showQuickPick(items, {
        title: 'pprof filters',
        placeHolder: 'Pick a filter to set or change (an empty value removes it)',
    });
    if (!picked) {
        return;
    }
    if (!picked.filter) {
        await session.execute<Status>(Command.setFilters, {});
        vscode.window.setStatusBarMessage('pprof: filters cleared', 3000);
        return;
    }
    await editFilter(session, picked.filter, active);
}

/** Asks for one filter's regular expression and sends it with the other active ones; stays open on the server's error. */
async function editFilter(session: Session, filter: FilterKind, active: Filters): Promise<void> {
    const box = vscode.window.createInputBox();
    box.title = `pprof filter: ${filter.key}`;
    box.prompt = `${filter.description} this regular expression (pprof's ${filter.flag}); empty: no ${filter.key} filter`;
    box.value = active[filter.key] ?? '';
    box.ignoreFocusOut = true;
    await new Promise<void>((resolve) => {
        box.onDidChangeValue(() => (box.validationMessage = undefined));
        box.onDidAccept(async () => {
            const next: Filters = { ...active };
            const value = box.value.trim();
            if (value) {
                next[filter.key] = value;
            } else {
                delete next[filter.key];
            }
            box.busy = true;
            try {
                await session.execute<Status>(Command.setFilters, next);
                box.hide();
            } catch (e) {
                box.validationMessage = e instanceof Error ? e.message : String(e);
            } finally {
                box.busy = false;
            }
        });
        box.onDidHide(() => resolve());
        box.show();
    });
    box.dispose();
}
