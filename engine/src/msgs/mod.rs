//! Everything on the wire: enums, records, handshake messages, alerts,
//! extensions.
//!
//! Every decoder is strict (RFC 5246 4.3 vectors with their floors and
//! ceilings, no trailing bytes) and every failure is a
//! [`DecodeError`](crate::codec::DecodeError) naming the field. Encoders
//! never fail and write whatever the value holds, so a misbehaving test can
//! build a malformed message from an ordinary value.

mod macros;

pub mod alert;
pub mod ccs;
pub mod certificate;
pub mod client_key_exchange;
pub mod context;
pub mod enums;
pub mod extensions;
pub mod finished;
pub mod handshake;
pub mod hello;
pub mod reassembly;
pub mod record;
pub mod sslv2;

pub use alert::Alert;
pub use ccs::ChangeCipherSpec;
pub use certificate::{
    Certificate, CertificateDer, CertificateRequest, CertificateVerify, DistinguishedName,
};
pub use client_key_exchange::{ClientKeyExchange, PremasterForm};
pub use extensions::{Extension, ExtensionOrigin, ServerNameEntry, SignatureAndHashAlgorithm};
pub use finished::Finished;
pub use handshake::{HandshakeContext, HandshakeMessage, HandshakePayload};
pub use hello::{ClientHello, Random, ServerHello, SessionId};
pub use reassembly::{HandshakeJoiner, RawHandshake};
pub use record::{DeframeError, Deframed, Deframer, Record, RecordHeader};
pub use sslv2::Sslv2ClientHello;

use crate::codec::{DecodeError, ListElement, Reader};

/// A list element of fixed encoded size, so a list length that is not a
/// whole number of elements is reported as [`DecodeError::RaggedList`]
/// rather than as a truncated last element.
pub(crate) trait FixedSize: ListElement {
    const SIZE: usize;
}

/// Reads a `T::LIST`-prefixed list of fixed-size elements.
pub(crate) fn read_fixed_list<T: FixedSize>(r: &mut Reader<'_>) -> Result<Vec<T>, DecodeError> {
    let mut sub = r.prefixed(&T::LIST)?;
    let len = sub.left();
    if len % T::SIZE != 0 {
        return Err(DecodeError::RaggedList { what: T::LIST.what, len, element: T::SIZE });
    }
    let mut items = Vec::with_capacity(len / T::SIZE);
    while sub.any_left() {
        items.push(T::read(&mut sub)?);
    }
    Ok(items)
}

/// Reads a `T::LIST`-prefixed list of variable-size elements.
pub(crate) fn read_list<T: ListElement>(r: &mut Reader<'_>) -> Result<Vec<T>, DecodeError> {
    let mut sub = r.prefixed(&T::LIST)?;
    let mut items = Vec::new();
    while sub.any_left() {
        items.push(T::read(&mut sub)?);
    }
    Ok(items)
}
