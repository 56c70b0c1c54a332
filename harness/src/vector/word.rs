//! A learner word in a scenario test: the abstract input symbols of
//! `shakedown learn` (harness/src/learn/mapper), which the runner sends one
//! by one through the learner's own query loop, and the abstract output
//! word the peer must answer (`expect[].peer_outputs`). A symbol name is
//! checked when the file loads: the schema lists the names of both
//! learning alphabets, and [`check`] refuses a name of the other role's
//! alphabet, or one the test's versions cannot express.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Role, TestDef};
use crate::learn::mapper::server::{self, ServerSymbol};
use crate::learn::mapper::sul::Input;
use crate::learn::mapper::symbols::{self, Symbol};

/// One input symbol of a word, by the name the learner gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordSymbol(String);

impl WordSymbol {
    pub fn name(&self) -> &str {
        &self.0
    }

    /// The symbol for learning a server (the engine is the client).
    pub fn to_client_input(&self) -> Option<Symbol> {
        symbols::ALL.into_iter().find(|s| s.name() == self.0)
    }

    /// The symbol for learning a client (the engine is the server).
    pub fn to_server_input(&self) -> Option<ServerSymbol> {
        server::ALL.into_iter().find(|s| s.name() == self.0)
    }
}

/// Every name of both alphabets, each once, in alphabet order.
fn names() -> Vec<&'static str> {
    let mut all: Vec<&'static str> = symbols::ALL.iter().map(|s| Input::name(*s)).collect();
    for s in server::ALL {
        if !all.contains(&s.name()) {
            all.push(s.name());
        }
    }
    all
}

impl<'de> Deserialize<'de> for WordSymbol {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let known = names();
        match known.contains(&s.as_str()) {
            true => Ok(Self(s)),
            false => Err(serde::de::Error::custom(format!(
                "unknown learner symbol `{s}` (known: {})",
                known.join(", ")
            ))),
        }
    }
}

impl Serialize for WordSymbol {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl JsonSchema for WordSymbol {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "WordSymbol".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "An input symbol of `shakedown learn`: with engine_role client one for learning a \
                            server (harness/src/learn/mapper/symbols.rs), with engine_role server one for \
                            learning a client (harness/src/learn/mapper/server.rs).",
            "type": "string",
            "enum": names(),
        })
    }
}

/// What a word test may not be, as (field under `tests[i].`, message).
pub(super) fn check(t: &TestDef) -> Result<(), (String, String)> {
    let word_expect = |e: &super::Expectation| e.peer_outputs.is_some();
    let lists = std::iter::once(("expect".to_string(), &t.expect))
        .chain(t.expect_for.iter().map(|(v, e)| (format!("expect_for.{}", v.name()), e)));
    let Some(word) = &t.word else {
        for (field, list) in lists {
            if let Some(j) = list.iter().position(word_expect) {
                return Err((
                    format!("{field}[{j}].peer_outputs"),
                    "applies to a test with a `word` only".into(),
                ));
            }
        }
        return Ok(());
    };
    if word.is_empty() {
        return Err(("word".into(), "the word is empty".into()));
    }
    if !t.knobs.is_empty() {
        return Err(("knobs".into(), "a word test takes no knobs: the word says what is sent".into()));
    }
    if t.resume {
        return Err(("resume".into(), "a word test is one connection: no resumption".into()));
    }
    for (j, s) in word.iter().enumerate() {
        let fits = match t.engine_role {
            Role::Client => s.to_client_input().is_some(),
            Role::Server => s.to_server_input().is_some(),
        };
        if !fits {
            let (role, alphabet): (&str, Vec<&str>) = match t.engine_role {
                Role::Client => ("client", symbols::ALL.iter().map(|s| Input::name(*s)).collect()),
                Role::Server => ("server", server::ALL.iter().map(|s| s.name()).collect()),
            };
            return Err((
                format!("word[{j}]"),
                format!(
                    "`{}` is no symbol of the engine as {role} (known: {})",
                    s.name(),
                    alphabet.join(", ")
                ),
            ));
        }
        if let Some(sym) = s.to_client_input().filter(|_| t.engine_role == Role::Client)
            && let Some(v) = t.versions.iter().find(|v| !sym.expressible_in(v.wire()))
        {
            return Err((format!("word[{j}]"), format!("`{}` cannot be said in {}", s.name(), v.name())));
        }
    }
    for (field, list) in lists {
        for (j, e) in list.iter().enumerate() {
            let Some(outputs) = &e.peer_outputs else {
                return Err((
                    format!("{field}[{j}]"),
                    "a word test expects `peer_outputs` (the answer to each input)".into(),
                ));
            };
            if outputs.len() != word.len() {
                return Err((
                    format!("{field}[{j}].peer_outputs"),
                    format!("{} outputs for a word of {} inputs", outputs.len(), word.len()),
                ));
            }
        }
    }
    Ok(())
}
