// "Pprof: Open Flame Graph": the server's web view (`pprof.openWeb`, a page
// on 127.0.0.1 behind a token) in a webview panel beside the editor. The
// page is an iframe to the URL as `asExternalUri` gives it, so it also works
// when the server runs on another machine than the window (Remote, code-server,
// where it goes through the port forwarding or proxy). Clicking a frame makes
// the server send `window/showDocument`, which the language client opens.

import * as vscode from 'vscode';

import { Command, OpenWebResult } from './protocol';
import { Session } from './session';

let panel: vscode.WebviewPanel | undefined;

export async function openFlameGraph(session: Session): Promise<void> {
    const { url } = await session.execute<OpenWebResult>(Command.openWeb);
    const external = await vscode.env.asExternalUri(vscode.Uri.parse(url, true));
    if (panel) {
        panel.reveal(vscode.ViewColumn.Beside);
    } else {
        panel = vscode.window.createWebviewPanel('pprof.flameGraph', 'pprof: Flame Graph', vscode.ViewColumn.Beside, {
            // The page in the iframe runs its own scripts; the webview's sandbox applies to it.
            enableScripts: true,
            retainContextWhenHidden: true,
        });
        panel.onDidDispose(() => (panel = undefined));
    }
    panel.webview.html = page(external, panel.webview.cspSource);
}

/** The webview's document: one iframe, and a CSP that allows nothing else. */
export function page(url: vscode.Uri, cspSource: string): string {
    const frameSrc = `${url.scheme}://${url.authority}`;
    const src = escapeAttribute(url.toString(true));
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; frame-src ${frameSrc}; style-src ${cspSource} 'unsafe-inline';">
<style>
html, body { margin: 0; padding: 0; height: 100%; overflow: hidden; }
iframe { border: 0; width: 100%; height: 100%; display: block; background: white; }
</style>
</head>
<body>
<iframe src="${src}" title="pprof flame graph"></iframe>
</body>
</html>`;
}

function escapeAttribute(s: string): string {
    return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
