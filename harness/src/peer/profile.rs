//! A peer profile: how to start an implementation under test, what it
//! supports, and where it knowingly deviates (each with a reason).

use std::collections::BTreeMap;
use std::path::Path;

use globset::{Glob, GlobMatcher};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use shakedown_engine::suites;

use crate::vector::{Case, ClientAuth, Feature, Role, Version};

/// When the peer is started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StartMode {
    /// Once per configuration group (a server serving many connections).
    #[default]
    PerGroup,
    /// Once per test (a client, or a server that serves one connection).
    PerTest,
}

/// When a started server is ready.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Ready {
    /// A TCP connect to its port succeeds.
    #[default]
    Connect,
    /// A line of its standard output contains this text.
    StdoutLine(String),
}

/// How a peer client resumes a session (a case with `resume`: the first
/// connection is an honest full handshake, the second resumes it and is
/// the one judged). `{session}` in the arguments is a file of the case's
/// own, removed afterwards.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientResumption {
    /// One process makes both connections, the second offering the first
    /// one's session (`openssl s_client -reconnect`, `gnutls-cli --resume`):
    /// these arguments are added to its command.
    Reconnect(Vec<String>),
    /// Two processes: the first, started with `save` added, stores its
    /// session in `{session}`; once it has ended (or after the case's
    /// timeout) the second, started with `load` added, resumes it.
    SessionFile { save: Vec<String>, load: Vec<String> },
    /// It cannot resume as a client here: why (cases with `resume` skip
    /// with this reason).
    Unsupported(String),
}

/// A known deviation: cases whose id matches are skipped with the reason.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KnownDeviation {
    /// A glob over case ids, e.g. `finished/*/ssl3/*`.
    pub tests: String,
    /// Why, citing the RFC.
    pub reason: String,
    /// The interop fuzzer's findings the same deviation explains: a glob
    /// over `ORACLE/KINDS`, the minimised finding's oracle and the kinds of
    /// its mutations (and `identity:NAME` for an engine identity other
    /// than the honest one), sorted and joined with `+`
    /// (`spec/add_extension`, `spec/identity:untrusted-server`).
    /// Such a finding is counted as known, not reported again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fuzz: Option<String>,
}

/// The compiled globs of one known deviation.
#[derive(Debug, Clone)]
struct Matcher {
    tests: GlobMatcher,
    fuzz: Option<GlobMatcher>,
}

/// The reason of the first deviation whose `fuzz` glob matches a finding.
fn explains(matchers: &[Matcher], list: &[KnownDeviation], finding: &str) -> Option<String> {
    matchers
        .iter()
        .zip(list)
        .find(|(m, _)| m.fuzz.as_ref().is_some_and(|f| f.is_match(finding)))
        .map(|(_, d)| d.reason.clone())
}

/// The built-in peer's own known deviations (vectors/peers/builtin.json):
/// where the reference engine falls short of a vector, skipped with the
/// reason so it shows, never passed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BuiltinProfile {
    #[serde(default)]
    pub description: Option<String>,
    pub known_deviations: Vec<KnownDeviation>,
    #[serde(skip)]
    #[schemars(skip)]
    matchers: Vec<Matcher>,
    /// The flaws the built-in peer plays (`--flaw`), never from the file.
    #[serde(skip)]
    #[schemars(skip)]
    pub flaws: shakedown_engine::flaw::Flaws,
}

impl BuiltinProfile {
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let de = &mut serde_json::Deserializer::from_str(&text);
        let mut p: Self = serde_path_to_error::deserialize(de).map_err(|e| {
            format!("{}:{}: field `{}`: {}", path.display(), e.inner().line(), e.path(), e.inner())
        })?;
        p.matchers = compile(&p.known_deviations)?;
        Ok(p)
    }

    pub fn skip_reason(&self, case: &Case) -> Option<String> {
        self.matchers
            .iter()
            .zip(&self.known_deviations)
            .find(|(m, _)| m.tests.is_match(&case.id))
            .map(|(_, d)| format!("known deviation of the reference engine: {}", d.reason))
    }

    /// The reason a fuzz finding (`ORACLE/KINDS`) is already known.
    pub fn explains_finding(&self, finding: &str) -> Option<String> {
        explains(&self.matchers, &self.known_deviations, finding)
    }
}

fn compile(list: &[KnownDeviation]) -> Result<Vec<Matcher>, String> {
    let glob = |i: usize, field: &str, g: &str| {
        Glob::new(g)
            .map(|g| g.compile_matcher())
            .map_err(|e| format!("field `known_deviations[{i}].{field}`: {e}"))
    };
    list.iter()
        .enumerate()
        .map(|(i, d)| {
            Ok(Matcher {
                tests: glob(i, "tests", &d.tests)?,
                fuzz: d.fuzz.as_deref().map(|f| glob(i, "fuzz", f)).transpose()?,
            })
        })
        .collect()
}

/// A peer under test.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// The role the peer plays (the engine plays the other).
    pub role: Role,
    /// argv; placeholders {port} {cert} {key} {chain} {ca} {certs}.
    pub command: Vec<String>,
    /// Extra arguments per configuration group ("default",
    /// "client_auth_request", "client_auth_require", "with_cert", "no_cert").
    #[serde(default)]
    pub group_args: BTreeMap<String, Vec<String>>,
    /// Extra arguments per case version (the process is then started per
    /// group and version).
    #[serde(default)]
    pub version_args: BTreeMap<Version, Vec<String>>,
    /// Arguments that set the peer's version range, `{min}` and `{max}`
    /// filled in with version names (ssl3, tls1.0, ...): used instead of
    /// `version_args` for a case that limits the peer's versions
    /// (`peer.versions`), each end moved inside the profile's `versions`.
    /// Without them such cases skip.
    #[serde(default)]
    pub version_range_args: Option<Vec<String>>,
    /// Environment variables for the command.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    #[serde(default)]
    pub start: StartMode,
    #[serde(default)]
    pub ready: Ready,
    /// Milliseconds to wait for readiness.
    #[serde(default = "default_startup_ms")]
    pub startup_timeout_ms: u64,
    /// Whether it echoes application data back.
    #[serde(default)]
    pub echo: bool,
    /// Least milliseconds of quiet before this peer counts as silent in a
    /// word test (harness/src/run/word.rs), where its answers come later
    /// than the runner's 50 ms: a JVM started per query answers its first
    /// messages after a few hundred.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub silence_ms: Option<u64>,
    pub versions: Vec<Version>,
    /// OpenSSL or IANA names.
    pub suites: Vec<String>,
    #[serde(default)]
    pub features: Vec<Feature>,
    /// A client: how it resumes a session (see [`ClientResumption`]);
    /// required of a client profile that lists the `resumption` feature.
    #[serde(default)]
    pub client_resumption: Option<ClientResumption>,
    /// A client: arguments that keep it running and have it open one new
    /// connection (with no session from the ones before) for each line on
    /// its standard input. `shakedown learn` then resets the client with a
    /// line instead of a new process per query (learn/mapper/peers.rs);
    /// the runner does not use them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reset_by_line: Option<Vec<String>>,
    #[serde(default)]
    pub known_deviations: Vec<KnownDeviation>,
    /// Compiled `known_deviations` globs.
    #[serde(skip)]
    #[schemars(skip)]
    matchers: Vec<Matcher>,
}

fn default_startup_ms() -> u64 {
    5000
}

impl Profile {
    /// The reason a fuzz finding (`ORACLE/KINDS`) is already known.
    pub fn explains_finding(&self, finding: &str) -> Option<String> {
        explains(&self.matchers, &self.known_deviations, finding)
    }

    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Self::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let de = &mut serde_json::Deserializer::from_str(text);
        let mut p: Self = serde_path_to_error::deserialize(de)
            .map_err(|e| format!("line {}: field `{}`: {}", e.inner().line(), e.path(), e.inner()))?;
        for (i, s) in p.suites.iter().enumerate() {
            if suites::by_name(s).is_none() {
                return Err(format!("field `suites[{i}]`: unknown cipher suite `{s}`"));
            }
        }
        p.matchers = compile(&p.known_deviations)?;
        if p.command.is_empty() {
            return Err("field `command`: empty".into());
        }
        if p.role == Role::Client {
            let can = matches!(
                p.client_resumption,
                Some(ClientResumption::Reconnect(_) | ClientResumption::SessionFile { .. })
            );
            if can != p.features.contains(&Feature::Resumption) {
                return Err(
                    "field `client_resumption`: a client lists the `resumption` feature exactly when it says how it resumes (reconnect or session_file)"
                        .into(),
                );
            }
        } else if p.client_resumption.is_some() {
            return Err("field `client_resumption`: only for a client profile".into());
        }
        Ok(p)
    }

    /// Why the case does not apply to this peer, if it does not.
    pub fn skip_reason(&self, case: &Case) -> Option<String> {
        if case.test.engine_role == self.role {
            return Some(format!(
                "the test needs a peer {}, {} is a {}",
                case.test.engine_role.other().name(),
                self.name,
                self.role.name()
            ));
        }
        if !self.versions.contains(&case.version) {
            return Some(format!("{} does not support {}", self.name, case.version.name()));
        }
        let supported = self.suites.iter().filter_map(|s| suites::by_name(s)).any(|i| i.suite == case.suite);
        if !supported {
            return Some(format!("{} does not support {}", self.name, case.suite_name));
        }
        if case.test.resume && self.role == Role::Client {
            match &self.client_resumption {
                None => {
                    return Some(format!(
                        "{}'s profile does not say how its client resumes (client_resumption)",
                        self.name
                    ));
                }
                Some(ClientResumption::Unsupported(why)) => {
                    return Some(format!("{} cannot resume as a client: {why}", self.name));
                }
                Some(_) => {}
            }
        }
        // A peer server is started in the case's client-auth group: one it
        // cannot be started in skips, whatever the vector's `requires` say.
        let group_needs = match (self.role, case.test.peer.client_auth) {
            (Role::Server, ClientAuth::Request) => Some(Feature::ClientAuthRequest),
            (Role::Server, ClientAuth::Require) => Some(Feature::ClientAuthRequire),
            _ => None,
        };
        if let Some(f) = group_needs.filter(|f| !self.features.contains(f)) {
            return Some(format!("{} lacks feature {} (the case's peer client_auth)", self.name, f.name()));
        }
        for f in &case.test.requires {
            if !self.features.contains(f) {
                return Some(format!("{} lacks feature {}", self.name, f.name()));
            }
        }
        if let Some(range) = case.test.peer.versions {
            if self.version_range_args.is_none() {
                return Some(format!(
                    "the test needs the peer limited to {}..{}, and {} has no version_range_args",
                    range.min.name(),
                    range.max.name(),
                    self.name
                ));
            }
            if self.range_of(case).is_none() {
                return Some(format!(
                    "{} supports none of {}..{}",
                    self.name,
                    range.min.name(),
                    range.max.name()
                ));
            }
        }
        for (m, d) in self.matchers.iter().zip(&self.known_deviations) {
            if m.tests.is_match(&case.id) {
                return Some(format!("known deviation: {}", d.reason));
            }
        }
        None
    }

    /// The version range a case limits the peer to, each end moved inside
    /// what the profile supports (a peer without SSL 3.0 told "ssl3..tls1.1"
    /// runs tls1.0..tls1.1, the same limit as far as it can tell); `None`
    /// when the case sets none, or nothing of it is left.
    fn range_of(&self, case: &Case) -> Option<(Version, Version)> {
        let range = case.test.peer.versions?;
        let inside = |v: &&Version| range.min <= **v && **v <= range.max;
        let min = self.versions.iter().filter(inside).min()?;
        let max = self.versions.iter().filter(inside).max()?;
        Some((*min, *max))
    }

    /// The configuration group of a case: which arguments it is started with.
    pub fn group_of(&self, case: &Case) -> String {
        let group = match self.role {
            Role::Server => case.test.peer.group().to_string(),
            Role::Client => match case.test.peer.identity.as_deref() {
                Some("none") => "no_cert".into(),
                _ => "with_cert".into(),
            },
        };
        if let (Some(_), Some((min, max))) = (&self.version_range_args, self.range_of(case)) {
            return format!("{group}+{}..{}", min.name(), max.name());
        }
        match self.version_args.contains_key(&case.version) {
            true => format!("{group}+{}", case.version.name()),
            false => group,
        }
    }

    /// argv for a case, placeholders filled.
    pub fn argv(&self, case: &Case, port: u16, certs: &Path) -> Vec<String> {
        let group = match self.role {
            Role::Server => case.test.peer.group().to_string(),
            Role::Client => match case.test.peer.identity.as_deref() {
                Some("none") => "no_cert".into(),
                _ => "with_cert".into(),
            },
        };
        if let (Some(args), Some((min, max))) = (&self.version_range_args, self.range_of(case)) {
            let range: Vec<String> =
                args.iter().map(|a| a.replace("{min}", min.name()).replace("{max}", max.name())).collect();
            return self.fill_argv(&group, &range, port, certs);
        }
        self.argv_for(&group, Some(case.version), port, certs)
    }

    /// argv for a configuration group and (when given) a version,
    /// placeholders filled.
    pub fn argv_for(&self, group: &str, version: Option<Version>, port: u16, certs: &Path) -> Vec<String> {
        let per_version = version.and_then(|v| self.version_args.get(&v)).cloned().unwrap_or_default();
        self.fill_argv(group, &per_version, port, certs)
    }

    /// argv for a case's connection `pass` (0: the honest first, 1: the
    /// resuming second) by a client that resumes (see
    /// [`ClientResumption`]); `{session}` is `session`. `None` when the
    /// second connection comes from the first pass's process.
    pub fn resume_argv(
        &self,
        case: &Case,
        port: u16,
        certs: &Path,
        pass: usize,
        session: &Path,
    ) -> Option<Vec<String>> {
        let extra = self.resumption_args(pass, port, session)?;
        let mut argv = self.argv(case, port, certs);
        argv.extend(extra);
        Some(argv)
    }

    /// The arguments a client that resumes adds to its command for
    /// connection `pass` (see [`Self::resume_argv`]), placeholders filled;
    /// `None` when that pass starts no process of its own, or the client
    /// does not resume.
    pub fn resumption_args(&self, pass: usize, port: u16, session: &Path) -> Option<Vec<String>> {
        let extra = match (&self.client_resumption, pass) {
            (Some(ClientResumption::Reconnect(args)), 0) => args,
            (Some(ClientResumption::SessionFile { save, .. }), 0) => save,
            (Some(ClientResumption::SessionFile { load, .. }), 1) => load,
            _ => return None,
        };
        let file = session.display().to_string();
        Some(
            extra
                .iter()
                .map(|a| a.replace("{session}", &file).replace("{port}", &port.to_string()))
                .collect(),
        )
    }

    /// The command, then the group's and the version's arguments, with the
    /// placeholders filled.
    fn fill_argv(&self, group: &str, per_version: &[String], port: u16, certs: &Path) -> Vec<String> {
        let dir = certs.display().to_string();
        let fill = |a: &String| {
            a.replace("{port}", &port.to_string())
                .replace("{cert}", &format!("{dir}/server.pem"))
                .replace("{chain}", &format!("{dir}/server.chain.pem"))
                .replace("{key}", &format!("{dir}/server.key.pem"))
                .replace("{ca}", &format!("{dir}/ca.pem"))
                .replace("{certs}", &dir)
        };
        let extra = self.group_args.get(group).into_iter().flatten();
        self.command.iter().chain(extra).chain(per_version).map(fill).collect()
    }
}

/// The JSON Schema of a peer profile.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(Profile);
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}
