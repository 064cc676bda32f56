// The one language client: starting it, restarting it (the only restart
// path), sending it `pprof.*` commands, and noticing when the server's
// status changes.

import * as vscode from 'vscode';
import {
    ExecuteCommandRequest,
    LanguageClient,
    LanguageClientOptions,
    State,
} from 'vscode-languageclient/node';

import { Config, SECTION, serverPart } from './config';
import { Command, FunctionReport, Status } from './protocol';
import { findServer, Server, ServerNotFound } from './server';

/** Documents the server annotates: sources a Go profile can point at. */
const DOCUMENTS = ['go', 'c', 'cpp', 'java'].map((language) => ({ scheme: 'file', language }));

/** How often the status is polled, so loads the server starts itself (watching, settings) show up. */
const STATUS_POLL_MS = 2000;

export class Session implements vscode.Disposable {
    private client: LanguageClient | undefined;
    private pending: Promise<void> = Promise.resolve();
    private lastStatus = '';
    private readonly poll: ReturnType<typeof setInterval>;
    private readonly statusChanged = new vscode.EventEmitter<Status | undefined>();

    /** Fires with the new status, or undefined when the server is not running. */
    readonly onDidChangeStatus = this.statusChanged.event;
    private current: Status | undefined;

    constructor(
        private readonly context: vscode.ExtensionContext,
        private readonly config: Config,
        readonly output: vscode.OutputChannel,
        /** Shows what the code lens command `pprof.showFunction` returned. */
        private readonly showFunction: (report: FunctionReport) => Promise<void>,
    ) {
        this.poll = setInterval(() => void this.refreshStatus(), STATUS_POLL_MS);
    }

    /** The last status seen; undefined while the server is not running. */
    get status(): Status | undefined {
        return this.current;
    }

    /** Stops any running server and starts a fresh one. Calls queue up. */
    restart(): Promise<void> {
        this.pending = this.pending
            .then(() => this.startFresh())
            .catch((e) => this.output.appendLine(`pprof-lsp: restarting failed: ${String(e)}`));
        return this.pending;
    }

    /** Runs a server command; rejects when the server is not running. */
    async execute<T>(command: string, arg?: unknown): Promise<T> {
        await this.pending;
        return this.send<T>(command, arg);
    }

    private async send<T>(command: string, arg?: unknown): Promise<T> {
        const client = this.client;
        if (!client || client.state !== State.Running) {
            throw new Error('the pprof-lsp server is not running (try "Pprof: Restart Server")');
        }
        const params = { command, arguments: arg === undefined ? [] : [arg] };
        return (await client.sendRequest(ExecuteCommandRequest.type, params)) as T;
    }

    /** Asks the server for its status and tells listeners if it changed. */
    async refreshStatus(): Promise<void> {
        let status: Status | undefined;
        if (this.client?.state === State.Running) {
            try {
                status = await this.send<Status>(Command.status);
            } catch {
                status = undefined;
            }
        }
        const key = JSON.stringify(status ?? null);
        if (key !== this.lastStatus) {
            this.lastStatus = key;
            this.current = status;
            this.statusChanged.fire(status);
        }
    }

    async stop(): Promise<void> {
        const client = this.client;
        this.client = undefined;
        if (client) {
            try {
                await client.stop(5000);
            } catch {
                // Already gone; nothing more to stop.
            }
        }
        await this.refreshStatus();
    }

    dispose(): void {
        clearInterval(this.poll);
        void this.stop().finally(() => this.statusChanged.dispose());
    }

    private async startFresh(): Promise<void> {
        await this.stop();
        let server: Server;
        try {
            server = await findServer(this.context.extensionPath, this.config.serverPath);
        } catch (e) {
            const reason = e instanceof ServerNotFound ? e.message : String(e);
            this.output.appendLine(`pprof-lsp: ${reason}`);
            void reportMissingServer(reason);
            return;
        }
        this.output.appendLine(`using pprof-lsp ${server.version} at ${server.path} (${server.origin})`);
        checkVersion(server, this.context.extension.packageJSON.version as string, this.output);

        const client: LanguageClient = new LanguageClient(
            'pprof',
            'pprof-lsp',
            { command: server.path, args: ['serve'] },
            this.clientOptions(() => this.client === client),
        );
        client.onDidChangeState(() => void this.refreshStatus());
        this.client = client;
        try {
            await client.start();
        } catch (e) {
            this.output.appendLine(`pprof-lsp failed to start: ${String(e)}`);
            void vscode.window.showErrorMessage(`pprof-lsp: the server at ${server.path} failed to start. See the pprof-lsp output for details.`);
            return;
        }
        await this.refreshStatus();
    }

    /** `isCurrent` tells whether the client is still the one in use (not being stopped). */
    private clientOptions(isCurrent: () => boolean): LanguageClientOptions {
        return {
            documentSelector: DOCUMENTS,
            initializationOptions: this.config.serverSettings(),
            synchronize: { configurationSection: SECTION },
            outputChannel: this.output,
            middleware: {
                workspace: {
                    // A settings change can also restart the server; a client on its
                    // way out has nothing more to be told, nor to complain about.
                    didChangeConfiguration: async (sections, next) => {
                        try {
                            if (isCurrent()) {
                                await next(sections);
                            }
                        } catch (e) {
                            if (isCurrent()) {
                                throw e;
                            }
                        }
                    },
                    // The server gets the `pprof` section without the keys only the extension reads.
                    configuration: async (params, token, next) => {
                        const result = await next(params, token);
                        if (!Array.isArray(result)) {
                            return result;
                        }
                        return result.map((value, i) => (params.items[i]?.section === SECTION ? serverPart(value) : value));
                    },
                },
                // The code lens runs `pprof.showFunction`, which the client registers
                // as a VS Code command itself; its result is shown here, so the
                // server is asked not to show it as a message too.
                executeCommand: async (command, args, next) => {
                    if (command !== Command.showFunction) {
                        return next(command, args);
                    }
                    const first = (args[0] ?? {}) as Record<string, unknown>;
                    const report = (await next(command, [{ ...first, notify: false }, ...args.slice(1)])) as
                        | FunctionReport
                        | undefined;
                    if (report) {
                        await this.showFunction(report);
                    }
                    return report;
                },
            },
        };
    }
}


async function reportMissingServer(reason: string): Promise<void> {
    const open = 'Open Settings';
    const choice = await vscode.window.showErrorMessage(
        `pprof-lsp: ${reason} Set "pprof.server.path" to the pprof-lsp executable.`,
        open,
    );
    if (choice === open) {
        await vscode.commands.executeCommand('workbench.action.openSettings', 'pprof.server.path');
    }
}

/** Warns when the server's major.minor differs from the extension's. */
function checkVersion(server: Server, extensionVersion: string, output: vscode.OutputChannel): void {
    const majorMinor = (v: string) => v.split('.').slice(0, 2).join('.');
    if (majorMinor(server.version) !== majorMinor(extensionVersion)) {
        const message = `pprof-lsp: the server is version ${server.version}, the extension ${extensionVersion}; some features may not work.`;
        output.appendLine(message);
        void vscode.window.showWarningMessage(message);
    }
}
