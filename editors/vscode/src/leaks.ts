// "Pprof: Show Leaked Goroutines": the shown goroutine profile's goroutines
// by the line they block at and the `go` statement that started them
// (`pprof.leaks`, in the server's order, most first), in a QuickPick.
// Picking a row opens the line where they block; the row's button opens
// the `go` statement instead.

import * as vscode from 'vscode';

import { displayPath, revealIfLocal, shortFunction } from './locations';
import { Command, LeakRow, Leaks, LeakSite } from './protocol';
import { Session } from './session';

/** The button on each row whose `go` statement is known. */
const OPEN_START: vscode.QuickInputButton = {
    iconPath: new vscode.ThemeIcon('debug-step-out'),
    tooltip: 'Open where it was started',
};

type Item = vscode.QuickPickItem & { row: LeakRow };

/**
 * Asks the server for the goroutines of the shown profile and opens the
 * place chosen. A server error (the profile is not a goroutine profile)
 * rejects with the server's message, which the command shows.
 */
export async function showLeaks(session: Session): Promise<void> {
    const report = await session.execute<Leaks>(Command.leaks);
    if (report.rows.length === 0) {
        void vscode.window.showInformationMessage(`pprof-lsp: ${report.summary}.`);
        return;
    }
    const pick = vscode.window.createQuickPick<Item>();
    pick.title = report.summary;
    pick.placeholder = 'Most first; pick a row to open where they block, or its button to open where they were started';
    pick.matchOnDescription = true;
    pick.matchOnDetail = true;
    pick.items = report.rows.map(item);
    const chosen = await new Promise<LeakRow | LeakSite | undefined>((resolve) => {
        pick.onDidTriggerItemButton((e) => {
            resolve(e.item.row.createdAt);
            pick.hide();
        });
        pick.onDidAccept(() => {
            resolve(pick.selectedItems[0]?.row);
            pick.hide();
        });
        pick.onDidHide(() => resolve(undefined));
        pick.show();
    });
    pick.dispose();
    if (chosen) {
        await revealIfLocal(chosen.uri, chosen.file, chosen.line);
    }
}

/**
 * A row as the server sent it: its label, where they block in the
 * description, where they were started in the detail.
 */
function item(row: LeakRow): Item {
    const start = row.createdAt;
    return {
        label: row.label,
        description: `${place(row)}  ${shortFunction(row.function)}`,
        detail: start ? `started at ${place(start)}  ${shortFunction(start.function)}` : undefined,
        buttons: start ? [OPEN_START] : [],
        row,
    };
}

/** `file:line`, relative to the workspace when the file is in it. */
function place(site: LeakSite): string {
    return `${displayPath(site.uri ?? null, site.file)}:${site.line}`;
}
