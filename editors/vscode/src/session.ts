// The one language client: starting it, restarting it (the only restart
// path), sending it `pprof.*` commands, and keeping the latest status the
// server sent (`pprof/status`).

import * as vscode from 'vscode';
import {
    ExecuteCommandRequest,
    LanguageClient,
    LanguageClientOptions,
    State,
} from 'vscode-languageclient/node';

import { Config, SECTION, serverPart } from './config';
import { runBenchmark } from './bench';
import { handleServerProgress } from './progress';
import { Command, FilterKind, filterKinds, FunctionReport, ShowFunctionArgs, Status, StatusNotification } from './protocol';
import { findServer, Server, ServerNotFound } from './server';
import { showDocumentBesidePanel } from './web';

/** Documents the server annotates: sources a Go profile can point at. */
const DOCUMENTS = ['go', 'c', 'cpp', 'java'].map((language) => ({ scheme: 'file', language }));

export class Session implements vscode.Disposable {
    private client: LanguageClient | undefined;
    private pending: Promise<void> = Promise.resolve();
    private current: Status | undefined;
    private currentKey = 'null';
    /** `pprof/status` notifications received from the current client. */
    private received = 0;
    private readonly statusChanged = new vscode.EventEmitter<Status | undefined>();

    /** Fires with the new status, or undefined when the server is not running. */
    readonly onDidChangeStatus = this.statusChanged.event;

    constructor(
        private readonly context: vscode.ExtensionContext,
        private readonly config: Config,
        readonly output: vscode.OutputChannel,
        /** Shows what the code lens command `pprof.showFunction` returned. */
        private readonly showFunction: (report: FunctionReport) => Promise<void>,
    ) {}

    /** The last status the server sent; undefined while it is not running. */
    get status(): Status | undefined {
        return this.current;
    }

    /** The filters the running server offers, in pprof's order; [] while none is running. */
    get filterKinds(): FilterKind[] {
        return filterKinds(this.client?.initializeResult?.capabilities.experimental);
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
        return send<T>(this.client, command, arg);
    }

    /** Keeps a status from the current client and tells listeners if it changed. */
    private setStatus(status: Status | undefined): void {
        const key = JSON.stringify(status ?? null);
        if (key !== this.currentKey) {
            this.currentKey = key;
            this.current = status;
            this.statusChanged.fire(status);
        }
    }

    /**
     * Asks a server that has just started for its status, once. The client
     * installs notification handlers only when `initialize` has answered, so
     * a status sent before that is lost. A notification that arrives while
     * this request runs is newer and wins.
     */
    private async fetchStatus(client: LanguageClient): Promise<void> {
        const before = this.received;
        let status: Status;
        try {
            status = await send<Status>(client, Command.status);
        } catch {
            return;
        }
        if (this.client === client && this.received === before) {
            this.setStatus(status);
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
        this.setStatus(undefined);
    }

    dispose(): void {
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
        // The client keeps this handler across its own restarts after a crash.
        client.onNotification(StatusNotification, (status) => {
            if (this.client === client) {
                this.received++;
                this.setStatus(status);
            }
        });
        client.onDidChangeState((e) => {
            if (this.client !== client) {
                return;
            }
            if (e.newState === State.Running) {
                void this.fetchStatus(client);
            } else if (e.newState === State.Stopped) {
                this.setStatus(undefined);
            }
        });
        this.client = client;
        this.received = 0;
        try {
            await client.start();
            // After start: the client installs its own progress handling while starting.
            handleServerProgress(client);
        } catch (e) {
            this.output.appendLine(`pprof-lsp failed to start: ${String(e)}`);
            void vscode.window.showErrorMessage(`pprof-lsp: the server at ${server.path} failed to start. See the pprof-lsp output for details.`);
        }
    }

    /** `isCurrent` tells whether the client is still the one in use (not being stopped). */
    private clientOptions(isCurrent: () => boolean): LanguageClientOptions {
        return {
            documentSelector: DOCUMENTS,
            initializationOptions: this.config.serverSettings(),
            synchronize: { configurationSection: SECTION },
            outputChannel: this.output,
            middleware: {
                // A click in the flame graph panel opens its line beside the panel.
                window: { showDocument: showDocumentBesidePanel },
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
                // A benchmark run (its lenses, or "Profile Benchmark at Cursor")
                // shows go test's output as it comes and says how it went.
                // The code lens runs `pprof.showFunction`, which the client registers
                // as a VS Code command itself; its result is shown here, so the
                // server is asked not to show it as a message too.
                executeCommand: async (command, args, next) => {
                    if (command === Command.runBenchmark) {
                        return runBenchmark(this, args[0]);
                    }
                    if (command !== Command.showFunction) {
                        return next(command, args);
                    }
                    const first = (args[0] ?? {}) as ShowFunctionArgs;
                    const arg: ShowFunctionArgs = { ...first, notify: false };
                    const report = (await next(command, [arg, ...args.slice(1)])) as
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

/** Sends one `workspace/executeCommand`; rejects when the client is not running. */
async function send<T>(client: LanguageClient | undefined, command: string, arg?: unknown): Promise<T> {
    if (!client || client.state !== State.Running) {
        throw new Error('the pprof-lsp server is not running (try "Pprof: Restart Server")');
    }
    const params = { command, arguments: arg === undefined ? [] : [arg] };
    return (await client.sendRequest(ExecuteCommandRequest.type, params)) as T;
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
