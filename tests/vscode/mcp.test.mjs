// The VS Code extension's MCP registration (editors/vscode/src/mcp.ts),
// checked against stand-ins of the `vscode` module: with the MCP server
// definition provider API, the provider is registered under the id that
// package.json contributes and offers `pprof-lsp mcp --workspace FOLDER...`
// with the server found as the language server finds it; without the API,
// nothing is registered and nothing fails. (The end-to-end VS Code test,
// tests/vscode/run.mjs, runs code-server with AI features off, where no MCP
// server is ever started, so this is checked here instead.)
//
//   node tests/vscode/mcp.test.mjs [PPROF_LSP_BINARY]
//
// Needs editors/vscode/node_modules (npm ci) for esbuild.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const EXTENSION = path.join(ROOT, 'editors/vscode');
const SERVER = path.resolve(process.argv[2] ?? process.env.PPROF_LSP ?? path.join(ROOT, 'target/release/pprof-lsp'));
const require = createRequire(path.join(EXTENSION, 'package.json'));
const esbuild = require('esbuild');

/** src/mcp.ts bundled as the extension is, with `vscode` left to require. */
const bundle = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pprof-mcp-ts-')), 'mcp.js');
await esbuild.build({
    entryPoints: [path.join(EXTENSION, 'src/mcp.ts')],
    bundle: true,
    outfile: bundle,
    platform: 'node',
    format: 'cjs',
    external: ['vscode'],
    logLevel: 'error',
});

/** Loads the bundle with `fake` as the `vscode` module. */
function load(fake) {
    const original = Module._load;
    Module._load = function (request, ...rest) {
        return request === 'vscode' ? fake : original.call(this, request, ...rest);
    };
    try {
        delete require.cache[bundle];
        return require(bundle);
    } finally {
        Module._load = original;
    }
}

/** The parts of `vscode` the module touches besides the MCP API. */
function baseVscode(folders) {
    class EventEmitter {
        listeners = [];
        event = (listener) => {
            this.listeners.push(listener);
            return { dispose() {} };
        };
        fire() {
            this.listeners.forEach((l) => l());
        }
        dispose() {}
    }
    return {
        EventEmitter,
        workspace: {
            workspaceFolders: folders.map((f) => ({ uri: { scheme: 'file', fsPath: f } })),
            onDidChangeWorkspaceFolders: () => ({ dispose() {} }),
            onDidChangeConfiguration: () => ({ dispose() {} }),
        },
    };
}

const context = () => ({ extensionPath: fs.mkdtempSync(path.join(os.tmpdir(), 'pprof-ext-')), subscriptions: [] });
const config = { serverPath: SERVER };
const folders = [path.join(ROOT, 'tests/fixtures/goprog'), path.join(ROOT, 'tests/fixtures/bench')];

// Older VS Code: no `lm` namespace, or one without the provider API.
for (const fake of [baseVscode(folders), { ...baseVscode(folders), lm: {} }]) {
    const ctx = context();
    assert.equal(load(fake).registerMcpServer(ctx, config), false);
    assert.equal(ctx.subscriptions.length, 0);
}

// VS Code with the API.
const registered = [];
class McpStdioServerDefinition {
    constructor(label, command, args, env, version) {
        Object.assign(this, { label, command, args, env, version });
    }
}
const fake = {
    ...baseVscode(folders),
    McpStdioServerDefinition,
    lm: {
        registerMcpServerDefinitionProvider(id, provider) {
            registered.push({ id, provider });
            return { dispose() {} };
        },
    },
};
const ctx = context();
assert.equal(load(fake).registerMcpServer(ctx, config), true);
const contributed = JSON.parse(fs.readFileSync(path.join(EXTENSION, 'package.json'), 'utf8')).contributes.mcpServerDefinitionProviders;
assert.deepEqual(registered.map((r) => r.id), contributed.map((c) => c.id));
const [definition] = await registered[0].provider.provideMcpServerDefinitions({ isCancellationRequested: false });
assert.ok(definition instanceof McpStdioServerDefinition);
assert.equal(definition.command, SERVER);
assert.deepEqual(definition.args, ['mcp', '--workspace', folders[0], '--workspace', folders[1]]);
assert.match(definition.version, /^\d+\.\d+\.\d+/);
assert.equal(definition.cwd.fsPath, folders[0]);
// Its change event fires when the folders change, so VS Code asks again.
let asked = 0;
registered[0].provider.onDidChangeMcpServerDefinitions(() => asked++);
ctx.subscriptions[0].fire();
assert.equal(asked, 1);

// No folder open: no server.
const empty = { ...fake, workspace: { ...fake.workspace, workspaceFolders: undefined } };
registered.length = 0;
load(empty).registerMcpServer(context(), config);
assert.deepEqual(await registered[0].provider.provideMcpServerDefinitions({}), []);

fs.rmSync(path.dirname(bundle), { recursive: true, force: true });
console.log('mcp.test.mjs: the MCP provider registers with the API, offers `pprof-lsp mcp --workspace …`, and does nothing without it');
