// The command palette commands ("Pprof: …"). Each one asks the server and
// presents the answer; the ids differ from the server's own `pprof.*`
// commands, which the language client registers by itself.

import * as vscode from 'vscode';

import { profileBenchmarkAtCursor, togglePerOp } from './bench';
import { compareWithBase } from './diffBase';
import { setFilters } from './filters';
import { openFleetProfile } from './fleet';
import { showGrowingLines } from './growth';
import { showLeaks } from './leaks';
import { displayPath, reveal, revealIfLocal, shortFunction } from './locations';
import {
    Command,
    LoadArgs,
    SampleTypeInfo,
    SelectSampleTypeArgs,
    Status,
    ToggleArgs,
    ToggleResult,
    TopArgs,
    TopEntry,
    UnresolvedPath,
} from './protocol';
import { Session } from './session';
import { openFlameGraph } from './web';

const HOT_ENTRIES = 100;

export function registerCommands(session: Session): vscode.Disposable[] {
    const command = (id: string, run: () => Promise<void>) =>
        vscode.commands.registerCommand(id, async () => {
            try {
                await run();
            } catch (e) {
                void vscode.window.showErrorMessage(`pprof-lsp: ${e instanceof Error ? e.message : String(e)}`);
            }
        });
    return [
        command('pprof.openProfile', () => openProfile(session)),
        command('pprof.openProfileFromUrl', () => openProfileFromUrl(session)),
        command('pprof.openFleetProfile', () => openFleetProfile(session)),
        command('pprof.chooseSampleType', () => chooseSampleType(session)),
        command('pprof.showHotEntries', () => showHotEntries(session)),
        command('pprof.showGrowingLines', () => showGrowingLines(session)),
        command('pprof.showLeaks', () => showLeaks(session)),
        command('pprof.compareWithBase', () => compareWithBase(session)),
        command('pprof.showUnresolvedPaths', () => showUnresolvedPaths(session)),
        command('pprof.toggleAnnotations', () => toggleAnnotations(session)),
        command('pprof.profileBenchmarkAtCursor', () => profileBenchmarkAtCursor()),
        command('pprof.togglePerOperation', () => togglePerOp(session)),
        command('pprof.openFlameGraph', () => openFlameGraph(session)),
        command('pprof.setFiltersInteractive', () => setFilters(session)),
        command('pprof.restartServer', () => session.restart()),
    ];
}

async function openProfile(session: Session): Promise<void> {
    const picked = await vscode.window.showOpenDialog({
        title: 'Open a Go profile',
        openLabel: 'Open Profile',
        canSelectMany: false,
        defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    });
    if (picked?.[0]) {
        await load(session, { path: picked[0].fsPath });
    }
}

async function openProfileFromUrl(session: Session): Promise<void> {
    const url = await vscode.window.showInputBox({
        title: 'Open a profile from a URL',
        prompt: 'For example a running Go program\'s net/http/pprof endpoint',
        placeHolder: 'http://localhost:6060/debug/pprof/heap',
        ignoreFocusOut: true,
        validateInput: (v) => (/^https?:\/\/\S+$/.test(v.trim()) ? undefined : 'Enter an http:// or https:// URL'),
    });
    if (url) {
        await load(session, { url: url.trim() });
    }
}

/** Loads a profile; the status bar item shows the result when the server's status arrives. */
async function load(session: Session, arg: LoadArgs): Promise<void> {
    await session.execute<Status>(Command.load, arg);
}

async function chooseSampleType(session: Session): Promise<void> {
    const types = await session.execute<SampleTypeInfo[]>(Command.listSampleTypes);
    if (types.length === 0) {
        await offerToOpen('No profile is loaded.');
        return;
    }
    const picked = await vscode.window.showQuickPick(
        types.map((t) => ({
            label: t.active ? `$(check) ${t.name}` : t.name,
            description: `${t.totalLabel} total`,
            detail: t.unit ? `unit: ${t.unit}` : undefined,
            name: t.name,
        })),
        { title: 'Sample type to show', placeHolder: 'Costs shown in hints, lenses and heat follow this sample type' },
    );
    if (picked) {
        const arg: SelectSampleTypeArgs = { name: picked.name };
        await session.execute<Status>(Command.selectSampleType, arg);
    }
}

async function showHotEntries(session: Session): Promise<void> {
    const status = session.status;
    if (!status?.loaded) {
        await offerToOpen('No profile is loaded.');
        return;
    }
    const byButton = (by: 'flat' | 'cum'): vscode.QuickInputButton => ({
        iconPath: new vscode.ThemeIcon(by === 'flat' ? 'list-ordered' : 'list-flat'),
        tooltip: by === 'flat' ? 'Sort by flat (this line\'s own cost)' : 'Sort by cum (including callees)',
    });
    type Item = vscode.QuickPickItem & { entry: TopEntry };
    const pick = vscode.window.createQuickPick<Item>();
    pick.matchOnDescription = true;
    pick.matchOnDetail = true;
    pick.placeholder = 'Pick a line to open it';
    let by: 'flat' | 'cum' = 'flat';
    const fill = async () => {
        pick.busy = true;
        pick.title = `Hottest lines by ${by} — ${status.sampleType} ${status.totalLabel} total`;
        pick.buttons = [byButton(by === 'flat' ? 'cum' : 'flat')];
        const arg: TopArgs = { n: HOT_ENTRIES, by };
        const entries = await session.execute<TopEntry[]>(Command.top, arg);
        pick.items = entries.map((entry) => ({
            label: `${entry.label}  ${shortFunction(entry.function)}`,
            description: `${displayPath(entry.uri, entry.file)}:${entry.line}`,
            detail: entry.uri ? undefined : 'not found in the workspace',
            entry,
        }));
        pick.busy = false;
    };
    const chosen = await new Promise<TopEntry | undefined>((resolve) => {
        pick.onDidTriggerButton(() => {
            by = by === 'flat' ? 'cum' : 'flat';
            void fill();
        });
        pick.onDidAccept(() => {
            resolve(pick.selectedItems[0]?.entry);
            pick.hide();
        });
        pick.onDidHide(() => resolve(undefined));
        pick.show();
        void fill().catch((e) => {
            pick.hide();
            void vscode.window.showErrorMessage(`pprof-lsp: ${e instanceof Error ? e.message : String(e)}`);
        });
    });
    pick.dispose();
    if (chosen) {
        await revealIfLocal(chosen.uri, chosen.file ?? chosen.function, chosen.line);
    }
}

async function showUnresolvedPaths(session: Session): Promise<void> {
    const paths = await session.execute<UnresolvedPath[]>(Command.unresolved);
    if (paths.length === 0) {
        void vscode.window.showInformationMessage(
            session.status?.loaded ? 'pprof-lsp: every file in the profile was found in the workspace.' : 'pprof-lsp: no profile is loaded.',
        );
        return;
    }
    const out = session.output;
    out.appendLine(`Profile files not mapped to the workspace (${paths.length}):`);
    for (const p of paths) {
        out.appendLine(`  ${p.file}: ${p.reason}`);
        for (const c of p.reason === 'ambiguous' ? p.candidates : []) {
            out.appendLine(`    candidate: ${c}`);
        }
        for (const t of p.reason === 'not found' ? p.tried : []) {
            out.appendLine(`    tried: ${t}`);
        }
    }
    const picked = await vscode.window.showQuickPick(
        paths.map((p) => ({
            label: p.file,
            description: p.reason,
            detail: p.reason === 'ambiguous'
                ? `candidates: ${p.candidates.join(', ')}${p.omitted ? ` (+${p.omitted} more)` : ''}`
                : p.tried.length ? `tried: ${p.tried.join(', ')}` : undefined,
            path: p,
        })),
        {
            title: `${paths.length} profile file(s) not found in the workspace`,
            placeHolder: 'Pick one to open a candidate or add a path mapping (details in the pprof-lsp output)',
            matchOnDescription: true,
            matchOnDetail: true,
        },
    );
    if (!picked) {
        return;
    }
    const candidates = picked.path.reason === 'ambiguous' ? picked.path.candidates : [];
    const choice = candidates.length
        ? await vscode.window.showQuickPick([...candidates, 'Add a path mapping…'], { title: picked.path.file })
        : 'Add a path mapping…';
    if (choice === 'Add a path mapping…') {
        await vscode.commands.executeCommand('workbench.action.openSettings', 'pprof.pathMappings');
    } else if (choice) {
        await reveal(vscode.Uri.file(choice).toString(), 1);
    }
}

async function toggleAnnotations(session: Session): Promise<void> {
    const arg: ToggleArgs = {};
    const { enabled } = await session.execute<ToggleResult>(Command.toggle, arg);
    vscode.window.setStatusBarMessage(`pprof: annotations ${enabled ? 'on' : 'off'}`, 3000);
}

async function offerToOpen(message: string): Promise<void> {
    const open = 'Open Profile…';
    if ((await vscode.window.showInformationMessage(`pprof-lsp: ${message}`, open)) === open) {
        await vscode.commands.executeCommand('pprof.openProfile');
    }
}
