//! One macro for every wire enum. A value the engine does not know is kept as
//! `Unknown(raw)`: it prints as hex, serialises as a number and re-encodes to
//! the same bytes, so a test can send and see values no RFC assigns.

macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident : $repr:ty {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal => $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this engine has no name for, kept as sent.
            Unknown($repr),
        }

        impl $name {
            /// Every named value, in declaration order.
            pub const ALL: &'static [Self] = &[ $( Self::$variant, )+ ];

            pub const fn get(self) -> $repr {
                match self {
                    $( Self::$variant => $value, )+
                    Self::Unknown(v) => v,
                }
            }

            pub const fn from_wire(v: $repr) -> Self {
                match v {
                    $( $value => Self::$variant, )+
                    other => Self::Unknown(other),
                }
            }

            /// The protocol's own name for this value, if it has one.
            pub const fn name(self) -> Option<&'static str> {
                match self {
                    $( Self::$variant => Some($text), )+
                    Self::Unknown(_) => None,
                }
            }

            /// Parses a protocol name (as printed by `name`) or a number
            /// (decimal or 0x-prefixed hex).
            pub fn from_name(s: &str) -> Option<Self> {
                $( if s == $text { return Some(Self::$variant); } )+
                let parsed = match s.strip_prefix("0x") {
                    Some(hex) => <$repr>::from_str_radix(hex, 16).ok(),
                    None => s.parse::<$repr>().ok(),
                };
                parsed.map(Self::from_wire)
            }
        }

        impl From<$repr> for $name {
            fn from(v: $repr) -> Self {
                Self::from_wire(v)
            }
        }

        impl From<$name> for $repr {
            fn from(v: $name) -> $repr {
                v.get()
            }
        }

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                match self.name() {
                    Some(n) => f.write_str(n),
                    None => write!(f, "{}(0x{:0w$x})", stringify!($name), self.get(),
                                   w = 2 * core::mem::size_of::<$repr>()),
                }
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                core::fmt::Debug::fmt(self, f)
            }
        }

        impl $crate::codec::Codec for $name {
            fn encode(&self, out: &mut Vec<u8>) {
                $crate::codec::Codec::encode(&self.get(), out);
            }

            fn read(r: &mut $crate::codec::Reader<'_>) -> Result<Self, $crate::codec::DecodeError> {
                <$repr as $crate::codec::Codec>::read(r)
                    .map(Self::from_wire)
                    .map_err(|e| match e {
                        $crate::codec::DecodeError::Truncated { needed, left, .. } =>
                            $crate::codec::DecodeError::Truncated { what: stringify!($name), needed, left },
                        other => other,
                    })
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self.name() {
                    Some(n) => s.serialize_str(n),
                    None => s.serialize_u64(u64::from(self.get())),
                }
            }
        }

        /// A name the protocol gives, or any number that fits.
        #[cfg(feature = "schema")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                let names: Vec<&str> = $name::ALL.iter().filter_map(|v| v.name()).collect();
                schemars::json_schema!({
                    "anyOf": [
                        { "type": "string", "enum": names },
                        { "type": "integer", "minimum": 0, "maximum": <$repr>::MAX }
                    ]
                })
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl serde::de::Visitor<'_> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                        write!(f, "a {} name or number", stringify!($name))
                    }
                    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<$name, E> {
                        $name::from_name(s).ok_or_else(|| {
                            let known: Vec<&str> = $name::ALL.iter().filter_map(|v| v.name()).collect();
                            E::custom(format!("unknown {} `{s}` (known: {})", stringify!($name), known.join(", ")))
                        })
                    }
                    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<$name, E> {
                        <$repr>::try_from(v)
                            .map($name::from_wire)
                            .map_err(|_| E::custom(format!("{v} does not fit a {}", stringify!($name))))
                    }
                }
                d.deserialize_any(V)
            }
        }
    };
}

pub(crate) use wire_enum;
