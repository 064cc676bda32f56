// The MCP server for coding agents: registers `pprof-lsp mcp` for the open
// workspace folders through VS Code's MCP server definition provider API
// (`vscode.lm.registerMcpServerDefinitionProvider`, VS Code 1.101 and
// later), so agent mode lists the profile tools without any setup. The API
// is looked up at run time; where it is missing (older VS Code, or an
// editor built on an older one) nothing is registered and nothing fails.
// The server is found as the language server is (src/server.ts).
//
// `runBenchmark` stays off (no `--allow-run`): it executes the workspace's
// code, which a user turns on in .vscode/mcp.json, not an extension.

import * as vscode from 'vscode';

import { Config } from './config';
import { findServer } from './server';

/** The id under `contributes.mcpServerDefinitionProviders` in package.json. */
export const MCP_PROVIDER_ID = 'pprof-lsp.mcp';

/** The provider as VS Code's API takes it. */
interface McpProvider {
    onDidChangeMcpServerDefinitions: vscode.Event<void>;
    provideMcpServerDefinitions(token: vscode.CancellationToken): Promise<unknown[]>;
}

/** What this file uses of the API; @types/vscode for the oldest supported VS Code has none of it. */
interface McpApi {
    lm?: { registerMcpServerDefinitionProvider?: (id: string, provider: McpProvider) => vscode.Disposable };
    McpStdioServerDefinition?: new (
        label: string,
        command: string,
        args?: string[],
        env?: Record<string, string | number | null>,
        version?: string,
    ) => { cwd?: vscode.Uri };
}

/** The arguments of `pprof-lsp mcp` for these workspace folders. */
export function mcpArgs(folders: readonly string[]): string[] {
    return ['mcp', ...folders.flatMap((folder) => ['--workspace', folder])];
}

/** Registers the provider when VS Code has the API; returns whether it did. */
export function registerMcpServer(context: vscode.ExtensionContext, config: Config): boolean {
    const api = vscode as unknown as McpApi;
    const register = api.lm?.registerMcpServerDefinitionProvider;
    const Definition = api.McpStdioServerDefinition;
    if (typeof register !== 'function' || typeof Definition !== 'function') {
        return false;
    }
    const changed = new vscode.EventEmitter<void>();
    const provider: McpProvider = {
        onDidChangeMcpServerDefinitions: changed.event,
        async provideMcpServerDefinitions() {
            const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
            if (folders.length === 0) {
                return [];
            }
            let server;
            try {
                server = await findServer(context.extensionPath, config.serverPath);
            } catch {
                // The language server's start has told the user already.
                return [];
            }
            const definition = new Definition('pprof', server.path, mcpArgs(folders.map((f) => f.uri.fsPath)), {}, server.version);
            definition.cwd = folders[0].uri;
            return [definition];
        },
    };
    context.subscriptions.push(
        changed,
        register.call(api.lm, MCP_PROVIDER_ID, provider),
        vscode.workspace.onDidChangeWorkspaceFolders(() => changed.fire()),
        vscode.workspace.onDidChangeConfiguration((e) => {
            if (e.affectsConfiguration('pprof.server.path')) {
                changed.fire();
            }
        }),
    );
    return true;
}
