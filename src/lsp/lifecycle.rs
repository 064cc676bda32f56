//! The server process's life: logging to stderr, noticing that the
//! editor's end of stdin closed, and watching the editor's process, so the
//! server never outlives its editor.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, ReadBuf};
use tokio::sync::Notify;

/// How long the server may finish what it is writing after stdin closed.
const EOF_GRACE: Duration = Duration::from_millis(300);
/// How often the editor's process is checked.
const PARENT_POLL: Duration = Duration::from_secs(1);

/// Logs to stderr, which every client shows in its LSP log, at the levels
/// `RUST_LOG` sets (`info` for this crate when unset).
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("pprof_lsp=info,tower_lsp_server=warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(false).try_init();
}

/// A reader that signals when it reaches the end of its input.
pub struct WatchEof<R> {
    inner: R,
    closed: Arc<Notify>,
}

impl<R> WatchEof<R> {
    pub fn new(inner: R) -> Self {
        WatchEof { inner, closed: Arc::new(Notify::new()) }
    }

    /// Signalled (once, and remembered) when a read finds the end.
    pub fn closed(&self) -> Arc<Notify> {
        self.closed.clone()
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for WatchEof<R> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let wanted = buf.remaining() > 0;
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        let at_end = match &result {
            Poll::Ready(Ok(())) => wanted && buf.filled().len() == before,
            Poll::Ready(Err(_)) => true,
            Poll::Pending => false,
        };
        if at_end {
            // `notify_one` keeps a permit, so a waiter that comes later
            // still sees it.
            self.closed.notify_one();
        }
        result
    }
}

/// Resolves a little after the input closed.
pub async fn after_eof(closed: Arc<Notify>) {
    closed.notified().await;
    tracing::info!("input closed");
    tokio::time::sleep(EOF_GRACE).await;
}

/// Signals `exit` once process `pid` has ended.
pub fn watch_process(pid: u32, exit: Arc<Notify>) {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(PARENT_POLL).await;
            if !alive(pid) {
                tracing::info!(pid, "the editor process ended");
                exit.notify_one();
                return;
            }
        }
    });
}

/// Whether a process is still running. A zombie (ended, not yet reaped)
/// counts as ended.
#[cfg(target_os = "linux")]
pub fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the parenthesised command name.
        Ok(stat) => stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().next()).is_some_and(|s| s != "Z" && s != "X"),
        Err(_) => false,
    }
}

#[cfg(all(unix, not(target_os = "linux")))]
pub fn alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else { return false };
    // Signal 0 checks for existence without sending anything.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Hands memory the allocator holds but no longer uses back to the system.
/// glibc keeps freed memory in per-thread arenas; a server that replaces a
/// large profile again and again (a live source) would otherwise see its
/// resident size climb with each replacement, as each load and free lands
/// in another thread's arena.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn release_free_memory() {
    // Safe to call at any time from any thread: it only walks the arenas
    // under their locks.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Other allocators return memory by themselves, or offer no such call.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn release_free_memory() {}

/// Elsewhere the process is not watched: assume it lives.
#[cfg(not(unix))]
pub fn alive(_pid: u32) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_reaped_child_is_not() {
        assert!(alive(std::process::id()));
        if cfg!(unix) {
            let mut child = std::process::Command::new("true").spawn().unwrap();
            let pid = child.id();
            child.wait().unwrap();
            assert!(!alive(pid));
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_zombie_is_not_alive() {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        // Not waited for: it stays a zombie until reaped.
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while alive(pid) && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(!alive(pid));
        child.wait().unwrap();
    }
}
