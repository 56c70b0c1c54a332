//! The scenario vector schema, loading with errors that name the file, the
//! line, the test id and the field, and expansion into cases (one per
//! version x suite).
//!
//! The knobs are the engine's own `deviate::Knob` values, deserialised
//! directly: a vector can only say what the engine can do.

// A bad vector stops the run: a large error value costs nothing here.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod pick;
mod sweep;
mod validate;
mod word;

pub use pick::{Named, Pick};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use shakedown_engine::ClientAuthMode;
use shakedown_engine::deviate::Knob;
use shakedown_engine::msgs::enums::{AlertDescription, CipherSuite, ProtocolVersion};
use shakedown_engine::suites;
pub use sweep::Sweep;
pub use validate::{KNOWN_IDENTITIES, check_set};
pub use word::WordSymbol;

/// One file of scenarios about one topic.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VectorFile {
    /// The topic: the first component of every test id, and a row of the
    /// results table.
    pub topic: String,
    /// What the file covers.
    #[serde(default)]
    pub description: Option<String>,
    pub tests: Vec<TestDef>,
}

/// A protocol version a test expands over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema)]
pub enum Version {
    #[serde(rename = "ssl3")]
    Ssl3,
    #[serde(rename = "tls1.0")]
    Tls10,
    #[serde(rename = "tls1.1")]
    Tls11,
    #[serde(rename = "tls1.2")]
    Tls12,
}

impl Version {
    pub const ALL: [Self; 4] = [Self::Ssl3, Self::Tls10, Self::Tls11, Self::Tls12];

    pub fn wire(self) -> ProtocolVersion {
        match self {
            Self::Ssl3 => ProtocolVersion::Ssl3,
            Self::Tls10 => ProtocolVersion::Tls10,
            Self::Tls11 => ProtocolVersion::Tls11,
            Self::Tls12 => ProtocolVersion::Tls12,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Ssl3 => "ssl3",
            Self::Tls10 => "tls1.0",
            Self::Tls11 => "tls1.1",
            Self::Tls12 => "tls1.2",
        }
    }
}

/// Which role the engine plays; the peer under test plays the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Client,
    Server,
}

impl Role {
    pub fn other(self) -> Self {
        match self {
            Self::Client => Self::Server,
            Self::Server => Self::Client,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Client => "client",
            Self::Server => "server",
        }
    }
}

/// Whether a server asks for a client certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuth {
    #[default]
    Off,
    Request,
    Require,
}

impl ClientAuth {
    pub fn mode(self) -> ClientAuthMode {
        match self {
            Self::Off => ClientAuthMode::Off,
            Self::Request => ClientAuthMode::Request,
            Self::Require => ClientAuthMode::Require,
        }
    }
}

/// A version range, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Range {
    pub min: Version,
    pub max: Version,
}

/// What a peer must support for a test to apply to it. Versions and suites
/// are checked from the case itself; these are the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    /// A server that can be told to request a client certificate.
    ClientAuthRequest,
    /// A server that can be told to require a client certificate.
    ClientAuthRequire,
    /// Session resumption by session id (RFC 5246 7.4.1.2).
    Resumption,
    /// Renegotiation at all.
    Renegotiation,
    /// RFC 5746 secure renegotiation.
    SecureRenegotiation,
    /// Renegotiation without RFC 5746 (legacy, insecure).
    InsecureRenegotiation,
    /// RFC 7627 extended master secret.
    ExtendedMasterSecret,
    /// RFC 7366 encrypt-then-MAC.
    EncryptThenMac,
    /// A client that presents a certificate when asked.
    ClientCertificate,
    /// Suites without encryption (NULL-MD5, NULL-SHA, NULL-SHA256).
    NullCipher,
    /// A resuming client that makes its second connection even when the
    /// first ended in a fatal alert (`s_client -reconnect` does; a peer
    /// program that exits on the alert does not): only then can a client's
    /// handling of an invalidated session be seen (RFC 5246 7.2.2).
    ResumeAfterFatalAlert,
}

impl Feature {
    pub fn name(self) -> String {
        serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
    }
}

/// How one side is set up: `engine` (the side with the knobs) or `peer`
/// (the built-in peer; for a real peer, the configuration group it is
/// started in). The defaults differ by side and are applied in
/// `run::configs`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SideConfig {
    /// A server only: whether it asks for a client certificate. For a
    /// real peer server, the configuration group it is started in.
    #[serde(default)]
    pub client_auth: ClientAuth,
    /// The identity presented, a name from vectors/certs ("client",
    /// "untrusted-client", "expired-client", "server", ...), or "none".
    /// Default: "client" for a client, "server" for a server.
    #[serde(default)]
    pub identity: Option<String>,
    /// The versions accepted; default: the case's version for the engine,
    /// all four for the built-in peer.
    #[serde(default)]
    pub versions: Option<Range>,
    /// RFC 7627; default on.
    #[serde(default)]
    pub ems: Option<bool>,
    /// RFC 7366; default off.
    #[serde(default)]
    pub etm: Option<bool>,
    /// RFC 5746; default on.
    #[serde(default)]
    pub secure_renegotiation: Option<bool>,
    /// Accept the other side's renegotiation (RFC 5746 only); default off.
    #[serde(default)]
    pub allow_renegotiation: Option<bool>,
    /// A client only: refuse a ServerHello without renegotiation_info
    /// (RFC 5746 4.1); default off.
    #[serde(default)]
    pub require_secure_renegotiation: Option<bool>,
}

/// The engine's side of a test.
pub type EngineSide = SideConfig;
/// The peer's side of a test.
pub type PeerSide = SideConfig;

impl SideConfig {
    /// The configuration group a real peer is started in.
    pub fn group(&self) -> &'static str {
        match self.client_auth {
            ClientAuth::Off => "default",
            ClientAuth::Request => "client_auth_request",
            ClientAuth::Require => "client_auth_require",
        }
    }
}

/// How the engine ends the honest first connection of a resumption case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FirstEnding {
    /// close_notify (RFC 5246 7.2.1): the session stays resumable.
    #[default]
    CloseNotify,
    /// A fatal internal_error alert after the handshake: the session is
    /// invalidated (RFC 5246 7.2.2), so a resumption must not follow.
    FatalAlert,
}

/// strict: what the RFC says; acceptable: a reading the RFC allows, or
/// common practice that does not weaken anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    #[default]
    Strict,
    Acceptable,
}

/// What a completed handshake must have settled.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Completes {
    /// The negotiated version: "case" (the default: the case's own), "any",
    /// or a version name.
    #[serde(default)]
    pub version: Option<Pick<Version>>,
    /// The negotiated suite: "case" (the default), "any", or a suite name.
    #[serde(default)]
    pub suite: Option<Pick<CipherSuite>>,
    /// Whether the handshake must (true) or must not (false) be a
    /// resumption; absent: either.
    #[serde(default)]
    pub resumed: Option<bool>,
    /// The peer must echo application data (waived for peers that do not
    /// echo). Default true.
    #[serde(default)]
    pub echo: Option<bool>,
    /// A second handshake (renegotiation) must complete too.
    #[serde(default)]
    pub renegotiated: Option<bool>,
    /// The peer must end the connection with its own close_notify (the
    /// answer to ours, RFC 5246 7.2.1), not a bare close.
    #[serde(default)]
    pub close_notify: Option<bool>,
}

/// One allowed outcome. Exactly one of `handshake_completes`,
/// `peer_alert`, `peer_warning`, `peer_closes` and `peer_outputs` is given.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handshake_completes: Option<Completes>,
    /// The peer sends a fatal alert from this set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer_alert: Option<Vec<AlertDescription>>,
    /// The peer sends a warning alert from this set and no fatal one (a
    /// declined renegotiation, say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer_warning: Option<Vec<AlertDescription>>,
    /// The peer closes the connection without a fatal alert: `true`, with
    /// or without its own close_notify; `"close_notify"`, with it (RFC 5246
    /// 7.2.1: the answer to ours). `false` is refused: an expectation is a
    /// thing that happens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer_closes: Option<Closes>,
    /// A test with a `word` only: the peer answers the word with exactly
    /// these abstract outputs, one per input, as `shakedown learn` writes
    /// them (`ServerHello+Certificate+ServerHelloDone`, `silence`,
    /// `Alert(fatal,unexpected_message)+closed`, `closed`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer_outputs: Option<Vec<String>>,
    #[serde(default)]
    pub grade: Grade,
}

/// `peer_closes`: `true` (any close without a fatal alert) or
/// `"close_notify"` (a close announced by the peer's close_notify).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Closes {
    #[default]
    Any,
    CloseNotify,
}

/// What `peer_closes` may be written as.
#[derive(Deserialize)]
#[serde(untagged)]
enum ClosesText {
    Flag(bool),
    Name(String),
}

impl<'de> Deserialize<'de> for Closes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match ClosesText::deserialize(d)? {
            ClosesText::Flag(true) => Ok(Self::Any),
            ClosesText::Name(n) if n == "close_notify" => Ok(Self::CloseNotify),
            _ => Err(serde::de::Error::custom(
                "`peer_closes` takes only `true` or \"close_notify\" (leave it out, or list another outcome)",
            )),
        }
    }
}

impl Serialize for Closes {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Any => s.serialize_bool(true),
            Self::CloseNotify => s.serialize_str("close_notify"),
        }
    }
}

impl JsonSchema for Closes {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Closes".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "enum": [true, "close_notify"] })
    }
}

/// One scenario definition.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TestDef {
    /// Stable id, `topic/name`; expanded ids append `/version/suite`.
    pub id: String,
    pub description: String,
    /// Where the RFC says so, e.g. "RFC 5246 7.4.9".
    pub rfc: String,
    pub engine_role: Role,
    pub versions: Vec<Version>,
    /// OpenSSL or IANA names; default ["AES128-SHA"]. A suite a version
    /// cannot use is left out of that version's expansion.
    #[serde(default)]
    pub suites: Vec<String>,
    #[serde(default)]
    pub engine: EngineSide,
    #[serde(default)]
    pub peer: PeerSide,
    /// The misbehaviour knobs (engine/src/deviate.rs `Knob`).
    #[serde(default)]
    pub knobs: Vec<Knob>,
    /// Instead of a handshake driven by knobs: a word of `shakedown learn`
    /// input symbols, sent one by one through the learner's query loop
    /// (each message computed from the connection so far, whatever the
    /// order), one connection; `expect[].peer_outputs` is the answer due.
    /// The symbols are those for learning the peer's role: with
    /// engine_role client, ClientHello, ClientKeyExchange, ...; with
    /// engine_role server, ServerHello, Certificate, ... The `engine` side
    /// settings do not apply (the learner's side offers the case's version
    /// and suite, no extensions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub word: Option<Vec<WordSymbol>>,
    /// What the peer must support for the test to apply.
    #[serde(default)]
    pub requires: Vec<Feature>,
    /// First an honest handshake to get a session, then the case itself,
    /// resuming it, with the knobs.
    #[serde(default)]
    pub resume: bool,
    /// How the engine ends that first connection (`resume` only):
    /// `close_notify` (the default), or `fatal_alert`, which invalidates
    /// the session (RFC 5246 7.2.2) before the case offers or meets it.
    #[serde(default)]
    pub first_ends_with: FirstEnding,
    /// Tests with the same oracle group must see the same outcome per
    /// version and suite (Bleichenbacher: every bad padding like a good one).
    #[serde(default)]
    pub oracle_group: Option<String>,
    pub expect: Vec<Expectation>,
    /// Per-version replacements of `expect` (SSL 3.0's smaller alert set).
    #[serde(default)]
    pub expect_for: BTreeMap<Version, Vec<Expectation>>,
    /// One definition, many tests: a knob field swept over values. Expanded
    /// when the file loads; the expanded tests carry none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep: Option<Sweep>,
}

/// One runnable case: a test at one version and suite.
#[derive(Debug, Clone)]
pub struct Case {
    pub id: String,
    pub topic: String,
    pub file: PathBuf,
    pub test: Arc<TestDef>,
    pub version: Version,
    pub suite: CipherSuite,
    pub suite_name: &'static str,
    pub expect: Vec<Expectation>,
}

/// A bad vector: where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VectorError {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub test_id: Option<String>,
    pub field: Option<String>,
    pub message: String,
}

impl std::fmt::Display for VectorError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        if let Some(id) = &self.test_id {
            write!(f, ": test `{id}`")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": field `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for VectorError {}

/// Parses one vector file's text.
pub fn parse(file: &Path, text: &str) -> Result<VectorFile, VectorError> {
    let de = &mut serde_json::Deserializer::from_str(text);
    let parsed: Result<VectorFile, _> = serde_path_to_error::deserialize(de);
    let vf = parsed.map_err(|e| {
        let path = e.path().to_string();
        let inner = e.inner();
        VectorError {
            file: file.to_owned(),
            line: Some(inner.line()),
            column: Some(inner.column()),
            test_id: test_id_at(text, &path),
            field: (path != "." && !path.is_empty()).then_some(path),
            message: inner.to_string(),
        }
    })?;
    let vf = sweep::expand_sweeps(file, text, vf)?;
    validate::validate(file, text, &vf)?;
    Ok(vf)
}

/// The id of `tests[i]` named by a serde path, read leniently from the text.
fn test_id_at(text: &str, path: &str) -> Option<String> {
    let rest = path.strip_prefix("tests[")?;
    let i: usize = rest.split(']').next()?.parse().ok()?;
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    v.get("tests")?.get(i)?.get("id")?.as_str().map(str::to_owned)
}

/// The line on which a test's id appears, for errors found after parsing.
pub(crate) fn line_of_id(text: &str, id: &str) -> Option<usize> {
    let needle = format!("\"{id}\"");
    text.lines().position(|l| l.contains(&needle)).map(|i| i + 1)
}

pub fn parse_version(s: &str) -> Option<Version> {
    Version::ALL.into_iter().find(|v| v.name() == s)
}

/// Reads every `*.json` under `dir` (sorted, recursively).
pub fn load_dir(dir: &Path) -> Result<Vec<(PathBuf, VectorFile)>, VectorError> {
    let mut files = Vec::new();
    collect_json(dir, &mut files).map_err(|e| VectorError {
        file: dir.to_owned(),
        line: None,
        column: None,
        test_id: None,
        field: None,
        message: e.to_string(),
    })?;
    files.sort();
    let mut out = Vec::new();
    for f in files {
        out.push((f.clone(), load_file(&f)?));
    }
    check_set(&out)?;
    Ok(out)
}

pub fn load_file(f: &Path) -> Result<VectorFile, VectorError> {
    let text = std::fs::read_to_string(f).map_err(|e| VectorError {
        file: f.to_owned(),
        line: None,
        column: None,
        test_id: None,
        field: None,
        message: e.to_string(),
    })?;
    parse(f, &text)
}

fn collect_json(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if dir.is_file() {
        out.push(dir.to_owned());
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let p = entry?.path();
        if p.is_dir() {
            collect_json(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
    Ok(())
}

/// The default suite of a test that names none.
pub const DEFAULT_SUITE: &str = "AES128-SHA";

/// Every case of the files, in file and declaration order; ids are unique
/// across files.
pub fn expand(files: &[(PathBuf, VectorFile)]) -> Result<Vec<Case>, VectorError> {
    validate::unique_ids(files)?;
    let mut cases = Vec::new();
    for (file, vf) in files {
        for t in &vf.tests {
            let test = Arc::new(t.clone());
            let names: Vec<&str> = if t.suites.is_empty() {
                vec![DEFAULT_SUITE]
            } else {
                t.suites.iter().map(String::as_str).collect()
            };
            for v in &t.versions {
                for name in &names {
                    let Some(info) = suites::by_name(name) else {
                        continue;
                    };
                    if !info.usable_with(v.wire()) {
                        continue;
                    }
                    cases.push(Case {
                        id: format!("{}/{}/{}", t.id, v.name(), info.openssl_name),
                        topic: vf.topic.clone(),
                        file: file.clone(),
                        test: test.clone(),
                        version: *v,
                        suite: info.suite,
                        suite_name: info.openssl_name,
                        expect: t.expect_for.get(v).unwrap_or(&t.expect).clone(),
                    });
                }
            }
        }
    }
    Ok(cases)
}

/// The JSON Schema of a vector file, as checked in under vectors/schema/.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(VectorFile);
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    const GOOD: &str = r#"{
  "topic": "finished",
  "tests": [
    {
      "id": "finished/corrupt",
      "description": "d",
      "rfc": "RFC 5246 7.4.9",
      "engine_role": "client",
      "versions": ["ssl3", "tls1.2"],
      "suites": ["AES128-SHA", "AES128-GCM-SHA256"],
      "knobs": [{"corrupt_finished": {"index": 0, "xor": 1}}],
      "expect": [{"peer_alert": ["decrypt_error"]}],
      "expect_for": {"ssl3": [{"peer_alert": ["handshake_failure"]}]}
    }
  ]
}"#;

    #[test]
    fn expands_per_usable_version_and_suite_with_ssl3_twin() {
        let f = parse(Path::new("x.json"), GOOD).unwrap();
        let cases = expand(&[(PathBuf::from("x.json"), f)]).unwrap();
        let ids: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "finished/corrupt/ssl3/AES128-SHA",
                "finished/corrupt/tls1.2/AES128-SHA",
                "finished/corrupt/tls1.2/AES128-GCM-SHA256"
            ]
        );
        assert_eq!(cases[0].expect[0].peer_alert, Some(vec![AlertDescription::HandshakeFailure]));
        assert_eq!(cases[1].expect[0].peer_alert, Some(vec![AlertDescription::DecryptError]));
    }

    #[test]
    fn unknown_knob_names_file_line_test_and_field() {
        let bad = GOOD.replace("corrupt_finished", "corrupt_finishd");
        let e = parse(Path::new("x.json"), &bad).unwrap_err();
        assert_eq!(e.test_id.as_deref(), Some("finished/corrupt"));
        assert_eq!(e.field.as_deref(), Some("tests[0].knobs[0]"));
        assert_eq!(e.line, Some(11));
        assert!(e.message.contains("corrupt_finishd"), "{e}");
        let shown = e.to_string();
        assert!(shown.starts_with("x.json:11:"), "{shown}");
    }

    #[test]
    fn typo_in_a_field_and_missing_field_are_named() {
        let e = parse(Path::new("x.json"), &GOOD.replace("engine_role", "engine_rol")).unwrap_err();
        assert!(e.message.contains("engine_rol"), "{e}");
        assert_eq!(e.test_id.as_deref(), Some("finished/corrupt"));
        let e = parse(Path::new("x.json"), &GOOD.replace("\"rfc\": \"RFC 5246 7.4.9\",", "")).unwrap_err();
        assert!(e.message.contains("missing field `rfc`"), "{e}");
        assert_eq!(e.test_id.as_deref(), Some("finished/corrupt"));
    }

    #[test]
    fn bad_suite_and_bad_expectation_are_named() {
        let e = parse(Path::new("x.json"), &GOOD.replace("\"AES128-SHA\"", "\"AES129-SHA\"")).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("tests[0].suites[0]"));
        assert_eq!(e.line, Some(5));
        let e = parse(
            Path::new("x.json"),
            &GOOD.replace(
                r#"[{"peer_alert": ["decrypt_error"]}]"#,
                r#"[{"peer_alert": ["decrypt_error"], "peer_closes": true}]"#,
            ),
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("tests[0].expect[0]"));
        let e = parse(Path::new("x.json"), &GOOD.replace("decrypt_error", "decrypt_eror")).unwrap_err();
        assert!(e.message.contains("decrypt_eror"), "{e}");
    }

    /// `peer_closes: "close_notify"` passes a peer that answers with its
    /// own close_notify (RFC 5246 7.2.1) and fails one that just closes;
    /// `true` passes both; other values are refused at load.
    #[test]
    fn peer_closes_with_close_notify_wants_the_alert() {
        use crate::expect::{End, Observed, PeerAbilities, judge};
        let with = |c: &str| GOOD.replace(r#"{"peer_alert": ["decrypt_error"]}]"#, &format!("{c}]"));
        let peer = PeerAbilities { echoes: true };
        for (closes, passes_bare_close) in [(r#""close_notify""#, false), ("true", true)] {
            let vf = parse(Path::new("x.json"), &with(&format!(r#"{{"peer_closes": {closes}}}"#))).unwrap();
            let cases = expand(&[(PathBuf::from("x.json"), vf)]).unwrap();
            let case = cases.iter().find(|c| c.version == Version::Tls12).unwrap();
            let word = |end: End| judge(case, &Observed::new(end), peer).word();
            assert_eq!(word(End::PeerClosed), "pass", "{closes}");
            assert_eq!(word(End::PeerEof), if passes_bare_close { "pass" } else { "fail" }, "{closes}");
        }
        for bad in ["false", r#""eof""#] {
            assert!(
                parse(Path::new("x.json"), &with(&format!(r#"{{"peer_closes": {bad}}}"#))).is_err(),
                "{bad}"
            );
        }
    }

    /// The names in `handshake_completes` become the engine's values when
    /// the file loads; an unknown one is an error naming test and field.
    #[test]
    fn completes_names_are_typed_at_load_or_refused() {
        let with = |c: &str| GOOD.replace(r#"{"peer_alert": ["decrypt_error"]}]"#, &format!("{c}]"));
        let vf = parse(
            Path::new("x.json"),
            &with(
                r#"{"handshake_completes": {"version": "tls1.2", "suite": "TLS_RSA_WITH_AES_128_CBC_SHA"}}"#,
            ),
        )
        .unwrap();
        let c = vf.tests[0].expect[0].handshake_completes.clone().unwrap();
        assert_eq!(c.version, Some(Pick::Is(Version::Tls12)));
        assert_eq!(c.suite, Some(Pick::Is(CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA)));
        for (bad, field) in [
            (
                r#"{"handshake_completes": {"version": "tls1.4"}}"#,
                "tests[0].expect[0].handshake_completes.version",
            ),
            (
                r#"{"handshake_completes": {"suite": "AES129-SHA"}}"#,
                "tests[0].expect[0].handshake_completes.suite",
            ),
        ] {
            let e = parse(Path::new("x.json"), &with(bad)).unwrap_err();
            assert_eq!(e.test_id.as_deref(), Some("finished/corrupt"), "{e}");
            assert_eq!(e.field.as_deref(), Some(field), "{e}");
            assert!(e.to_string().starts_with("x.json:"), "{e}");
        }
    }

    const WORD: &str = r#"{
  "topic": "learned-words",
  "tests": [
    {
      "id": "learned-words/x",
      "description": "d",
      "rfc": "RFC 5246 7.3",
      "engine_role": "client",
      "versions": ["tls1.2"],
      "word": ["ClientHello", "Finished"],
      "expect": [{"peer_outputs": ["ServerHello+Certificate+ServerHelloDone", "Alert(fatal,unexpected_message)+closed"]}]
    }
  ]
}"#;

    /// A word test's symbols and outputs are checked when the file loads,
    /// each error naming the test and the field.
    #[test]
    fn word_tests_are_checked_at_load() {
        let vf = parse(Path::new("w.json"), WORD).unwrap();
        let word = vf.tests[0].word.clone().unwrap();
        assert_eq!(word[1].name(), "Finished");
        for (bad, field, says) in [
            (WORD.replace("\"Finished\"]", "\"Finishd\"]"), "tests[0].word[1]", "unknown learner symbol"),
            (
                WORD.replace("\"client\"", "\"server\""),
                "tests[0].word[0]",
                "no symbol of the engine as server",
            ),
            (
                WORD.replace("\"Finished\"]", "\"NoCertificate\"]"),
                "tests[0].word[1]",
                "cannot be said in tls1.2",
            ),
            (
                WORD.replace("\"word\": [\"ClientHello\", \"Finished\"],", ""),
                "tests[0].expect[0].peer_outputs",
                "`word`",
            ),
            (
                WORD.replace("\"word\": [\"ClientHello\", \"Finished\"]", "\"word\": []"),
                "tests[0].word",
                "empty",
            ),
            (
                WORD.replace("\"ClientHello\", \"Finished\"]", "\"ClientHello\"]"),
                "tests[0].expect[0].peer_outputs",
                "2 outputs for a word of 1 inputs",
            ),
            (
                WORD.replace("\"word\"", "\"knobs\": [\"empty_certificate\"], \"word\""),
                "tests[0].knobs",
                "no knobs",
            ),
        ] {
            let e = parse(Path::new("w.json"), &bad).unwrap_err();
            assert_eq!(e.test_id.as_deref(), Some("learned-words/x"), "{e}");
            assert_eq!(e.field.as_deref(), Some(field), "{e}");
            assert!(e.message.contains(says), "{e}");
        }
    }
}
