//! A fuzz case: a version, a suite, the engine's role and configuration,
//! and a list of mutations (engine knobs, field mutations among them). It
//! becomes a scenario vector test so the runner's one driver executes it
//! and a finding replays with `shakedown run`.

use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use shakedown_engine::deviate::Knob;
use shakedown_engine::suites;

use crate::vector::{Case, ClientAuth, EngineSide, Expectation, Feature, PeerSide, Role, TestDef, Version};

/// One fuzz case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FuzzCase {
    pub version: Version,
    /// OpenSSL name.
    pub suite: String,
    pub engine_role: Role,
    /// Whether the server (engine or peer) asks for a client certificate.
    #[serde(default)]
    pub client_auth: ClientAuth,
    /// The engine's identity from vectors/certs (default: the honest one).
    #[serde(default)]
    pub identity: Option<String>,
    /// An honest handshake first, then the mutated one resumes it.
    #[serde(default)]
    pub resume: bool,
    pub mutations: Vec<Knob>,
}

impl FuzzCase {
    /// A short stable name: a hash of the case's JSON.
    pub fn digest(&self) -> String {
        let json = serde_json::to_string(self).unwrap_or_default();
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in json.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{h:016x}")
    }

    /// The kinds of the case's mutations, sorted, each once: a knob's name,
    /// for a field mutation the message and the field's path without list
    /// indices (`field:client_hello.cipher_suites`), and the engine's
    /// identity when it is not the honest one (`identity:untrusted-server`).
    /// A profile's known deviation names the fuzz findings it explains by
    /// them.
    pub fn kinds(&self) -> Vec<String> {
        let mut kinds: Vec<String> = self.mutations.iter().map(kind_of).collect();
        kinds.extend(self.identity.iter().map(|i| format!("identity:{i}")));
        kinds.sort();
        kinds.dedup();
        kinds
    }

    /// The scenario test this case is, with these expectations.
    pub fn test_def(&self, id: &str, description: &str, rfc: &str, expect: Vec<Expectation>) -> TestDef {
        let (engine_auth, peer_auth) = match self.engine_role {
            Role::Server => (self.client_auth, ClientAuth::Off),
            Role::Client => (ClientAuth::Off, self.client_auth),
        };
        TestDef {
            id: id.to_owned(),
            description: description.to_owned(),
            rfc: rfc.to_owned(),
            engine_role: self.engine_role,
            versions: vec![self.version],
            suites: vec![self.suite.clone()],
            engine: EngineSide {
                client_auth: engine_auth,
                identity: self.identity.clone(),
                ..EngineSide::default()
            },
            peer: PeerSide { client_auth: peer_auth, ..PeerSide::default() },
            knobs: self.mutations.clone(),
            word: None,
            requires: self.requires(),
            resume: self.resume,
            first_ends_with: Default::default(),
            oracle_group: None,
            expect,
            expect_for: Default::default(),
            sweep: None,
        }
    }

    /// What a peer must be able to do for the case to apply: a peer server
    /// that cannot be told to ask for a certificate skips it rather than
    /// being judged as if it had.
    fn requires(&self) -> Vec<Feature> {
        let mut r = Vec::new();
        if self.engine_role == Role::Client {
            match self.client_auth {
                ClientAuth::Off => {}
                ClientAuth::Request => r.push(Feature::ClientAuthRequest),
                ClientAuth::Require => r.push(Feature::ClientAuthRequire),
            }
        }
        if self.resume {
            r.push(Feature::Resumption);
        }
        r
    }

    /// The runnable case (one version, one suite); `None` for a suite the
    /// version cannot use.
    pub fn to_case(&self, expect: Vec<Expectation>) -> Option<Case> {
        let info = suites::by_name(&self.suite).filter(|i| i.usable_with(self.version.wire()))?;
        let test_id = format!("fuzz/{}", self.digest());
        let test = self.test_def(&test_id, "fuzz case", "", expect.clone());
        Some(Case {
            id: format!("{test_id}/{}/{}", self.version.name(), info.openssl_name),
            topic: "fuzz".into(),
            file: PathBuf::from("fuzz"),
            test: Arc::new(test),
            version: self.version,
            suite: info.suite,
            suite_name: info.openssl_name,
            expect,
        })
    }
}

/// A knob's serde name (`add_extension`), or for a field mutation
/// `field:MESSAGE.PATH` with the list indices left out.
fn kind_of(knob: &Knob) -> String {
    if let Knob::MutateField(m) = knob {
        let message = serde_json::to_value(m.message).ok().and_then(|v| v.as_str().map(str::to_owned));
        let mut path = String::new();
        let mut in_index = false;
        for c in m.path.chars() {
            match c {
                '[' => in_index = true,
                ']' => in_index = false,
                _ if !in_index => path.push(c),
                _ => {}
            }
        }
        return format!("field:{}.{path}", message.unwrap_or_default());
    }
    match serde_json::to_value(knob) {
        Ok(serde_json::Value::String(name)) => name,
        Ok(serde_json::Value::Object(map)) => map.keys().next().cloned().unwrap_or_default(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_name_knobs_and_field_paths_without_indices() {
        let case: FuzzCase = serde_json::from_str(
            r#"{"version": "tls1.2", "suite": "AES128-SHA", "engine_role": "server",
                "mutations": [
                    {"add_extension": {"typ": 6682, "body": {"hex": "00"}}},
                    {"mutate_field": {"message": "server_hello", "path": "extensions[2].body",
                                      "op": {"truncate": 1}}},
                    {"add_extension": {"typ": 1, "body": {"hex": ""}}}
                ]}"#,
        )
        .expect("a case");
        assert_eq!(case.kinds(), ["add_extension", "field:server_hello.extensions.body"]);
        let untrusted = FuzzCase { identity: Some("untrusted-server".into()), mutations: vec![], ..case };
        assert_eq!(untrusted.kinds(), ["identity:untrusted-server"]);
    }
}
