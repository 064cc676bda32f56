// "Pprof: Set Filters…": pprof's focus, ignore, hide, show, tagfocus and
// tagignore, one at a time, through the server's `pprof.setFilters`. That
// command replaces the whole set, so the other active filters (from the
// server's last status) are sent along unchanged. A bad regular expression
// is the server's error, shown in the input box so it can be fixed there.

import * as vscode from 'vscode';

import { Command, FILTER_NAMES, Filters, Status } from './protocol';
import { Session } from './session';

type Name = (typeof FILTER_NAMES)[number];

const DESCRIPTIONS: Record<Name, string> = {
    focus: 'only samples with a frame matching',
    ignore: 'drop samples with a frame matching',
    hide: 'leave out frames matching',
    show: 'keep only frames matching',
    tagfocus: 'only samples with a tag matching',
    tagignore: 'drop samples with a tag matching',
};

/** The active filters of a status: only the known names, only non-empty strings. */
export function activeFilters(status: Status | undefined): Filters {
    const out: Filters = {};
    for (const name of FILTER_NAMES) {
        const value = status?.filters?.[name];
        if (typeof value === 'string' && value !== '') {
            out[name] = value;
        }
    }
    return out;
}

/** `focus=RE ignore=RE`, in pprof's order; empty when no filter is active. */
export function describeFilters(filters: Filters): string {
    return FILTER_NAMES.filter((n) => filters[n] !== undefined).map((n) => `${n}=${filters[n]}`).join(' ');
}

export async function setFilters(session: Session): Promise<void> {
    const active = activeFilters(session.status);
    type Item = vscode.QuickPickItem & { name?: Name };
    const items: Item[] = FILTER_NAMES.map((name) => ({
        label: name,
        description: active[name] ?? '',
        detail: DESCRIPTIONS[name],
        name,
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
    if (!picked.name) {
        await session.execute<Status>(Command.setFilters, {});
        vscode.window.setStatusBarMessage('pprof: filters cleared', 3000);
        return;
    }
    await editFilter(session, picked.name, active);
}

/** Asks for one filter's regular expression and sends it; stays open on the server's error. */
async function editFilter(session: Session, name: Name, active: Filters): Promise<void> {
    const box = vscode.window.createInputBox();
    box.title = `pprof filter: ${name}`;
    box.prompt = `${DESCRIPTIONS[name]} this regular expression (pprof's syntax); empty: no ${name} filter`;
    box.value = active[name] ?? '';
    box.ignoreFocusOut = true;
    await new Promise<void>((resolve) => {
        box.onDidChangeValue(() => (box.validationMessage = undefined));
        box.onDidAccept(async () => {
            const next: Filters = { ...active };
            const value = box.value.trim();
            if (value) {
                next[name] = value;
            } else {
                delete next[name];
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
