// The status bar item: the server's one-line summary, its detail as the
// tooltip, redrawn whenever the server sends `pprof/status`. Clicking it
// does what fits the state: restart a stopped server, open a profile, or pick
// another sample type of the profile shown.

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
    };
    render(session.status);
    return vscode.Disposable.from(item, session.onDidChangeStatus(render));
}
