//! The alert protocol (RFC 5246 7.2; RFC 6101 5.4).

use super::enums::{AlertDescription, AlertLevel};
use crate::codec::{Codec, DecodeError, Reader};

/// One alert: exactly two bytes, level then description (RFC 5246 7.2).
///
/// Decoding an alert record's fragment with [`Codec::from_bytes`] is strict:
/// fewer or more than two bytes is an error. (RFC 5246 6.2.1 lets alerts be
/// fragmented or coalesced; the trusted stacks refuse both, and so does this
/// engine.) An unknown level or description is kept, not refused: what to do
/// with one is the caller's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Alert {
    pub level: AlertLevel,
    pub description: AlertDescription,
}

impl Alert {
    /// The length of an alert on the wire.
    pub const LEN: usize = 2;

    pub fn new(level: AlertLevel, description: AlertDescription) -> Self {
        Self { level, description }
    }

    pub fn fatal(description: AlertDescription) -> Self {
        Self::new(AlertLevel::Fatal, description)
    }

    pub fn warning(description: AlertDescription) -> Self {
        Self::new(AlertLevel::Warning, description)
    }
}

impl Codec for Alert {
    fn encode(&self, out: &mut Vec<u8>) {
        self.level.encode(out);
        self.description.encode(out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let level = AlertLevel::read(r)?;
        let description = AlertDescription::read(r)?;
        Ok(Self { level, description })
    }
}
