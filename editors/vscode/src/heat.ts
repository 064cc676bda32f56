// Heat shading: hot lines get a background in the shade the server chose
// for them (`level` 1..5 of `pprof.heat`). The colours are theme colours
// `pprof.heat1Background`…`5`. Shading is asked for again when a
// `pprof/status` brings another `generation` (any change of what is shown:
// profile, sample type, path mapping, hint settings, filters, base, live
// refresh) or `enabled`, when editors come into view, and after edits.

import * as vscode from 'vscode';

import { Config } from './config';
import { Command, HeatArgs, LineHeat, Status } from './protocol';
import { Session } from './session';

const LEVELS = 5;
const EDIT_DELAY_MS = 300;

/** What the shading depends on in a status: another value means shade again. */
function shadingKey(status: Status | undefined): string {
    return status ? `${status.generation}/${status.enabled}` : 'stopped';
}

export class Heat implements vscode.Disposable {
    private readonly levels: vscode.TextEditorDecorationType[];
    private readonly disposables: vscode.Disposable[] = [];
    private editTimer: ReturnType<typeof setTimeout> | undefined;
    private shadedFor: string;

    constructor(
        private readonly session: Session,
        private readonly config: Config,
    ) {
        this.levels = Array.from({ length: LEVELS }, (_, i) => {
            const color = new vscode.ThemeColor(`pprof.heat${i + 1}Background`);
            return vscode.window.createTextEditorDecorationType({
                isWholeLine: true,
                backgroundColor: color,
                overviewRulerColor: color,
                overviewRulerLane: vscode.OverviewRulerLane.Right,
            });
        });
        this.shadedFor = shadingKey(session.status);
        this.disposables.push(
            session.onDidChangeStatus((status) => {
                const key = shadingKey(status);
                if (key !== this.shadedFor) {
                    this.shadedFor = key;
                    this.refreshAll();
                }
            }),
            vscode.window.onDidChangeVisibleTextEditors(() => this.refreshAll()),
            vscode.workspace.onDidChangeTextDocument((e) => {
                if (e.contentChanges.length && vscode.window.visibleTextEditors.some((ed) => ed.document === e.document)) {
                    clearTimeout(this.editTimer);
                    this.editTimer = setTimeout(() => this.refreshAll(), EDIT_DELAY_MS);
                }
            }),
            vscode.workspace.onDidChangeConfiguration((e) => {
                // The extension's own switch. The server's settings reach the
                // shading through the status: a new profile, sample type, path
                // mapping or hint thresholds comes with a new generation.
                if (e.affectsConfiguration('pprof.heat.enabled')) {
                    this.refreshAll();
                }
            }),
        );
        this.refreshAll();
    }

    refreshAll(): void {
        for (const editor of vscode.window.visibleTextEditors) {
            void this.refresh(editor);
        }
    }

    private async refresh(editor: vscode.TextEditor): Promise<void> {
        const status = this.session.status;
        const wanted = this.config.heatEnabled && status?.loaded && status.enabled && editor.document.uri.scheme === 'file';
        let lines: LineHeat[] = [];
        if (wanted) {
            try {
                const arg: HeatArgs = { uri: editor.document.uri.toString() };
                lines = await this.session.execute<LineHeat[]>(Command.heat, arg);
            } catch {
                lines = [];
            }
        }
        const ranges: vscode.Range[][] = this.levels.map(() => []);
        for (const l of lines) {
            if (l.level >= 1 && l.level <= LEVELS && l.line < editor.document.lineCount) {
                ranges[l.level - 1].push(new vscode.Range(l.line, 0, l.line, 0));
            }
        }
        this.levels.forEach((type, i) => editor.setDecorations(type, ranges[i]));
    }

    dispose(): void {
        clearTimeout(this.editTimer);
        this.disposables.forEach((d) => d.dispose());
        this.levels.forEach((d) => d.dispose());
    }
}
