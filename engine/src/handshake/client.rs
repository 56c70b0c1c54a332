//! The client: ExpectServerHello -> ExpectCertificate ->
//! ExpectCertificateRequestOrDone -> (ExpectServerHelloDone) -> ExpectCcs ->
//! ExpectFinished -> Traffic, or for a resumed session ExpectServerHello ->
//! ExpectCcs -> ExpectFinished -> Traffic (RFC 5246 7.3, RFC 6101 5.5).

use std::sync::Arc;

use super::keys::{self, Secrets};
use super::{Context, Message, State, Traffic, unexpected};
use crate::config::{ClientConfig, SessionData};
use crate::crypto::Side;
use crate::crypto::finished::{CertificateVerifyDigest, certificate_verify_digest};
use crate::deviate::Knob;
use crate::error::{CryptoFailure, Error, PeerMisbehaved};
use crate::flaw::Flaw;
use crate::msgs::enums::{
    AlertDescription, AlertLevel, CipherSuite, ClientCertificateType, ExtensionType, HandshakeType,
    ProtocolVersion, SignatureAlgorithm,
};
use crate::msgs::extensions::first_duplicate;
use crate::msgs::{
    Certificate, CertificateDer, CertificateRequest, CertificateVerify, ClientHello, ClientKeyExchange,
    Extension, HandshakeMessage, HandshakePayload, Random, ServerHello, ServerNameEntry, SessionId,
};
use crate::suites;
use crate::x509::{self, Purpose, VerifyOptions};

/// Builds and sends the ClientHello; returns the first state.
pub(crate) fn start(cx: &mut Context, config: Arc<ClientConfig>) -> Result<Box<dyn State>, Error> {
    let version = config.versions.max;
    let mut suites = config.suites.clone();
    let ssl3_only = version.is_ssl3();
    let reneg = cx.renegotiation();
    if reneg.is_some() {
        cx.reset_transcript();
    }
    // RFC 5746 3.3: an SSL 3.0 hello carries no extensions, so it signals
    // secure renegotiation with the SCSV instead; a renegotiating hello
    // never carries the SCSV (3.5) and binds to the last client Finished.
    if config.secure_renegotiation && ssl3_only && reneg.is_none() {
        suites.push(CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
    }
    let binding = reneg.as_ref().map(|r| r.client_verify_data.clone()).unwrap_or_default();
    let mut extensions =
        (!ssl3_only || reneg.is_some()).then(|| client_extensions(&config, version, binding));
    let session_id = config.resume.as_ref().map(|s| s.session_id.clone()).unwrap_or_default();
    let dev = &config.deviations;
    dev.apply_to_extensions(&mut extensions, reneg.is_some());
    let hello = ClientHello {
        client_version: dev.client_hello_version().unwrap_or(version),
        random: Random(cx.hello_random()),
        session_id: SessionId(dev.session_id().unwrap_or(session_id)),
        cipher_suites: dev
            .offer_suites()
            .map_or(suites, <[_]>::to_vec)
            .into_iter()
            .chain(dev.appended_suites())
            .collect(),
        compression_methods: dev
            .offer_compression()
            .map_or_else(|| config.compression.clone(), <[_]>::to_vec),
        extensions,
    };
    cx.version = version;
    cx.send_handshake(&HandshakeMessage::new(HandshakePayload::ClientHello(hello.clone())));
    Ok(Box::new(ExpectServerHello { config, hello, reneg }))
}

fn client_extensions(config: &ClientConfig, version: ProtocolVersion, binding: Vec<u8>) -> Vec<Extension> {
    let mut exts = Vec::new();
    if let Some(name) = &config.server_name {
        exts.push(Extension::ServerName(vec![ServerNameEntry::host_name(name)]));
    }
    // RFC 5246 7.4.1.4.1: only a TLS 1.2 client sends signature_algorithms.
    if version.is_tls12() && !config.signature_algorithms.is_empty() {
        exts.push(Extension::SignatureAlgorithms(config.signature_algorithms.clone()));
    }
    if config.secure_renegotiation {
        exts.push(Extension::RenegotiationInfo(binding));
    }
    if config.extended_master_secret {
        exts.push(Extension::ExtendedMasterSecret);
    }
    if config.encrypt_then_mac {
        exts.push(Extension::EncryptThenMac);
    }
    exts
}

#[derive(Debug)]
struct ExpectServerHello {
    config: Arc<ClientConfig>,
    hello: ClientHello,
    reneg: Option<super::Renegotiation>,
}

/// What the ServerHello settled, carried by the states after it.
#[derive(Debug, Clone)]
struct Negotiated {
    config: Arc<ClientConfig>,
    hello: ClientHello,
    version: ProtocolVersion,
    suite: &'static suites::SuiteInfo,
    client_random: [u8; 32],
    server_random: [u8; 32],
    session_id: Vec<u8>,
    extended_master_secret: bool,
    encrypt_then_mac: bool,
    secure_renegotiation: bool,
}

impl State for ExpectServerHello {
    fn handle(self: Box<Self>, cx: &mut Context, msg: Message<'_>) -> Result<Box<dyn State>, Error> {
        let (mut sh, raw) = match msg {
            Message::Handshake {
                msg: HandshakeMessage { payload: HandshakePayload::ServerHello(sh), .. },
                raw,
            } => (sh, raw),
            other => return Err(unexpected("server_hello", &other)),
        };
        // FLAW accept_higher_version: RFC 5246 E.1 refuses a version above
        // the offer; the flawed client reads it as its own best.
        if cx.flaws.has(Flaw::AcceptHigherVersion)
            && sh.server_version.get() > self.hello.client_version.get()
        {
            sh.server_version = self.config.versions.max;
        }
        // Once the server's version is one we accept, our records (and so an
        // alert about the rest of the ServerHello) carry it, as OpenSSL's
        // client does: a server that settled on it may refuse other record
        // versions, and would never see why the handshake failed.
        if self.accepts_version(sh.server_version) {
            cx.version = sh.server_version;
            cx.record.write_version = sh.server_version;
        }
        let neg = self.check_server_hello(&sh, &cx.flaws)?;
        cx.version = neg.version;
        cx.record.write_version = neg.version;
        cx.record.expect_version = Some(neg.version);
        cx.transcript.add(raw);
        // The version and suite fix the handshake hash from here on.
        if let Ok(prf) = keys::prf_for(neg.version, neg.suite) {
            cx.transcript.run_prf_hashes(prf);
        }

        if let Some(session) = self.resumable(&sh) {
            // RFC 5246 7.4.1.3: the same session id means the server resumes.
            if session.version != neg.version {
                return Err(PeerMisbehaved::ResumptionVersionMismatch.into());
            }
            if session.suite != neg.suite.suite {
                return Err(PeerMisbehaved::ResumptionSuiteMismatch.into());
            }
            // RFC 7627 5.3: a resumption must keep the session's EMS state.
            if session.extended_master_secret != neg.extended_master_secret {
                return Err(PeerMisbehaved::ExtendedMasterSecretMismatch.into());
            }
            let secrets = Secrets {
                version: neg.version,
                suite: neg.suite,
                prf: keys::prf_for(neg.version, neg.suite)?,
                client_random: neg.client_random,
                server_random: neg.server_random,
                master: session.master_secret,
                extended_master_secret: session.extended_master_secret,
                encrypt_then_mac: neg.encrypt_then_mac,
            };
            keys::install_pending(cx, Side::Client, &secrets)?;
            return Ok(Box::new(ExpectCcs { neg, secrets, resumed: true, server_certs: Vec::new() }));
        }
        Ok(Box::new(ExpectCertificate { neg }))
    }
}

impl ExpectServerHello {
    /// The session being resumed, if the server echoed its id.
    fn resumable(&self, sh: &ServerHello) -> Option<&SessionData> {
        self.config.resume.as_ref().filter(|s| !s.session_id.is_empty() && s.session_id == sh.session_id.0)
    }

    /// RFC 5246 E.1: the server's version must be one the client accepts,
    /// never above its offer (a rollback is caught at Finished, which covers
    /// both hellos).
    fn accepts_version(&self, version: ProtocolVersion) -> bool {
        self.config.versions.contains(version) && version.get() <= self.hello.client_version.get()
    }

    fn check_server_hello(&self, sh: &ServerHello, flaws: &crate::flaw::Flaws) -> Result<Negotiated, Error> {
        let config = &self.config;
        let version = sh.server_version;
        if !self.accepts_version(version) {
            return Err(PeerMisbehaved::UnsupportedVersion(version).into());
        }
        // RFC 5246 7.4.1.3: the suite and compression must be from the offer.
        let offered = self.hello.cipher_suites.contains(&sh.cipher_suite)
            && sh.cipher_suite != CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV;
        let suite = suites::lookup(sh.cipher_suite)
            .filter(|s| offered && s.usable_with(version))
            .ok_or(PeerMisbehaved::SuiteNotOffered(sh.cipher_suite))?;
        // FLAW accept_unoffered_compression: any method is taken as null.
        if !self.hello.compression_methods.contains(&sh.compression_method)
            && !flaws.has(Flaw::AcceptUnofferedCompression)
        {
            return Err(PeerMisbehaved::CompressionNotOffered(sh.compression_method).into());
        }
        let exts = sh.extensions.as_deref().unwrap_or_default();
        if let Some(dup) = first_duplicate(exts) {
            return Err(PeerMisbehaved::DuplicateExtension(dup).into());
        }
        // RFC 5246 7.4.1.4: only extensions the client offered may come back.
        // RFC 5746 3.4: renegotiation_info is acceptable after the SCSV too.
        for ext in exts {
            let typ = ext.typ();
            // RFC 5246 7.4.1.4.1: servers MUST NOT send signature_algorithms,
            // even to a client that offered it.
            let solicited = typ != ExtensionType::SignatureAlgorithms && self.hello.extension(typ).is_some()
                || (typ == ExtensionType::RenegotiationInfo
                    && self.hello.cipher_suites.contains(&CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV));
            // FLAW accept_unsolicited_extension: RFC 5246 7.4.1.4 says abort.
            if !solicited && !flaws.has(Flaw::AcceptUnsolicitedExtension) {
                return Err(PeerMisbehaved::UnsolicitedExtension(typ).into());
            }
        }
        // RFC 5746 3.4: on an initial handshake renegotiated_connection is
        // empty; 3.5: on a renegotiation it is both previous verify_data,
        // and a server that was secure must stay so.
        let expected = self.reneg.as_ref().map(|r| r.server_binding()).unwrap_or_default();
        let secure_renegotiation = match (sh.extension(ExtensionType::RenegotiationInfo), &self.reneg) {
            (Some(Extension::RenegotiationInfo(rc)), _) if *rc == expected => true,
            (Some(_), _) => return Err(PeerMisbehaved::BadRenegotiationInfo.into()),
            (None, Some(r)) if r.secure => return Err(PeerMisbehaved::BadRenegotiationInfo.into()),
            (None, _) => false,
        };
        if !secure_renegotiation && self.config.require_secure_renegotiation {
            return Err(PeerMisbehaved::SecureRenegotiationNotSignalled.into());
        }
        let extended_master_secret =
            sh.extension(ExtensionType::ExtendedMasterSecret).is_some() && !version.is_ssl3();
        // RFC 7366 3: encrypt_then_mac applies to CBC suites only; a server
        // that acknowledges it for another suite misbehaves.
        let etm_acked = sh.extension(ExtensionType::EncryptThenMac).is_some();
        let is_cbc = matches!(suite.cipher.kind(), suites::CipherKind::Block { .. });
        if etm_acked && !is_cbc {
            return Err(PeerMisbehaved::UnsolicitedExtension(ExtensionType::EncryptThenMac).into());
        }
        // RFC 7366 3.1: a renegotiation MUST NOT drop encrypt-then-MAC.
        if self.reneg.as_ref().is_some_and(|r| r.encrypt_then_mac) && is_cbc && !etm_acked {
            return Err(PeerMisbehaved::EncryptThenMacDowngrade.into());
        }
        Ok(Negotiated {
            config: config.clone(),
            hello: self.hello.clone(),
            version,
            suite,
            client_random: self.hello.random.0,
            server_random: sh.random.0,
            session_id: sh.session_id.0.clone(),
            extended_master_secret,
            encrypt_then_mac: etm_acked,
            secure_renegotiation,
        })
    }
}

#[derive(Debug)]
struct ExpectCertificate {
    neg: Negotiated,
}

impl State for ExpectCertificate {
    fn handle(self: Box<Self>, cx: &mut Context, msg: Message<'_>) -> Result<Box<dyn State>, Error> {
        let (cert, raw) = match msg {
            Message::Handshake {
                msg: HandshakeMessage { payload: HandshakePayload::Certificate(c), .. },
                raw,
            } => (c, raw),
            other => return Err(unexpected("certificate", &other)),
        };
        cx.transcript.add(raw);
        let chain: Vec<Vec<u8>> = cert.chain.into_iter().map(|c| c.0).collect();
        let leaf = chain.first().ok_or(PeerMisbehaved::EmptyServerCertificate)?;
        let server_key = match &self.neg.config.trust {
            Some(anchors) => {
                let opts = VerifyOptions {
                    now_unix: cx.now_unix,
                    server_name: self.neg.config.server_name.as_deref(),
                    purpose: Purpose::ServerAuth,
                };
                match x509::verify_chain(&chain, anchors, &opts) {
                    Ok(verified) => verified.public_key,
                    // FLAW accept_untrusted_server: RFC 5280 6.1 failed, the
                    // leaf's key is used anyway.
                    Err(_) if cx.flaws.has(Flaw::AcceptUntrustedServer) => x509::leaf_public_key(leaf)?,
                    Err(e) => return Err(e.into()),
                }
            }
            None => x509::leaf_public_key(leaf)?,
        };
        Ok(Box::new(ExpectCertificateRequestOrDone { neg: self.neg, server_key, server_certs: chain }))
    }
}

#[derive(Debug)]
struct ExpectCertificateRequestOrDone {
    neg: Negotiated,
    server_key: crate::crypto::keys::RsaPublicKey,
    server_certs: Vec<Vec<u8>>,
}

impl State for ExpectCertificateRequestOrDone {
    fn handle(self: Box<Self>, cx: &mut Context, msg: Message<'_>) -> Result<Box<dyn State>, Error> {
        match msg {
            Message::Handshake {
                msg: HandshakeMessage { payload: HandshakePayload::CertificateRequest(req), .. },
                raw,
            } => {
                cx.transcript.add(raw);
                // RFC 5246 7.4.8: our CertificateVerify will sign with this
                // hash, so it runs over the rest of the handshake too.
                if let Some(a) = pick_signature_hash(&self.neg.config, &req)
                    && self.neg.version.is_tls12()
                {
                    cx.transcript.run_hashes([a.hash]);
                }
                Ok(Box::new(ExpectServerHelloDone { inner: *self, request: req }))
            }
            Message::Handshake {
                msg: HandshakeMessage { payload: HandshakePayload::ServerHelloDone, .. },
                raw,
            } => {
                cx.transcript.add(raw);
                client_flight(cx, *self, None)
            }
            // RFC 5246 7.4.3: RSA key exchange has no ServerKeyExchange.
            Message::Handshake { msg, .. } if msg.typ == HandshakeType::ServerKeyExchange => {
                Err(PeerMisbehaved::ServerKeyExchangeInRsaSuite.into())
            }
            other => Err(unexpected("certificate_request or server_hello_done", &other)),
        }
    }
}

#[derive(Debug)]
struct ExpectServerHelloDone {
    inner: ExpectCertificateRequestOrDone,
    request: CertificateRequest,
}

impl State for ExpectServerHelloDone {
    fn handle(self: Box<Self>, cx: &mut Context, msg: Message<'_>) -> Result<Box<dyn State>, Error> {
        match msg {
            Message::Handshake {
                msg: HandshakeMessage { payload: HandshakePayload::ServerHelloDone, .. },
                raw,
            } => {
                cx.transcript.add(raw);
                client_flight(cx, self.inner, Some(self.request))
            }
            other => Err(unexpected("server_hello_done", &other)),
        }
    }
}

/// The hash to sign a TLS 1.2 CertificateVerify with: our first preference
/// that the server listed with RSA (RFC 5246 7.4.8).
fn pick_signature_hash(
    config: &ClientConfig,
    request: &CertificateRequest,
) -> Option<crate::msgs::SignatureAndHashAlgorithm> {
    let offered = request.signature_algorithms.as_deref().unwrap_or_default();
    config
        .signature_algorithms
        .iter()
        .find(|a| a.signature == SignatureAlgorithm::Rsa && offered.contains(a))
        .copied()
}

/// How the client answers a CertificateRequest.
enum CertificateAnswer<'a> {
    Chain(&'a crate::config::CertifiedKey),
    Empty,
    NoCertificateAlert,
}

/// Certificate, ClientKeyExchange, CertificateVerify, ChangeCipherSpec and
/// Finished: the client's second flight (RFC 5246 7.3).
fn client_flight(
    cx: &mut Context,
    st: ExpectCertificateRequestOrDone,
    request: Option<CertificateRequest>,
) -> Result<Box<dyn State>, Error> {
    let neg = st.neg;
    let version = neg.version;
    let mut signer = None;
    if let Some(req) = &request {
        let usable = req.certificate_types.contains(&ClientCertificateType::RsaSign);
        let dev = &neg.config.deviations;
        let cert = neg.config.client_cert.as_ref().filter(|_| usable);
        // RFC 6101 5.6.6 / 5.4.2: SSL 3.0 without a certificate answers with
        // a no_certificate warning; TLS with an empty Certificate (RFC 5246
        // 7.4.6). The knobs force either answer in any version.
        let answer = if dev.has(&Knob::EmptyCertificate) {
            CertificateAnswer::Empty
        } else if dev.has(&Knob::NoCertificateAlert) {
            CertificateAnswer::NoCertificateAlert
        } else {
            match cert {
                Some(ck) => CertificateAnswer::Chain(ck),
                None if version.is_ssl3() => CertificateAnswer::NoCertificateAlert,
                None => CertificateAnswer::Empty,
            }
        };
        match answer {
            CertificateAnswer::Chain(ck) => {
                let chain = ck.chain.iter().cloned().map(CertificateDer).collect();
                cx.send_handshake(&HandshakeMessage::new(HandshakePayload::Certificate(Certificate {
                    chain,
                })));
                signer = Some(ck.key.clone());
            }
            CertificateAnswer::Empty => {
                cx.send_handshake(&HandshakeMessage::new(HandshakePayload::Certificate(Certificate {
                    chain: Vec::new(),
                })))
            }
            CertificateAnswer::NoCertificateAlert => {
                cx.send_alert(AlertLevel::Warning, AlertDescription::NoCertificate)
            }
        }
    } else if let Some(ck) = neg.config.client_cert.as_ref()
        && neg.config.deviations.has(&Knob::UnrequestedCertificate)
    {
        // RFC 5246 7.4.6: a client sends Certificate only when asked.
        let chain = ck.chain.iter().cloned().map(CertificateDer).collect();
        cx.send_handshake(&HandshakeMessage::new(HandshakePayload::Certificate(Certificate { chain })));
    }

    // RFC 5246 7.4.7.1: the premaster carries the version the client
    // offered, not the negotiated one, so a rollback is detectable.
    let dev = neg.config.deviations.clone();
    let premaster_version = dev.premaster_version().unwrap_or(neg.hello.client_version);
    let premaster_len = dev.premaster_length().unwrap_or(48);
    let mut premaster = zeroize::Zeroizing::new(vec![0u8; premaster_len.max(2)]);
    let (pv, pr) = premaster.split_at_mut(2);
    pv.copy_from_slice(&premaster_version.get().to_be_bytes());
    cx.rng.fill(pr);
    premaster.truncate(premaster_len);
    let tweak = dev.pkcs1().cloned().unwrap_or_default();
    let provider = cx.provider.clone();
    let mut encrypted = provider
        .encrypt_premaster(&st.server_key, &premaster, cx.rng.as_mut(), &tweak)
        .map_err(|_| Error::Crypto(CryptoFailure::PremasterEncryption))?;
    if let Some(delta) = dev.ciphertext_length_delta() {
        let len = (encrypted.len() as i64 + i64::from(delta)).max(0) as usize;
        encrypted.resize(len, 0x42);
    }
    let cke = ClientKeyExchange::new(cx.decode_context(), encrypted);
    cx.send_handshake(&HandshakeMessage::new(HandshakePayload::ClientKeyExchange(cke)));

    let prf = keys::prf_for(version, neg.suite)?;
    let master = keys::master_secret(
        cx,
        prf,
        &premaster,
        &neg.client_random,
        &neg.server_random,
        neg.extended_master_secret,
    )?;
    let secrets = Secrets {
        version,
        suite: neg.suite,
        prf,
        client_random: neg.client_random,
        server_random: neg.server_random,
        master,
        extended_master_secret: neg.extended_master_secret,
        encrypt_then_mac: neg.encrypt_then_mac,
    };

    if let (Some(key), Some(req)) = (signer, &request) {
        let algorithm = match version.is_tls12() {
            true => {
                Some(pick_signature_hash(&neg.config, req).ok_or(PeerMisbehaved::NoUsableCertificateType)?)
            }
            false => None,
        };
        let digest = certificate_verify_digest(version, &master, &cx.transcript, algorithm.map(|a| a.hash))
            .map_err(|_| Error::Crypto(CryptoFailure::CertificateVerifyDigest))?;
        let mut signature = match dev.has(&Knob::CertificateVerifyWithoutNull) {
            true => sign_without_null(&key, &digest, cx)?,
            false => sign_digest(&key, &digest, cx)?,
        };
        let mut algorithm = algorithm;
        for knob in &dev.0 {
            match knob {
                Knob::CorruptCertificateVerify(flip) => flip.apply(&mut signature),
                Knob::CertificateVerifyHash(h) => {
                    algorithm = algorithm.map(|a| crate::msgs::SignatureAndHashAlgorithm { hash: *h, ..a })
                }
                _ => {}
            }
        }
        cx.send_handshake(&HandshakeMessage::new(HandshakePayload::CertificateVerify(CertificateVerify {
            algorithm,
            signature,
        })));
    }

    keys::install_pending(cx, Side::Client, &secrets)?;
    cx.send_change_cipher_spec();
    keys::send_finished(cx, Side::Client, &secrets);
    Ok(Box::new(ExpectCcs { neg, secrets, resumed: false, server_certs: st.server_certs }))
}

pub(crate) fn sign_digest(
    key: &crate::crypto::keys::RsaPrivateKey,
    digest: &CertificateVerifyDigest,
    cx: &mut Context,
) -> Result<Vec<u8>, Error> {
    let (hash, bytes) = digest.signature_input().ok_or(Error::Crypto(CryptoFailure::NoSignatureForHash))?;
    let provider = cx.provider.clone();
    provider.sign(key, hash, bytes, cx.rng.as_mut()).map_err(|_| Error::Crypto(CryptoFailure::Signing))
}

/// The `certificate_verify_without_null` knob's signature: made here, not
/// by the provider, which signs only what a conforming signer would.
fn sign_without_null(
    key: &crate::crypto::keys::RsaPrivateKey,
    digest: &CertificateVerifyDigest,
    cx: &mut Context,
) -> Result<Vec<u8>, Error> {
    let (hash, bytes) = digest.signature_input().ok_or(Error::Crypto(CryptoFailure::NoSignatureForHash))?;
    crate::crypto::rsa_kx::sign_without_null(key, hash, bytes, cx.rng.as_mut())
        .map_err(|_| Error::Crypto(CryptoFailure::Signing))
}

#[derive(Debug)]
struct ExpectCcs {
    neg: Negotiated,
    secrets: Secrets,
    resumed: bool,
    server_certs: Vec<Vec<u8>>,
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
                    && matches!(&finished, Message::Handshake { msg, .. } if msg.typ == HandshakeType::Finished) =>
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
        let ExpectCcs { neg, secrets, resumed, server_certs } = self.ccs;
        keys::check_finished(cx, Side::Server, &secrets, &fin.verify_data, raw)?;
        if resumed {
            // RFC 5246 7.3: in a resumed handshake the client finishes second.
            cx.send_change_cipher_spec();
            keys::send_finished(cx, Side::Client, &secrets);
        }
        let (_, first) =
            super::complete(cx, &secrets, neg.session_id, resumed, neg.secure_renegotiation, server_certs);
        if first && neg.config.deviations.has(&Knob::Renegotiate) {
            return start(cx, neg.config);
        }
        Ok(Box::new(Traffic { client: Some(neg.config), server: None }))
    }
}
