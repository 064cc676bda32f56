// "Pprof: Compare with Base Profile…": sets or clears the profile every
// value is compared with (`pprof.setDiffBase`). The status bar then shows the
// server's summary, which names the base.

import * as vscode from 'vscode';

import { Command, DiffBaseArgs, Status } from './protocol';
import { Session } from './session';

type Choice = 'file' | 'url' | 'previous' | 'clear';

export async function compareWithBase(session: Session): Promise<void> {
    const status = session.status;
    const items: (vscode.QuickPickItem & { choice: Choice })[] = [
        { label: '$(file) Choose a profile file…', choice: 'file' },
        { label: '$(globe) Enter a profile URL…', choice: 'url' },
    ];
    if (status?.live) {
        items.push({ label: '$(history) The previous snapshot', description: 'of the live profile', choice: 'previous' });
    }
    if (status?.diffBase) {
        items.push({ label: '$(close) Stop comparing', description: status.diffBase, choice: 'clear' });
    }
    const picked = await vscode.window.showQuickPick(items, {
        title: status?.diffBase ? `Comparing with ${status.diffBase}` : 'Compare with a base profile',
        placeHolder: 'Every value shown becomes the difference from the base (go tool pprof -diff_base)',
    });
    let arg: DiffBaseArgs | undefined;
    switch (picked?.choice) {
        case 'file': {
            const file = await vscode.window.showOpenDialog({
                title: 'Base profile to compare with',
                openLabel: 'Compare',
                canSelectMany: false,
                defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
            });
            arg = file?.[0] ? { path: file[0].fsPath } : undefined;
            break;
        }
        case 'url': {
            const url = await vscode.window.showInputBox({
                title: 'Base profile URL',
                placeHolder: 'http://localhost:6060/debug/pprof/heap',
                ignoreFocusOut: true,
                validateInput: (v) => (/^https?:\/\/\S+$/.test(v.trim()) ? undefined : 'Enter an http:// or https:// URL'),
            });
            arg = url ? { url: url.trim() } : undefined;
            break;
        }
        case 'previous':
            arg = { previous: true };
            break;
        case 'clear':
            arg = {};
            break;
    }
    if (arg) {
        await session.execute<Status>(Command.setDiffBase, arg);
    }
}
