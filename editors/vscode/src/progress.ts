// The server's work-done progress (`window/workDoneProgress/create`, then
// `$/progress`). The language client shows every progress in the status bar,
// where a cancel button has no place; a cancellable one (a benchmark run)
// is shown here as a notification with a Cancel button instead, which sends
// `window/workDoneProgress/cancel`. The others stay in the status bar.

import * as vscode from 'vscode';
import {
    LanguageClient,
    WorkDoneProgress,
    WorkDoneProgressBegin,
    WorkDoneProgressCancelNotification,
    WorkDoneProgressCreateRequest,
    WorkDoneProgressReport,
} from 'vscode-languageclient/node';

/** Takes over the client's handling of server-created progress; call once the client has started. */
export function handleServerProgress(client: LanguageClient): vscode.Disposable {
    return client.onRequest(WorkDoneProgressCreateRequest.type, ({ token }) => {
        follow(client, token);
    });
}

function follow(client: LanguageClient, token: string | number): void {
    let report: ((value: { message?: string; increment?: number }) => void) | undefined;
    let done: () => void = () => {};
    const finished = new Promise<void>((resolve) => (done = resolve));
    let lastPercent = 0;
    const update = (value: WorkDoneProgressBegin | WorkDoneProgressReport) => {
        const increment = value.percentage !== undefined ? Math.max(0, value.percentage - lastPercent) : undefined;
        lastPercent = value.percentage ?? lastPercent;
        report?.({ message: value.message, increment });
    };
    const listener = client.onProgress(WorkDoneProgress.type, token, (value) => {
        switch (value.kind) {
            case 'begin':
                void vscode.window.withProgress(
                    {
                        location: value.cancellable ? vscode.ProgressLocation.Notification : vscode.ProgressLocation.Window,
                        title: value.title,
                        cancellable: value.cancellable === true,
                    },
                    (progress, cancelled) => {
                        report = (v) => progress.report(v);
                        cancelled.onCancellationRequested(() => {
                            void client.sendNotification(WorkDoneProgressCancelNotification.type, { token });
                        });
                        update(value);
                        return finished;
                    },
                );
                break;
            case 'report':
                update(value);
                break;
            case 'end':
                listener.dispose();
                done();
                break;
        }
    });
}
