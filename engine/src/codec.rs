//! The one wire codec: a [`Reader`] over borrowed bytes, the [`Codec`] trait
//! every wire type implements, and length-prefixed vectors whose limits are
//! declared once per type (RFC 5246 4.3: `<floor..ceiling>` vectors).
//!
//! Decoding is strict. Short input, trailing bytes, a length over the type's
//! ceiling and a length under its floor are distinct errors, never panics.
//! Encoding never fails: a value too long for its prefix is written with a
//! saturated length (a malformed message, which is what a misbehaving test
//! needs), never a panic.

use std::fmt;

/// Why bytes did not decode. Each variant names the field (`what`) so a
/// report line says exactly where a peer's message went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The input ended before the field did.
    Truncated { what: &'static str, needed: usize, left: usize },
    /// Bytes remained after a value that must fill its container.
    TrailingBytes { what: &'static str, left: usize },
    /// A length prefix above the type's ceiling.
    TooLong { what: &'static str, len: usize, max: usize },
    /// A length prefix below the type's floor (an empty list that must not be).
    TooShort { what: &'static str, len: usize, min: usize },
    /// A length that is not a whole number of elements.
    RaggedList { what: &'static str, len: usize, element: usize },
    /// A value the protocol forbids in this position.
    InvalidValue { what: &'static str, detail: String },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Truncated { what, needed, left } => {
                write!(f, "{what}: truncated, needed {needed} bytes, {left} left")
            }
            Self::TrailingBytes { what, left } => write!(f, "{what}: {left} trailing bytes"),
            Self::TooLong { what, len, max } => write!(f, "{what}: length {len} over maximum {max}"),
            Self::TooShort { what, len, min } => write!(f, "{what}: length {len} under minimum {min}"),
            Self::RaggedList { what, len, element } => {
                write!(f, "{what}: length {len} is not a multiple of {element}")
            }
            Self::InvalidValue { what, detail } => write!(f, "{what}: {detail}"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// A cursor over borrowed input. Every read is bounds-checked.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    offset: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Self { buf, offset: 0 }
    }

    /// Bytes not yet read.
    pub fn rest(&self) -> &'a [u8] {
        self.buf.get(self.offset..).unwrap_or_default()
    }

    pub fn left(&self) -> usize {
        self.buf.len().saturating_sub(self.offset)
    }

    pub fn any_left(&self) -> bool {
        self.left() > 0
    }

    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Takes exactly `n` bytes.
    pub fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], DecodeError> {
        let left = self.left();
        if n > left {
            return Err(DecodeError::Truncated { what, needed: n, left });
        }
        let start = self.offset;
        self.offset += n;
        Ok(self.buf.get(start..self.offset).unwrap_or_default())
    }

    /// Takes everything that is left.
    pub fn take_rest(&mut self) -> &'a [u8] {
        let rest = self.rest();
        self.offset = self.buf.len();
        rest
    }

    /// A sub-reader over the next `n` bytes; the parent moves past them.
    pub fn sub(&mut self, n: usize, what: &'static str) -> Result<Reader<'a>, DecodeError> {
        self.take(n, what).map(Reader::new)
    }

    /// Fails if anything is left: a container must be consumed exactly.
    pub fn expect_empty(&self, what: &'static str) -> Result<(), DecodeError> {
        match self.left() {
            0 => Ok(()),
            left => Err(DecodeError::TrailingBytes { what, left }),
        }
    }

    pub fn u8(&mut self, what: &'static str) -> Result<u8, DecodeError> {
        let b = self.take(1, what)?;
        Ok(b.first().copied().unwrap_or_default())
    }

    pub fn u16(&mut self, what: &'static str) -> Result<u16, DecodeError> {
        let b = self.take(2, what)?;
        let mut a = [0u8; 2];
        a.copy_from_slice(b);
        Ok(u16::from_be_bytes(a))
    }

    pub fn u24(&mut self, what: &'static str) -> Result<u32, DecodeError> {
        let b = self.take(3, what)?;
        let mut a = [0u8; 4];
        a.get_mut(1..).unwrap_or_default().copy_from_slice(b);
        Ok(u32::from_be_bytes(a))
    }

    pub fn u32(&mut self, what: &'static str) -> Result<u32, DecodeError> {
        let b = self.take(4, what)?;
        let mut a = [0u8; 4];
        a.copy_from_slice(b);
        Ok(u32::from_be_bytes(a))
    }

    pub fn u64(&mut self, what: &'static str) -> Result<u64, DecodeError> {
        let b = self.take(8, what)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_be_bytes(a))
    }

    /// A fixed-size array.
    pub fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], DecodeError> {
        let b = self.take(N, what)?;
        let mut a = [0u8; N];
        a.copy_from_slice(b);
        Ok(a)
    }

    /// Reads a length prefix of `prefix`'s width and checks it against the
    /// prefix's floor and ceiling, then returns a sub-reader over the body.
    pub fn prefixed(&mut self, prefix: &LengthPrefix) -> Result<Reader<'a>, DecodeError> {
        let len = match prefix.width {
            Width::U8 => usize::from(self.u8(prefix.what)?),
            Width::U16 => usize::from(self.u16(prefix.what)?),
            Width::U24 => self.u24(prefix.what)? as usize,
        };
        prefix.check(len)?;
        self.sub(len, prefix.what)
    }

    /// An opaque length-prefixed byte vector.
    pub fn opaque(&mut self, prefix: &LengthPrefix) -> Result<Vec<u8>, DecodeError> {
        Ok(self.prefixed(prefix)?.take_rest().to_vec())
    }
}

/// Width of a length prefix on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    U8,
    U16,
    U24,
}

impl Width {
    pub const fn max(self) -> usize {
        match self {
            Self::U8 => 0xff,
            Self::U16 => 0xffff,
            Self::U24 => 0xff_ffff,
        }
    }

    pub const fn bytes(self) -> usize {
        match self {
            Self::U8 => 1,
            Self::U16 => 2,
            Self::U24 => 3,
        }
    }
}

/// A length prefix with its limits: the `<floor..ceiling>` of the RFC's
/// presentation language, measured in bytes, plus a name for errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LengthPrefix {
    pub what: &'static str,
    pub width: Width,
    pub min: usize,
    pub max: usize,
}

impl LengthPrefix {
    pub const fn u8(what: &'static str, min: usize, max: usize) -> Self {
        Self { what, width: Width::U8, min, max }
    }

    pub const fn u16(what: &'static str, min: usize, max: usize) -> Self {
        Self { what, width: Width::U16, min, max }
    }

    pub const fn u24(what: &'static str, min: usize, max: usize) -> Self {
        Self { what, width: Width::U24, min, max }
    }

    pub fn check(&self, len: usize) -> Result<(), DecodeError> {
        if len > self.max {
            return Err(DecodeError::TooLong { what: self.what, len, max: self.max });
        }
        if len < self.min {
            return Err(DecodeError::TooShort { what: self.what, len, min: self.min });
        }
        Ok(())
    }
}

/// Writes `len` in `width` bytes, saturating at the width's maximum.
pub fn put_len(out: &mut Vec<u8>, width: Width, len: usize) {
    let len = len.min(width.max()) as u32;
    let bytes = len.to_be_bytes();
    out.extend_from_slice(bytes.get(4 - width.bytes()..).unwrap_or_default());
}

/// Writes a length-prefixed body produced by `body`. The length is filled in
/// afterwards, so nested vectors need no precomputed sizes.
pub fn put_prefixed(out: &mut Vec<u8>, width: Width, body: impl FnOnce(&mut Vec<u8>)) {
    let at = out.len();
    out.extend(std::iter::repeat_n(0u8, width.bytes()));
    body(out);
    let len = (out.len() - at - width.bytes()).min(width.max()) as u32;
    let bytes = len.to_be_bytes();
    if let Some(slot) = out.get_mut(at..at + width.bytes()) {
        slot.copy_from_slice(bytes.get(4 - width.bytes()..).unwrap_or_default());
    }
}

/// Writes an opaque vector with its prefix.
pub fn put_opaque(out: &mut Vec<u8>, width: Width, bytes: &[u8]) {
    put_len(out, width, bytes.len());
    out.extend_from_slice(bytes);
}

pub fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

pub fn put_u24(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(v.to_be_bytes().get(1..).unwrap_or_default());
}

pub fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_be_bytes());
}

/// Every wire type: how it is written and how it is read back.
pub trait Codec: Sized {
    fn encode(&self, out: &mut Vec<u8>);

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError>;

    fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }

    /// Decodes a value that must use all of `bytes` (no trailing bytes).
    fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let v = Self::read(&mut r)?;
        r.expect_empty(std::any::type_name::<Self>())?;
        Ok(v)
    }
}

impl Codec for u8 {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(*self);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.u8("u8")
    }
}

impl Codec for u16 {
    fn encode(&self, out: &mut Vec<u8>) {
        put_u16(out, *self);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.u16("u16")
    }
}

/// A type that appears in length-prefixed lists. The list's prefix and limits
/// are declared here, once per element type.
pub trait ListElement: Codec {
    const LIST: LengthPrefix;
}

impl<T: ListElement> Codec for Vec<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        put_prefixed(out, T::LIST.width, |out| {
            for item in self {
                item.encode(out);
            }
        });
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut sub = r.prefixed(&T::LIST)?;
        let mut items = Vec::new();
        while sub.any_left() {
            items.push(T::read(&mut sub)?);
        }
        Ok(items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_input_is_truncated_not_panic() {
        let mut r = Reader::new(&[0x01]);
        assert_eq!(r.u16("x"), Err(DecodeError::Truncated { what: "x", needed: 2, left: 1 }));
        assert_eq!(r.u24("y").unwrap_err(), DecodeError::Truncated { what: "y", needed: 3, left: 1 });
    }

    #[test]
    fn prefix_over_ceiling_is_too_long() {
        let p = LengthPrefix::u8("session_id", 0, 32);
        let mut bytes = vec![33];
        bytes.extend([0u8; 33]);
        assert_eq!(
            Reader::new(&bytes).opaque(&p),
            Err(DecodeError::TooLong { what: "session_id", len: 33, max: 32 })
        );
    }

    #[test]
    fn prefix_under_floor_is_too_short() {
        let p = LengthPrefix::u16("cipher_suites", 2, 0xfffe);
        assert_eq!(
            Reader::new(&[0, 0]).opaque(&p),
            Err(DecodeError::TooShort { what: "cipher_suites", len: 0, min: 2 })
        );
    }

    #[test]
    fn prefix_past_end_is_truncated() {
        let p = LengthPrefix::u24("certificate", 0, 0xff_ffff);
        assert!(matches!(
            Reader::new(&[0, 0, 5, 1, 2]).opaque(&p),
            Err(DecodeError::Truncated { what: "certificate", needed: 5, left: 2 })
        ));
    }

    #[test]
    fn from_bytes_rejects_trailing() {
        assert!(matches!(u16::from_bytes(&[1, 2, 3]), Err(DecodeError::TrailingBytes { left: 1, .. })));
        assert_eq!(u16::from_bytes(&[1, 2]), Ok(0x0102));
    }

    #[test]
    fn nested_prefixes_fill_in_lengths() {
        let mut out = Vec::new();
        put_prefixed(&mut out, Width::U24, |out| {
            put_prefixed(out, Width::U16, |out| out.extend_from_slice(b"abc"));
        });
        assert_eq!(out, [0, 0, 5, 0, 3, b'a', b'b', b'c']);
    }

    #[test]
    fn oversized_body_saturates_length_instead_of_panicking() {
        let mut out = Vec::new();
        put_opaque(&mut out, Width::U8, &[7u8; 300]);
        assert_eq!(out.first(), Some(&0xff));
        assert_eq!(out.len(), 301);
    }
}
