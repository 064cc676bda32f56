//! `$/progress` for the server's long work: loads (no cancel button) and
//! runs (a cancel button whose `window/workDoneProgress/cancel` sets the
//! run's flag). Both degrade to nothing for clients without progress.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use tower_lsp_server::ls_types::{NumberOrString, WorkDoneProgressCancelParams};
use tower_lsp_server::{Cancellable, NotCancellable, OngoingProgress, Unbounded};

use super::session::Handle;

static PROGRESS_TOKENS: AtomicU64 = AtomicU64::new(1);

/// Progress reporting that degrades to nothing for clients without it.
pub struct Progress(Option<OngoingProgress<Unbounded, NotCancellable>>);

impl Progress {
    pub async fn begin(handle: &Handle, title: &str, message: String) -> Progress {
        if !handle.session.snapshot().caps.work_done_progress {
            return Progress(None);
        }
        let token = NumberOrString::String(format!("pprof/{}", PROGRESS_TOKENS.fetch_add(1, Ordering::Relaxed)));
        if handle.client.create_work_done_progress(token.clone()).await.is_err() {
            return Progress(None);
        }
        Progress(Some(handle.client.progress(token, title).with_message(message).begin().await))
    }

    pub async fn report(&self, message: &str) {
        if let Some(p) = &self.0 {
            p.report(message).await;
        }
    }

    pub async fn finish(self, message: String) {
        if let Some(p) = self.0 {
            p.finish_with_message(message).await;
        }
    }
}

/// Progress with a cancel button; cancelling sets `cancel` (through the
/// client's `window/workDoneProgress/cancel`).
pub struct CancellableProgress {
    handle: Handle,
    token: Option<String>,
    ongoing: Option<OngoingProgress<Unbounded, Cancellable>>,
}

impl CancellableProgress {
    pub async fn begin(handle: &Handle, title: &str, cancel: Arc<AtomicBool>) -> CancellableProgress {
        let mut out = CancellableProgress { handle: handle.clone(), token: None, ongoing: None };
        if !handle.session.snapshot().caps.work_done_progress {
            return out;
        }
        let name = format!("pprof/{}", PROGRESS_TOKENS.fetch_add(1, Ordering::Relaxed));
        let token = NumberOrString::String(name.clone());
        if handle.client.create_work_done_progress(token.clone()).await.is_err() {
            return out;
        }
        handle.session.cancels.lock().unwrap_or_else(|e| e.into_inner()).insert(name.clone(), cancel);
        out.ongoing = Some(handle.client.progress(token, title).with_cancel_button().begin().await);
        out.token = Some(name);
        out
    }

    pub async fn finish(self, message: &str) {
        if let Some(token) = &self.token {
            self.handle.session.cancels.lock().unwrap_or_else(|e| e.into_inner()).remove(token);
        }
        if let Some(p) = self.ongoing {
            p.finish_with_message(message.to_string()).await;
        }
    }
}

/// `window/workDoneProgress/cancel`: stops what the progress stands for.
pub fn cancel(handle: &Handle, params: WorkDoneProgressCancelParams) {
    let token = match params.token {
        NumberOrString::String(s) => s,
        NumberOrString::Number(n) => n.to_string(),
    };
    if let Some(flag) = handle.session.cancels.lock().unwrap_or_else(|e| e.into_inner()).get(&token) {
        tracing::info!(token, "cancelled by the client");
        flag.store(true, Ordering::SeqCst);
    }
}
