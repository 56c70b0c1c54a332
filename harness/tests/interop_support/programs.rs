//! The peers whose programs live in ci/peers/ and are built by
//! ci/peers/install.sh (Go crypto/tls, JSSE, mbed TLS, wolfSSL), and Botan's
//! own command-line tool: how each is asked what it supports (each is
//! started through its profiles, vectors/peers/NAME-server.json and
//! NAME-client.json). The interop matrix runs a smoke subset of cells on them.

use super::{query, root, which};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Program {
    Botan,
    Go,
    Jsse,
    MbedTls,
    WolfSsl,
}

impl Program {
    pub fn name(self) -> &'static str {
        match self {
            Self::Botan => "botan",
            Self::Go => "go",
            Self::Jsse => "jsse",
            Self::MbedTls => "mbedtls",
            Self::WolfSsl => "wolfssl",
        }
    }

    /// argv of the peer program, before its subcommand.
    fn argv(self) -> Vec<String> {
        let built = |p: &str| root().join("target/peers").join(p).to_string_lossy().into_owned();
        match self {
            Self::Botan => vec!["botan".into()],
            Self::Go => vec![built("gopeer")],
            Self::MbedTls => vec![built("mbedtls_peer")],
            Self::WolfSsl => vec![built("wolfssl_peer")],
            Self::Jsse => vec![
                "java".into(),
                format!(
                    "-Djava.security.properties={}",
                    root().join("ci/peers/jsse/java.security").display()
                ),
                "-cp".into(),
                built("jsse"),
                "JssePeer".into(),
            ],
        }
    }

    /// Whether the program is there (built by ci/peers/install.sh), and
    /// which release.
    pub fn available(self) -> Result<String, String> {
        let argv = self.argv();
        let found = match argv[0].contains('/') {
            true => std::path::Path::new(&argv[0]).is_file(),
            false => which(&argv[0]).is_some(),
        };
        let jsse_built = root().join("target/peers/jsse/JssePeer.class").is_file();
        if !found || (self == Self::Jsse && !jsse_built) {
            return Err(format!("`{}` is missing (run ci/peers/install.sh)", argv.join(" ")));
        }
        let out = match self {
            Self::Botan => query("botan", &["version"]).map(|v| format!("Botan {v}")),
            Self::Go => query("go", &["version"]),
            _ => {
                let argv = self.argv();
                let args: Vec<&str> = argv[1..].iter().map(String::as_str).chain(["version"]).collect();
                query(&argv[0], &args)
            }
        }?;
        Ok(out.lines().next().unwrap_or_default().trim().to_string())
    }

    /// Per version it has: the engine (OpenSSL) names of its RSA suites.
    pub fn list(self) -> Result<Vec<(String, Vec<String>)>, String> {
        if self == Self::Botan {
            return ["tls1.0", "tls1.1", "tls1.2"]
                .iter()
                .map(|v| {
                    let out = query(
                        "botan",
                        &["tls_ciphers", &format!("--policy={}", botan_policy()), &format!("--version={v}")],
                    )?;
                    let names = out
                        .lines()
                        .filter_map(|l| shakedown_engine::suites::by_name(&format!("TLS_{}", l.trim())))
                        .map(|s| s.openssl_name.to_string())
                        .collect();
                    Ok((v.to_string(), names))
                })
                .collect();
        }
        let argv = self.argv();
        let args: Vec<&str> = argv[1..].iter().map(String::as_str).chain(["list"]).collect();
        let out = query(&argv[0], &args)?;
        Ok(out
            .lines()
            .filter_map(|l| {
                let mut words = l.split_whitespace();
                let v = words.next()?.to_string();
                Some((v, words.map(String::from).collect()))
            })
            .collect())
    }

    /// Why this program's server cannot ask for client certificates, if it
    /// cannot (a peer client's is its profile's `client_certificate`
    /// feature).
    pub fn server_without_client_auth(self) -> Option<&'static str> {
        match self {
            Self::Botan => Some("`botan tls_server` never asks for a client certificate"),
            _ => None,
        }
    }

    /// Whether the program's server resumes a session by id at `version`,
    /// or why not (a peer client's is its profile's `client_resumption`).
    pub fn server_resumes(self, version: &str) -> Result<(), &'static str> {
        match self {
            // A server may always decline to resume (RFC 6101 5.6.1.2).
            Self::Jsse if version == "ssl3" => Err("the JSSE server does not resume SSL 3.0 sessions"),
            Self::Go => Err("crypto/tls resumes only through session tickets (RFC 5077)"),
            Self::WolfSsl => Err("not run: no RSA key exchange to resume"),
            _ => Ok(()),
        }
    }
}

fn botan_policy() -> String {
    root().join("ci/peers/botan/policy.txt").to_string_lossy().into_owned()
}
