// "Pprof: Open Flame Graph": the server's web view (`pprof.openWeb`, a page
// on 127.0.0.1 behind a token) in a webview panel beside the editor. The
// page is an iframe to the URL as `asExternalUri` gives it, so it also works
// when the server runs on another machine than the window (Remote, code-server,
// where it goes through the port forwarding or proxy). Clicking a frame makes
// the server send `window/showDocument`: while the panel is shown, the line
// opens in another column, so that the graph stays in view beside it.

import * as vscode from 'vscode';
import { CancellationToken, ShowDocumentParams, ShowDocumentRequest, ShowDocumentResult } from 'vscode-languageclient/node';

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

/**
 * `window/showDocument` middleware: while the flame graph panel is visible,
 * a document the server shows (a click in the page) opens in a column other
 * than the panel's, and takes the focus unless the server says not to.
 * Otherwise the language client's own handling applies.
 */
export async function showDocumentBesidePanel(
    params: ShowDocumentParams,
    next: ShowDocumentRequest.HandlerSignature,
): Promise<ShowDocumentResult> {
    if (params.external || !panel?.visible) {
        return (await next(params, CancellationToken.None)) as ShowDocumentResult;
    }
    const s = params.selection;
    try {
        await vscode.window.showTextDocument(vscode.Uri.parse(params.uri, true), {
            viewColumn: panel.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One,
            selection: s ? new vscode.Range(s.start.line, s.start.character, s.end.line, s.end.character) : undefined,
            preserveFocus: params.takeFocus === false,
        });
        return { success: true };
    } catch {
        return { success: false };
    }
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
