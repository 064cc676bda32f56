// The benchmark loop from the command palette: "Pprof: Profile Benchmark at
// Cursor" runs the server's `pprof.runBenchmark` for the test or benchmark
// the cursor is in (the server finds it from the line), and "Pprof: Toggle
// Per-Operation Values" flips `pprof.togglePerOp`. The code lenses above
// tests and benchmarks run `pprof.runBenchmark` themselves, through the
// language client; both ways end in `runBenchmark` below.

import * as vscode from 'vscode';

import { BenchKind, Command, RunBenchmarkArgs, RunBenchmarkResult, ToggleArgs, ToggleResult } from './protocol';
import { Session } from './session';

const KINDS: { bench: BenchKind; label: string; detail: string }[] = [
    { bench: 'mem', label: 'mem', detail: 'allocations (alloc_space), per operation for a benchmark' },
    { bench: 'cpu', label: 'cpu', detail: 'CPU time, per operation for a benchmark' },
];

/** `pprof.benchmarks.kind`: a kind, or `ask` to pick one each time. */
function configuredKind(): BenchKind | 'ask' {
    const value = vscode.workspace.getConfiguration('pprof').get<string>('benchmarks.kind', 'ask');
    return value === 'mem' || value === 'cpu' ? value : 'ask';
}

export async function profileBenchmarkAtCursor(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor || !editor.document.fileName.endsWith('_test.go')) {
        void vscode.window.showWarningMessage('pprof-lsp: put the cursor in a Test or Benchmark function of a _test.go file.');
        return;
    }
    const configured = configuredKind();
    let kind: BenchKind;
    if (configured !== 'ask') {
        kind = configured;
    } else {
        const picked = await vscode.window.showQuickPick(KINDS, {
            title: 'Profile the test or benchmark at the cursor',
            placeHolder: 'Which profile to show (setting: pprof.benchmarks.kind)',
        });
        if (!picked) {
            return;
        }
        kind = picked.bench;
    }
    const arg: RunBenchmarkArgs = { uri: editor.document.uri.toString(), line: editor.selection.active.line, kind };
    // Through the command the language client registered, so that this run
    // is reported the same way as a click on the lens.
    await vscode.commands.executeCommand(Command.runBenchmark, arg);
}

export async function togglePerOp(session: Session): Promise<void> {
    const arg: ToggleArgs = {};
    const { enabled } = await session.execute<ToggleResult>(Command.togglePerOp, arg);
    vscode.window.setStatusBarMessage(`pprof: benchmark values ${enabled ? 'per operation' : 'in total'}`, 3000);
}

/**
 * Runs `pprof.runBenchmark` for the lens or the palette command: shows the
 * output channel, where go test's output streams (keeping the focus), then
 * says how the run went. The server's error (a build error and its place, a
 * run already going, a cancelled run) is shown as it is, instead of the
 * language client's generic "request failed".
 */
export async function runBenchmark(session: Session, arg: unknown): Promise<RunBenchmarkResult | undefined> {
    session.output.show(true);
    let result: RunBenchmarkResult;
    try {
        result = await session.execute<RunBenchmarkResult>(Command.runBenchmark, arg);
    } catch (e) {
        void vscode.window.showErrorMessage(`pprof-lsp: ${e instanceof Error ? e.message : String(e)}`);
        return undefined;
    }
    if (!result.failed) {
        // A failing test has its own warning from the server.
        const compared = result.comparedWith ? `, compared with ${result.comparedWith}` : '';
        vscode.window.setStatusBarMessage(`pprof: ${result.result ?? result.name} (run ${result.run}${compared})`, 10000);
    }
    return result;
}
