//! Everything on the wire: enums, records, handshake messages, alerts,
//! extensions.

mod macros;

pub mod enums;
