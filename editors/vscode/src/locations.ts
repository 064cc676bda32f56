// Opening a place the server named, and short display names for functions.

import * as vscode from 'vscode';

/** Opens `uri` with the cursor at the start of the code on 1-based `line`. */
export async function reveal(uri: string, line: number): Promise<void> {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
    const index = Math.min(Math.max(line - 1, 0), doc.lineCount - 1);
    const at = new vscode.Position(index, doc.lineAt(index).firstNonWhitespaceCharacterIndex);
    const editor = await vscode.window.showTextDocument(doc, { selection: new vscode.Range(at, at) });
    editor.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

/**
 * Opens a place the server named, or says why it cannot: `uri` is missing
 * when the server found no local file for `file`.
 */
export async function revealIfLocal(uri: string | null | undefined, file: string, line: number): Promise<void> {
    if (!uri) {
        void vscode.window.showWarningMessage(
            `pprof-lsp: ${file} is not in the workspace (see "Pprof: Show Unresolved Paths").`,
        );
        return;
    }
    await reveal(uri, line);
}

/** `example.com/mod/internal/catalog.(*Store).Get` → `catalog.(*Store).Get`. */
export function shortFunction(name: string): string {
    const slash = name.lastIndexOf('/');
    return slash < 0 ? name : name.slice(slash + 1);
}

/** A profile or local file name as the user would read it here. */
export function displayPath(uri: string | null, file: string | null): string {
    if (uri) {
        return vscode.workspace.asRelativePath(vscode.Uri.parse(uri), false);
    }
    return file ?? '(no file)';
}
