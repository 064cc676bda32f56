// The status bar item: the server's one-line summary (with the active
// filters, when the summary does not name them), its detail as the
// tooltip, redrawn whenever the server sends `pprof/status`. Clicking it
// does what fits the state: restart a stopped server, open a profile, or pick
// another sample type of the profile shown.

import * as vscode from 'vscode';

import { activeFilters, describeFilters } from './filters';
import { FilterKind, Status } from './protocol';
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

/** The active filters `text` does not name already (by their values), as `key=RE key=RE`. */
function unnamedFilters(status: Status, kinds: FilterKind[], text: string): string {
    const missing = Object.entries(activeFilters(status, kinds)).filter(([, re]) => !text.includes(re));
    return describeFilters(Object.fromEntries(missing));
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
            const kinds = session.filterKinds;
            const inSummary = unnamedFilters(status, kinds, status.summary);
            item.text = `$(flame) ${status.summary}${inSummary ? ` · ${inSummary}` : ''}`;
            tooltip.appendText(status.detail);
            const inDetail = unnamedFilters(status, kinds, status.detail);
            if (inDetail) {
                tooltip.appendText(`\nfilters: ${inDetail}`);
            }
            tooltip.appendText(`\n${next.hint}`);
            item.command = next.command;
        }
        item.tooltip = tooltip;
        item.show();
    };
    render(session.status);
    return vscode.Disposable.from(item, session.onDidChangeStatus(render));
}
