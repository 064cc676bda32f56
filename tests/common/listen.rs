//! Accepting connections until a deadline, for the stand-in servers of
//! the tests (`http`, `fleet`), so none of them outlives its test.

use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// The next connection on `listener` (set to non-blocking), or `None`
/// once `deadline` has passed.
pub fn accept_until(listener: &TcpListener, deadline: Instant) -> Option<TcpStream> {
    listener.set_nonblocking(true).unwrap();
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                stream.set_nonblocking(false).unwrap();
                return Some(stream);
            }
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            Err(_) => return None,
        }
    }
}
