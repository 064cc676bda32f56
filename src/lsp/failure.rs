//! Why a request or command failed, and how that reaches the client: an
//! error response whose message says why, or for a bug, asks for a report.

use tower_lsp_server::jsonrpc;

/// Why a request or command failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The request cannot be done as asked; the message says why.
    Invalid(String),
    /// A bug: the handler panicked or produced something unsendable.
    Internal(String),
}

pub type Result<T> = std::result::Result<T, Failure>;

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure::Invalid(message)
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Self {
        Failure::Invalid(message.to_string())
    }
}

impl From<Failure> for jsonrpc::Error {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Invalid(message) => jsonrpc::Error::invalid_params(message),
            Failure::Internal(message) => {
                let mut error = jsonrpc::Error::internal_error();
                error.message = format!("pprof-lsp: this request failed ({message}); please report it").into();
                error
            }
        }
    }
}
