// Heat shading: hot lines get a background graded in five steps by the
// server's 0..1 heat number (the line's cost against the file's hottest
// line). The colours are theme colours `pprof.heat1Background`…`5`.

import * as vscode from 'vscode';

import { Config } from './config';
import { Command, LineHeat } from './protocol';
import { Session } from './session';

const LEVELS = 5;
const EDIT_DELAY_MS = 300;

/** 0 for no shading, else 1..LEVELS. */
export function bucket(heat: number): number {
    if (!(heat > 0)) {
        return 0;
    }
    return Math.min(LEVELS, Math.ceil(heat * LEVELS));
}

export class Heat implements vscode.Disposable {
    private readonly levels: vscode.TextEditorDecorationType[];
    private readonly disposables: vscode.Disposable[] = [];
    private editTimer: ReturnType<typeof setTimeout> | undefined;

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
        this.disposables.push(
            session.onDidChangeStatus(() => this.refreshAll()),
            vscode.window.onDidChangeVisibleTextEditors(() => this.refreshAll()),
            vscode.workspace.onDidChangeTextDocument((e) => {
                if (e.contentChanges.length && vscode.window.visibleTextEditors.some((ed) => ed.document === e.document)) {
                    clearTimeout(this.editTimer);
                    this.editTimer = setTimeout(() => this.refreshAll(), EDIT_DELAY_MS);
                }
            }),
            vscode.workspace.onDidChangeConfiguration((e) => {
                // Thresholds and the sample type change the shading too; the
                // server applies settings on its own time, so wait a little.
                if (e.affectsConfiguration('pprof')) {
                    setTimeout(() => this.refreshAll(), 500);
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
                lines = await this.session.execute<LineHeat[]>(Command.heat, { uri: editor.document.uri.toString() });
            } catch {
                lines = [];
            }
        }
        const ranges: vscode.Range[][] = this.levels.map(() => []);
        for (const l of lines) {
            const level = bucket(l.heat);
            if (level > 0 && l.line < editor.document.lineCount) {
                ranges[level - 1].push(new vscode.Range(l.line, 0, l.line, 0));
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
