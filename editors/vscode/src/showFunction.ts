// The view behind the code lens: a function's hottest lines and its
// callers in a quick pick. Picking a line opens it; picking a caller shows
// that caller the same way, so one can walk up the call chain.

import * as vscode from 'vscode';

import { reveal, shortFunction } from './locations';
import { FunctionReport } from './protocol';

type Item = vscode.QuickPickItem & { line?: number; caller?: string };

export async function showFunctionReport(
    report: FunctionReport,
    showCaller: (fn: string) => Thenable<unknown>,
): Promise<void> {
    const file = report.uri ? vscode.workspace.asRelativePath(vscode.Uri.parse(report.uri), false) : report.file ?? '';
    const base = file.split(/[\\/]/).pop() ?? file;
    const items: Item[] = [{ label: 'Hottest lines', kind: vscode.QuickPickItemKind.Separator }];
    for (const l of report.lines) {
        items.push({ label: `$(flame) ${base}:${l.line}`, description: l.label, line: l.line });
    }
    items.push({ label: 'Callers', kind: vscode.QuickPickItemKind.Separator });
    if (report.callers.length === 0) {
        items.push({ label: '(no callers in the profile)' });
    }
    for (const c of report.callers) {
        const short = shortFunction(c.function);
        items.push({
            label: `$(call-incoming) ${short}`,
            description: c.label,
            detail: short === c.function ? undefined : c.function,
            caller: c.function,
        });
    }
    const picked = await vscode.window.showQuickPick(items, {
        title: `${shortFunction(report.function)} — ${file}`,
        placeHolder: 'Pick a line to open it, or a caller to see its costs',
        matchOnDescription: true,
        matchOnDetail: true,
    });
    if (picked?.line !== undefined && report.uri) {
        await reveal(report.uri, picked.line);
    } else if (picked?.line !== undefined) {
        void vscode.window.showWarningMessage(`pprof-lsp: ${report.file ?? 'this file'} is not in the workspace (see "Pprof: Show Unresolved Paths").`);
    } else if (picked?.caller) {
        await showCaller(picked.caller);
    }
}
