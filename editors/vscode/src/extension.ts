// Activation: wires the session (the language client), the commands, the
// status bar and the heat shading together, and restarts the server when
// its path setting changes.

import * as vscode from 'vscode';

import { registerCommands } from './commands';
import { Config } from './config';
import { Heat } from './heat';
import { registerMcpServer } from './mcp';
import { Command, ShowFunctionArgs } from './protocol';
import { Session } from './session';
import { showFunctionReport } from './showFunction';
import { createStatusBar } from './statusBar';

let session: Session | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
    const config = new Config();
    const output = vscode.window.createOutputChannel('pprof-lsp');
    session = new Session(context, config, output, (report) =>
        showFunctionReport(report, (fn) => {
            const arg: ShowFunctionArgs = { function: fn };
            return vscode.commands.executeCommand(Command.showFunction, arg);
        }),
    );
    context.subscriptions.push(
        output,
        session,
        createStatusBar(session),
        new Heat(session, config),
        ...registerCommands(session),
        vscode.workspace.onDidChangeConfiguration((e) => {
            if (e.affectsConfiguration('pprof.server.path')) {
                void session?.restart();
            }
        }),
    );
    registerMcpServer(context, config);
    await session.restart();
}

export async function deactivate(): Promise<void> {
    await session?.stop();
    session = undefined;
}
