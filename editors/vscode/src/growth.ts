// "Pprof: Show Growing Lines": the lines of a live profile by how fast they
// grow (`pprof.growth`, in the server's order), in a QuickPick that opens
// the chosen line.

import * as vscode from 'vscode';

import { displayPath, revealIfLocal, shortFunction } from './locations';
import { Command, GrowthArgs, GrowthReport, GrowthRow } from './protocol';
import { Session } from './session';

const ROWS = 100;

/**
 * Asks the server for the fastest-growing lines and opens the one picked.
 * A server error (the profile is not live, too few snapshots yet) rejects
 * with the server's message, which the command shows.
 */
export async function showGrowingLines(session: Session): Promise<void> {
    const arg: GrowthArgs = { n: ROWS };
    const report = await session.execute<GrowthReport>(Command.growth, arg);
    if (report.rows.length === 0) {
        void vscode.window.showInformationMessage('pprof-lsp: no line has data in the snapshots yet.');
        return;
    }
    type Item = vscode.QuickPickItem & { row: GrowthRow };
    const picked = await vscode.window.showQuickPick<Item>(
        report.rows.map((row) => ({
            label: `${shortFunction(row.function || '?')}  ${displayPath(row.uri ?? null, row.file)}:${row.line}`,
            detail: row.label + (row.uri ? '' : ' · not found in the workspace'),
            row,
        })),
        {
            title: `Growth of ${report.sampleType} per minute over ${report.snapshots} snapshots (${Math.round(report.seconds)} s)`,
            placeHolder: 'Fastest-growing lines first; pick one to open it',
            matchOnDescription: true,
            matchOnDetail: true,
        },
    );
    if (!picked) {
        return;
    }
    await revealIfLocal(picked.row.uri, picked.row.file, picked.row.line);
}
