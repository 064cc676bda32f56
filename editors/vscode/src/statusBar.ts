// The status bar item: which profile is shown, its sample type and total.
// Clicking it picks another sample type (or opens a profile when none is
// loaded).

import * as vscode from 'vscode';

import { Status } from './protocol';
import { Session } from './session';

export function createStatusBar(session: Session): vscode.Disposable {
    const item = vscode.window.createStatusBarItem('pprof.status', vscode.StatusBarAlignment.Left, -100);
    item.name = 'pprof-lsp profile';
    const render = (status: Status | undefined) => {
        if (!status) {
            item.text = '$(flame) pprof: stopped';
            item.tooltip = 'The pprof-lsp server is not running. Click to restart it.';
            item.command = 'pprof.restartServer';
        } else if (!status.loaded) {
            item.text = '$(flame) pprof: no profile';
            item.tooltip = 'No profile is loaded. Click to open one.';
            item.command = 'pprof.openProfile';
        } else {
            const off = status.enabled ? '' : ' (hidden)';
            item.text = `$(flame) ${status.name} · ${status.sampleType} ${status.totalLabel}${off}`;
            const tooltip = new vscode.MarkdownString();
            tooltip.appendMarkdown(`**${status.name}**: ${status.sampleType}, ${status.totalLabel} total  \n`);
            tooltip.appendText(`${status.profile}`);
            tooltip.appendMarkdown(`  \n${status.samples} samples; ${status.mappedFiles} files found in the workspace`);
            if (status.unmappedFiles) {
                tooltip.appendMarkdown(`, ${status.unmappedFiles} not found (Pprof: Show Unresolved Paths)`);
            }
            if (!status.enabled) {
                tooltip.appendMarkdown('  \nAnnotations are hidden (Pprof: Toggle Annotations).');
            }
            tooltip.appendMarkdown('  \n\nClick to select the sample type.');
            item.tooltip = tooltip;
            item.command = 'pprof.chooseSampleType';
        }
        item.show();
    };
    render(session.status);
    return vscode.Disposable.from(item, session.onDidChangeStatus(render));
}
