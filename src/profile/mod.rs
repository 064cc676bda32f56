//! Profiles: the resolved data model and the decoders that produce it from
//! bytes. Pure: no I/O, no async, no editor types.

pub mod buildinfo;
mod decode;
mod error;
mod gunzip;
mod incoming;
pub mod legacy;
mod model;
mod pb;
mod shape;
mod wire;

pub use decode::{decode, decode_owned, DecodeOptions};
pub use pb::encode;
pub use error::{DecodeError, Seen};
pub use incoming::Incoming;
pub use model::*;
pub(crate) use model::index_newtype;
