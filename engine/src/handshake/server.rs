//! The server: ExpectClientHello -> (ExpectCertificate) ->
//! ExpectClientKeyExchange -> (ExpectCertificateVerify) -> ExpectCcs ->
//! ExpectFinished -> Traffic, or for a resumed session ExpectClientHello ->
//! ExpectCcs -> ExpectFinished -> Traffic (RFC 5246 7.3, RFC 6101 5.5).

use std::sync::Arc;

use super::keys::{self, Secrets};
use super::{Context, Message, State, Traffic, unexpected};
use crate::config::{ClientAuthMode, ServerConfig};
use crate::crypto::Side;
use crate::crypto::finished::certificate_verify_digest;
use crate::deviate::Knob;
use crate::error::{Error, PeerMisbehaved};
use crate::flaw::Flaw;
use crate::msgs::enums::{
    CipherSuite, ClientCertificateType, Compression, ExtensionType, ProtocolVersion, SignatureAlgorithm,
};
use crate::msgs::extensions::first_duplicate;
use crate::msgs::{
    Certificate, CertificateDer, CertificateRequest, ClientHello, DistinguishedName, Extension,
    HandshakeMessage, HandshakePayload, Random, ServerHello, SessionId,
};
use crate::suites::{self, CipherKind, SuiteInfo};
use crate::x509::{self, Purpose, VerifyOptions};

pub(crate) fn start(config: Arc<ServerConfig>) -> Box<dyn State> {
    Box::new(ExpectClientHello { config })
}

#[derive(Debug)]
struct ExpectClientHello {
    config: Arc<ServerConfig>,
}

/// What the ClientHello settled, carried by the states after it.
#[derive(Debug, Clone)]
struct Negotiated {
    config: Arc<ServerConfig>,
    client_version: ProtocolVersion,
    version: ProtocolVersion,
    suite: &'static SuiteInfo,
    client_random: [u8; 32],
    server_random: [u8; 32],
    session_id: Vec<u8>,
    extended_master_secret: bool,
    encrypt_then_mac: bool,
    secure_renegotiation: bool,
    /// renegotiation_info of our ServerHello (RFC 5746 3.6, 3.7).
    renegotiation_binding: Vec<u8>,
}

impl State for ExpectClientHello {
    fn handle(self: Box<Self>, cx: &mut Context, msg: Message<'_>) -> Result<Box<dyn State>, Error> {
        let (hello, raw) = match msg {
            Message::Handshake {
                msg: HandshakeMessage { payload: HandshakePayload::ClientHello(ch), .. },
                raw,
            } => (ch, raw),
            Message::Sslv2Hello { hello, raw } => (hello, raw),
            other => return Err(unexpected("client_hello", &other)),
        };
        let reneg = cx.renegotiation();
        if reneg.is_some() {
            cx.reset_transcript();
        }
        cx.transcript.add(raw);
        let config = self.config;
        let version = negotiate_version(&config, hello.client_version)?;
        // RFC 7507 3: a fallback retry below our best version is an attack
        // (or a broken client): inappropriate_fallback.
        if hello.cipher_suites.contains(&CipherSuite::TLS_FALLBACK_SCSV)
            && version.get() < config.versions.max.get()
        {
            return Err(PeerMisbehaved::InappropriateFallback.into());
        }
        cx.version = version;
        cx.record.write_version = version;

        // RFC 5246 7.4.1.2: null compression must be offered.
        if !hello.compression_methods.contains(&Compression::Null) {
            return Err(PeerMisbehaved::NullCompressionMissing.into());
        }
        let exts = hello.extensions.as_deref().unwrap_or_default();
        if let Some(dup) = first_duplicate(exts) {
            return Err(PeerMisbehaved::DuplicateExtension(dup).into());
        }
        // RFC 5746 3.6: the SCSV or an empty renegotiation_info signals
        // support; a non-empty one on an initial handshake is fatal. 3.7: a
        // renegotiation must carry the client's last verify_data and never
        // the SCSV; an insecure one is refused (4.4).
        let scsv = hello.cipher_suites.contains(&CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
        let expected = reneg.as_ref().map(|r| r.client_verify_data.clone()).unwrap_or_default();
        let secure_renegotiation = match (hello.extension(ExtensionType::RenegotiationInfo), &reneg) {
            (_, Some(_)) if scsv => return Err(PeerMisbehaved::BadRenegotiationInfo.into()),
            (Some(Extension::RenegotiationInfo(rc)), _) if *rc == expected => true,
            (Some(_), _) => return Err(PeerMisbehaved::BadRenegotiationInfo.into()),
            (None, Some(r)) if r.secure => return Err(PeerMisbehaved::BadRenegotiationInfo.into()),
            (None, Some(_)) => return Err(PeerMisbehaved::RenegotiationRefused.into()),
            (None, None) => scsv,
        } && config.secure_renegotiation;
        let client_ems = hello.extension(ExtensionType::ExtendedMasterSecret).is_some() && !version.is_ssl3();
        let extended_master_secret = client_ems && config.extended_master_secret;

        // RFC 5246 7.4.1.2: resume when the id is known, the version is the
        // session's, and the offer includes the session's suite.
        let cached = (!hello.session_id.is_empty())
            .then(|| config.session_cache.get(&hello.session_id.0))
            .flatten()
            .filter(|s| s.version == version && hello.cipher_suites.contains(&s.suite))
            .filter(|_| !config.deviations.has(&Knob::DeclineResumption));
        // RFC 7627 5.3: a session that used the extended master secret,
        // offered for resumption without the extension: the server MUST
        // abort (not fall back to a full handshake).
        if cached.as_ref().is_some_and(|s| s.extended_master_secret && !client_ems) {
            return Err(PeerMisbehaved::ExtendedMasterSecretMismatch.into());
        }
        // RFC 7627 5.3: a legacy session offered with the extension is not
        // resumed; a full handshake follows.
        let cached = cached.filter(|s| s.extended_master_secret == extended_master_secret);
        // A `select_suite` knob puts its suite on the wire; the keys follow
        // it when the engine implements it, else the honest choice.
        let forced = config.deviations.select_suite();
        let suite = match (&cached, forced.and_then(suites::lookup)) {
            (_, Some(s)) => s,
            (Some(s), None) => suites::lookup(s.suite).ok_or(PeerMisbehaved::NoCommonSuite)?,
            (None, None) if forced.is_some() => match choose_suite(&config, &hello, version) {
                Ok(s) => s,
                Err(_) => suites::ALL_SUITES.first().ok_or(PeerMisbehaved::NoCommonSuite)?,
            },
            (None, None) => choose_suite(&config, &hello, version)?,
        };
        let is_cbc = matches!(suite.cipher.kind(), CipherKind::Block { .. });
        let encrypt_then_mac =
            config.encrypt_then_mac && hello.extension(ExtensionType::EncryptThenMac).is_some() && is_cbc;
        // RFC 7366 3.1: a renegotiation MUST NOT go from encrypt-then-MAC
        // back to MAC-then-encrypt.
        if reneg.as_ref().is_some_and(|r| r.encrypt_then_mac) && is_cbc && !encrypt_then_mac {
            return Err(PeerMisbehaved::EncryptThenMacDowngrade.into());
        }
        let session_id = match &cached {
            Some(s) => s.session_id.clone(),
            None => cx.random32().to_vec(),
        };
        let neg = Negotiated {
            config: config.clone(),
            client_version: hello.client_version,
            version,
            suite,
            client_random: hello.random.0,
            server_random: cx.hello_random(),
            session_id,
            extended_master_secret,
            encrypt_then_mac,
            secure_renegotiation,
            renegotiation_binding: reneg.as_ref().map(|r| r.server_binding()).unwrap_or_default(),
        };
        send_server_hello(cx, &neg, &hello);
        cx.record.expect_version = Some(version);
        // The version and suite fix the handshake hash from here on.
        if let Ok(prf) = keys::prf_for(version, suite) {
            cx.transcript.run_prf_hashes(prf);
        }

        if let Some(session) = cached {
            // A fatal alert before this resumption completes invalidates
            // the session too (RFC 5246 7.2.2).
            cx.session_id = session.session_id.clone();
            let secrets = secrets_from(&neg, session.master_secret)?;
            keys::install_pending(cx, Side::Server, &secrets)?;
            cx.send_change_cipher_spec();
            keys::send_finished(cx, Side::Server, &secrets);
            return Ok(Box::new(ExpectCcs { neg, secrets, resumed: true, client_certs: Vec::new() }));
        }

        let chain = config.cert.chain.iter().cloned().map(CertificateDer).collect();
        cx.send_handshake(&HandshakeMessage::new(HandshakePayload::Certificate(Certificate { chain })));
        let requested = config.client_auth != ClientAuthMode::Off;
        let mut offered_hashes = Vec::new();
        if requested {
            let request = certificate_request(&config, version);
            offered_hashes = request.signature_algorithms.clone().unwrap_or_default();
            // RFC 5246 7.4.8: the client signs with one of these; each runs
            // until its CertificateVerify says which.
            cx.transcript.run_hashes(
                offered_hashes.iter().filter(|a| a.signature == SignatureAlgorithm::Rsa).map(|a| a.hash),
            );
            cx.send_handshake(&HandshakeMessage::new(HandshakePayload::CertificateRequest(request)));
        }
        cx.send_handshake(&HandshakeMessage::new(HandshakePayload::ServerHelloDone));
        let kx = ExpectClientKeyExchange { neg, client_certs: Vec::new(), client_key: None, offered_hashes };
        Ok(match requested {
            true => Box::new(ExpectCertificate { kx }),
            false => Box::new(kx),
        })
    }
}

/// The highest version both support (RFC 5246 E.1).
fn negotiate_version(config: &ServerConfig, client: ProtocolVersion) -> Result<ProtocolVersion, Error> {
    let version = ProtocolVersion::from_wire(client.get().min(config.versions.max.get()));
    if !config.versions.contains(version) || !ProtocolVersion::SUPPORTED.contains(&version) {
        return Err(PeerMisbehaved::UnsupportedVersion(client).into());
    }
    Ok(version)
}

/// Server preference by default, client preference when configured
/// (RFC 5246 7.4.1.3 leaves the choice to the server).
fn choose_suite(
    config: &ServerConfig,
    hello: &ClientHello,
    version: ProtocolVersion,
) -> Result<&'static SuiteInfo, Error> {
    let acceptable = |s: &CipherSuite| {
        suites::lookup(*s).filter(|info| info.usable_with(version) && config.suites.contains(s))
    };
    let found = match config.prefer_client_order {
        true => hello.cipher_suites.iter().find_map(acceptable),
        false => config.suites.iter().filter(|s| hello.cipher_suites.contains(s)).find_map(acceptable),
    };
    found.ok_or_else(|| PeerMisbehaved::NoCommonSuite.into())
}

fn send_server_hello(cx: &mut Context, neg: &Negotiated, hello: &ClientHello) {
    // RFC 5246 7.4.1.4: answer only what the client offered. An SSL 3.0
    // ServerHello carries no extensions unless the client sent some.
    let mut exts = Vec::new();
    if neg.secure_renegotiation {
        exts.push(Extension::RenegotiationInfo(neg.renegotiation_binding.clone()));
    }
    if neg.extended_master_secret {
        exts.push(Extension::ExtendedMasterSecret);
    }
    if neg.encrypt_then_mac {
        exts.push(Extension::EncryptThenMac);
    }
    // RFC 5746 3.6: a client that signalled with the SCSV alone (an SSL
    // 3.0 hello, or one without extensions) still gets renegotiation_info:
    // the SCSV stands for the empty extension (4.5 asks SSL 3.0 stacks to
    // treat it the same way).
    let may_extend = hello.extensions.is_some() || neg.secure_renegotiation;
    let mut extensions = match (may_extend, exts.is_empty()) {
        (true, false) => Some(exts),
        _ => None,
    };
    let dev = &neg.config.deviations;
    dev.apply_to_extensions(&mut extensions, cx.renegotiation().is_some());
    let sh = ServerHello {
        server_version: dev.server_hello_version().unwrap_or(neg.version),
        random: Random(neg.server_random),
        session_id: SessionId(neg.session_id.clone()),
        cipher_suite: dev.select_suite().unwrap_or(neg.suite.suite),
        compression_method: dev.select_compression().unwrap_or(Compression::Null),
        extensions,
    };
    cx.send_handshake(&HandshakeMessage::new(HandshakePayload::ServerHello(sh)));
}

/// CertificateRequest (RFC 5246 7.4.4; RFC 6101 5.6.4).
fn certificate_request(config: &ServerConfig, version: ProtocolVersion) -> CertificateRequest {
    let authorities = config
        .client_trust
        .as_ref()
        .map(|t| t.subjects().into_iter().map(DistinguishedName).collect())
        .unwrap_or_default();
    CertificateRequest {
        certificate_types: vec![ClientCertificateType::RsaSign],
        signature_algorithms: version.is_tls12().then(|| config.signature_algorithms.clone()),
        certificate_authorities: authorities,
    }
}

fn secrets_from(neg: &Negotiated, master: [u8; 48]) -> Result<Secrets, Error> {
    Ok(Secrets {
        version: neg.version,
        suite: neg.suite,
        prf: keys::prf_for(neg.version, neg.suite)?,
        client_random: neg.client_random,
        server_random: neg.server_random,
        master,
        extended_master_secret: neg.extended_master_secret,
        encrypt_then_mac: neg.encrypt_then_mac,
    })
}

#[derive(Debug)]
struct ExpectCertificate {
    kx: ExpectClientKeyExchange,
}

impl State for ExpectCertificate {
    fn handle(self: Box<Self>, cx: &mut Context, msg: Message<'_>) -> Result<Box<dyn State>, Error> {
        let mut kx = self.kx;
        let required = kx.neg.config.client_auth == ClientAuthMode::Require;
        match msg {
            Message::Handshake {
                msg: HandshakeMessage { payload: HandshakePayload::Certificate(c), .. },
                raw,
            } => {
                cx.transcript.add(raw);
                let chain: Vec<Vec<u8>> = c.chain.into_iter().map(|c| c.0).collect();
                if chain.is_empty() {
                    // RFC 5246 7.4.6: an empty Certificate is "no certificate".
                    if required {
                        return Err(PeerMisbehaved::ClientCertificateRequired.into());
                    }
                    return Ok(Box::new(kx));
                }
                let key = match &kx.neg.config.client_trust {
                    Some(anchors) => {
                        let opts = VerifyOptions {
                            now_unix: cx.now_unix,
                            server_name: None,
                            purpose: Purpose::ClientAuth,
                        };
                        match x509::verify_chain(&chain, anchors, &opts) {
                            Ok(verified) => verified.public_key,
                            // FLAW accept_untrusted_client: the chain failed
                            // RFC 5280 6.1; its leaf's key is used anyway.
                            Err(_) if cx.flaws.has(Flaw::AcceptUntrustedClient) => {
                                x509::leaf_public_key(chain.first().map(Vec::as_slice).unwrap_or_default())?
                            }
                            Err(e) => return Err(e.into()),
                        }
                    }
                    None => x509::leaf_public_key(chain.first().map(Vec::as_slice).unwrap_or_default())?,
                };
                kx.client_key = Some(key);
                kx.client_certs = chain;
                Ok(Box::new(kx))
            }
            // RFC 6101 5.6.6: an SSL 3.0 client without a certificate sends
            // the no_certificate warning instead.
            Message::NoCertificateAlert if kx.neg.version.is_ssl3() => {
                if required {
                    return Err(PeerMisbehaved::ClientCertificateRequired.into());
                }
                Ok(Box::new(kx))
            }
            other => Err(unexpected("certificate", &other)),
        }
    }
}

#[derive(Debug)]
struct ExpectClientKeyExchange {
    neg: Negotiated,
    client_certs: Vec<Vec<u8>>,
    client_key: Option<crate::crypto::keys::RsaPublicKey>,
    offered_hashes: Vec<crate::msgs::SignatureAndHashAlgorithm>,
}

impl State for ExpectClientKeyExchange {
    fn handle(self: Box<Self>, cx: &mut Context, msg: Message<'_>) -> Result<Box<dyn State>, Error> {
        let (cke, raw) = match msg {
            Message::Handshake {
                msg: HandshakeMessage { payload: HandshakePayload::ClientKeyExchange(k), .. },
                raw,
            } => (k, raw),
            other => return Err(unexpected("client_key_exchange", &other)),
        };
        cx.transcript.add(raw);
        let neg = self.neg;
        // RFC 5246 7.4.7.1: a bad premaster becomes a random one, so the
        // failure shows only at Finished (no Bleichenbacher oracle).
        let provider = cx.provider.clone();
        if cx.flaws.has(Flaw::SlowBadPadding)
            && !crate::crypto::rsa_kx::premaster_well_formed(
                &neg.config.cert.key,
                &cke.encrypted_premaster,
                Some(neg.client_version),
                cx.rng.as_mut(),
            )
        {
            crate::flaw::slow_path_work();
        }
        if cx.flaws.has(Flaw::PaddingAnswerOracle)
            && !crate::crypto::rsa_kx::premaster_well_formed(
                &neg.config.cert.key,
                &cke.encrypted_premaster,
                None,
                cx.rng.as_mut(),
            )
        {
            return Err(PeerMisbehaved::BadPremasterPadding.into());
        }
        let premaster = zeroize::Zeroizing::new(provider.decrypt_premaster(
            &neg.config.cert.key,
            &cke.encrypted_premaster,
            neg.client_version,
            cx.rng.as_mut(),
        ));
        let prf = keys::prf_for(neg.version, neg.suite)?;
        let master = keys::master_secret(
            cx,
            prf,
            premaster.as_slice(),
            &neg.client_random,
            &neg.server_random,
            neg.extended_master_secret,
        )?;
        let secrets = secrets_from(&neg, master)?;
        keys::install_pending(cx, Side::Server, &secrets)?;
        let ccs = ExpectCcs { neg, secrets, resumed: false, client_certs: self.client_certs };
        Ok(match self.client_key {
            Some(key) => Box::new(ExpectCertificateVerify { ccs, key, offered_hashes: self.offered_hashes }),
            None => Box::new(ccs),
        })
    }
}

#[derive(Debug)]
struct ExpectCertificateVerify {
    ccs: ExpectCcs,
    key: crate::crypto::keys::RsaPublicKey,
    offered_hashes: Vec<crate::msgs::SignatureAndHashAlgorithm>,
}

impl State for ExpectCertificateVerify {
    fn handle(self: Box<Self>, cx: &mut Context, msg: Message<'_>) -> Result<Box<dyn State>, Error> {
        let (cv, raw) = match msg {
            Message::Handshake {
                msg: HandshakeMessage { payload: HandshakePayload::CertificateVerify(v), .. },
                raw,
            } => (v, raw),
            // The flawed server lets an unproven certificate through.
            Message::ChangeCipherSpec if cx.flaws.has(Flaw::SkipCertificateVerify) => {
                return Box::new(self.ccs).handle(cx, Message::ChangeCipherSpec);
            }
            other => return Err(unexpected("certificate_verify", &other)),
        };
        let s = &self.ccs.secrets;
        // RFC 5246 7.4.8: in TLS 1.2 the hash must be one we offered.
        if let Some(alg) = cv.algorithm
            && (alg.signature != SignatureAlgorithm::Rsa || !self.offered_hashes.contains(&alg))
        {
            return Err(PeerMisbehaved::CertificateVerifyHashNotOffered.into());
        }
        let digest =
            certificate_verify_digest(s.version, &s.master, &cx.transcript, cv.algorithm.map(|a| a.hash))
                .map_err(|_| PeerMisbehaved::CertificateVerifyHashNotOffered)?;
        let (hash, bytes) =
            digest.signature_input().ok_or(PeerMisbehaved::CertificateVerifyHashNotOffered)?;
        cx.provider
            .verify(&self.key, hash, bytes, &cv.signature)
            .map_err(|_| PeerMisbehaved::BadCertificateVerify)?;
        cx.transcript.add(raw);
        Ok(Box::new(self.ccs))
    }
}

#[derive(Debug)]
struct ExpectCcs {
    neg: Negotiated,
    secrets: Secrets,
    resumed: bool,
    client_certs: Vec<Vec<u8>>,
}

impl State for ExpectCcs {
    fn handle(self: Box<Self>, cx: &mut Context, msg: Message<'_>) -> Result<Box<dyn State>, Error> {
        match msg {
            Message::ChangeCipherSpec => {
                cx.record.activate_read();
                Ok(Box::new(ExpectFinished { ccs: *self }))
            }
            // FLAW ccs_optional: a cleartext Finished stands in for the
            // ChangeCipherSpec RFC 5246 7.1 requires before it.
            finished @ Message::Handshake { .. }
                if cx.flaws.has(Flaw::CcsOptional)
                    && matches!(&finished, Message::Handshake { msg, .. } if msg.typ == crate::msgs::enums::HandshakeType::Finished) =>
            {
                Box::new(ExpectFinished { ccs: *self }).handle(cx, finished)
            }
            other => Err(unexpected("change_cipher_spec", &other)),
        }
    }
}

#[derive(Debug)]
struct ExpectFinished {
    ccs: ExpectCcs,
}

impl State for ExpectFinished {
    fn handle(self: Box<Self>, cx: &mut Context, msg: Message<'_>) -> Result<Box<dyn State>, Error> {
        let (fin, raw) = match msg {
            Message::Handshake {
                msg: HandshakeMessage { payload: HandshakePayload::Finished(f), .. },
                raw,
            } => (f, raw),
            other => return Err(unexpected("finished", &other)),
        };
        let ExpectCcs { neg, secrets, resumed, client_certs } = self.ccs;
        keys::check_finished(cx, Side::Client, &secrets, &fin.verify_data, raw)?;
        if !resumed {
            cx.send_change_cipher_spec();
            keys::send_finished(cx, Side::Server, &secrets);
        }
        let (session, first) =
            super::complete(cx, &secrets, neg.session_id, resumed, neg.secure_renegotiation, client_certs);
        // RFC 5246 7.4.9: a session becomes resumable once Finished is verified.
        neg.config.session_cache.put(session);
        // The knob asks the client to renegotiate (RFC 5246 7.4.1.1).
        if first && neg.config.deviations.has(&Knob::Renegotiate) {
            cx.send_handshake(&HandshakeMessage::new(HandshakePayload::HelloRequest));
        }
        Ok(Box::new(Traffic { client: None, server: Some(neg.config) }))
    }
}
