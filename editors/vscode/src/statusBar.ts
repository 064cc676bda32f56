// The status bar item: the server's one-line summary, its detail as the
// tooltip, redrawn whenever the server sends `pprof/status`. Clicking it
// does what fits the state: restart a stopped server, open a profile, or pick
// another sample type of the profile shown. For a fleet (merged replicas, a
// continuous profiler's query) a second item beside it shows the server's
// `sources` text alone: the summary is long then, and VS Code cuts a status
// bar item at 40 % of the window's width.

import * as vscode from 'vscode';

import { Status } from './protocol';
import { Session } from './session';

interface Action {
    command: string;
    hint: string;
}

const RESTART: Action = { command: 'pprof.restartServer', hint: 'Click to restart it.' };
const OPEN: Action = { command: 'pprof.openProfile', hint: 'Click to open a profile.' };
const SAMPLE_TYPE: Action = { command: 'pprof.chooseSampleType', hint: 'Click to select the sample type.' };

function action(status: Status): Action {
    switch (status.state) {
        case 'empty':
            return OPEN;
        case 'loaded':
            return SAMPLE_TYPE;
        case 'loading':
        case 'failed':
            // The previous profile, if any, is still shown.
            return status.loaded ? SAMPLE_TYPE : OPEN;
    }
}

export function createStatusBar(session: Session): vscode.Disposable {
    const item = vscode.window.createStatusBarItem('pprof.status', vscode.StatusBarAlignment.Left, -100);
    item.name = 'pprof-lsp profile';
    // Just left of the summary.
    const sources = vscode.window.createStatusBarItem('pprof.sources', vscode.StatusBarAlignment.Left, -99);
    sources.name = 'pprof-lsp fleet';
    const render = (status: Status | undefined) => {
        const tooltip = new vscode.MarkdownString();
        if (!status) {
            item.text = '$(flame) pprof: stopped';
            tooltip.appendText('The pprof-lsp server is not running.');
            tooltip.appendText(`\n${RESTART.hint}`);
            item.command = RESTART.command;
        } else {
            const next = action(status);
            item.text = `$(flame) ${status.summary}`;
            tooltip.appendText(status.detail);
            tooltip.appendText(`\n${next.hint}`);
            item.command = next.command;
        }
        item.tooltip = tooltip;
        item.show();
        if (status?.sources) {
            sources.text = `$(server-environment) ${status.sources}`;
            sources.tooltip = tooltip;
            sources.command = item.command;
            sources.show();
        } else {
            sources.hide();
        }
    };
    render(session.status);
    return vscode.Disposable.from(item, sources, session.onDidChangeStatus(render));
}
