//! What a `handshake_completes` expectation asks of one negotiated value:
//! the case's own, any, or a named one. Parsed into the engine's types when
//! the file loads, so an unknown name is a load error (naming the file, the
//! test and the field) and matching compares values, never strings.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use shakedown_engine::msgs::enums::CipherSuite;
use shakedown_engine::suites;

use super::{Version, parse_version};

/// A value that a vector names as text.
pub trait Named: Copy + PartialEq {
    /// What the value is, for an error message.
    const WHAT: &'static str;
    fn parse(s: &str) -> Option<Self>;
    fn text(self) -> String;
    /// The names a vector may use, for the schema.
    fn names() -> Vec<String>;
}

impl Named for Version {
    const WHAT: &'static str = "version";

    fn parse(s: &str) -> Option<Self> {
        parse_version(s)
    }

    fn text(self) -> String {
        self.name().to_owned()
    }

    fn names() -> Vec<String> {
        Self::ALL.iter().map(|v| v.name().to_owned()).collect()
    }
}

/// Suites the engine implements, by OpenSSL or IANA name.
impl Named for CipherSuite {
    const WHAT: &'static str = "cipher suite";

    fn parse(s: &str) -> Option<Self> {
        suites::by_name(s).map(|i| i.suite)
    }

    fn text(self) -> String {
        suites::lookup(self).map_or_else(|| self.to_string(), |i| i.openssl_name.to_owned())
    }

    /// OpenSSL names, then IANA ones: a vector may use either.
    fn names() -> Vec<String> {
        let openssl = suites::ALL_SUITES.iter().map(|i| i.openssl_name);
        let iana = suites::ALL_SUITES.iter().map(|i| i.iana_name);
        openssl.chain(iana).map(str::to_owned).collect()
    }
}

/// `"case"` (the case's own value), `"any"`, or a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick<T> {
    Case,
    Any,
    Is(T),
}

impl<T: Copy + PartialEq> Pick<T> {
    /// The same choice over another representation of the value.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Pick<U> {
        match self {
            Self::Case => Pick::Case,
            Self::Any => Pick::Any,
            Self::Is(v) => Pick::Is(f(v)),
        }
    }

    /// Whether `got` is allowed, given the case's own value.
    pub fn allows(self, got: T, case: T) -> bool {
        match self {
            Self::Case => got == case,
            Self::Any => true,
            Self::Is(want) => got == want,
        }
    }
}

impl<T: Named> fmt::Display for Pick<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Case => f.write_str("case"),
            Self::Any => f.write_str("any"),
            Self::Is(v) => f.write_str(&v.text()),
        }
    }
}

impl<T: Named> Serialize for Pick<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de, T: Named> Deserialize<'de> for Pick<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        match s.as_str() {
            "case" => Ok(Self::Case),
            "any" => Ok(Self::Any),
            name => T::parse(name).map(Self::Is).ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "`{name}` is not case, any or a {} (known: {})",
                    T::WHAT,
                    T::names().join(", ")
                ))
            }),
        }
    }
}

impl<T: Named> JsonSchema for Pick<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("Pick_{}", T::WHAT.replace(' ', "_")).into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let mut names = vec!["case".to_owned(), "any".to_owned()];
        names.extend(T::names());
        schemars::json_schema!({ "type": "string", "enum": names })
    }
}
