//! The key schedule as the handshake uses it: master secret, pending record
//! protection, and Finished in both directions.

use super::Context;
use crate::crypto::Side;
use crate::crypto::finished::verify_data_matches;
use crate::crypto::key_schedule::{self, MASTER_SECRET_LEN};
use crate::crypto::prf::PrfAlgorithm;
use crate::deviate::Knob;
use crate::error::{CryptoFailure, Error, PeerMisbehaved};
use crate::msgs::enums::ProtocolVersion;
use crate::msgs::{Finished, HandshakeMessage, HandshakePayload};
use crate::suites::SuiteInfo;

/// Everything that the rest of a handshake derives from.
#[derive(Clone)]
pub(crate) struct Secrets {
    pub version: ProtocolVersion,
    pub suite: &'static SuiteInfo,
    pub prf: PrfAlgorithm,
    pub client_random: [u8; 32],
    pub server_random: [u8; 32],
    pub master: [u8; MASTER_SECRET_LEN],
    pub extended_master_secret: bool,
    pub encrypt_then_mac: bool,
}

impl Drop for Secrets {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.master);
    }
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secrets")
            .field("version", &self.version)
            .field("suite", &self.suite.openssl_name)
            .finish_non_exhaustive()
    }
}

pub(crate) fn prf_for(version: ProtocolVersion, suite: &SuiteInfo) -> Result<PrfAlgorithm, Error> {
    PrfAlgorithm::for_suite(version, suite).ok_or_else(|| PeerMisbehaved::UnsupportedVersion(version).into())
}

/// The master secret from the premaster: RFC 5246 8.1, or RFC 7627 4 with
/// the session hash of the transcript so far (through ClientKeyExchange).
pub(crate) fn master_secret(
    cx: &Context,
    prf: PrfAlgorithm,
    premaster: &[u8],
    client_random: &[u8; 32],
    server_random: &[u8; 32],
    extended: bool,
) -> Result<[u8; MASTER_SECRET_LEN], Error> {
    if extended {
        let session_hash = cx.transcript.handshake_hash(prf);
        key_schedule::extended_master_secret(prf, premaster, &session_hash)
            .map_err(|_| Error::Crypto(CryptoFailure::ExtendedMasterSecret))
    } else {
        Ok(key_schedule::master_secret(prf, premaster, client_random, server_random))
    }
}

/// Derives the key block and makes it the pending state of both directions
/// (RFC 5246 6.3): it takes over at each side's ChangeCipherSpec.
pub(crate) fn install_pending(cx: &mut Context, side: Side, s: &Secrets) -> Result<(), Error> {
    let layout = s.suite.key_block_layout(s.version);
    let keys = key_schedule::key_block(s.prf, &s.master, &s.client_random, &s.server_random, layout)
        .map_err(|_| Error::Crypto(CryptoFailure::KeyBlock))?;
    let setup = |_| Error::Crypto(CryptoFailure::RecordProtection);
    let p = cx.provider.clone();
    let sealer =
        p.new_sealer(s.suite, s.version, keys.write_keys(side), s.encrypt_then_mac).map_err(setup)?;
    let peer_keys = keys.write_keys(side.peer());
    let opener = p.new_opener(s.suite, s.version, peer_keys, s.encrypt_then_mac).map_err(setup)?;
    // The honest engine gets its opener back unchanged.
    let opener = crate::flaw::flawed_opener(
        opener,
        &cx.flaws,
        s.suite,
        s.version,
        &peer_keys.enc_key,
        s.encrypt_then_mac,
    );
    cx.record.set_pending(opener, sealer);
    Ok(())
}

/// Sends our Finished over the transcript so far and returns its
/// verify_data (RFC 5746 keeps it for renegotiation_info).
pub(crate) fn send_finished(cx: &mut Context, side: Side, s: &Secrets) -> Vec<u8> {
    let vd = cx.provider.verify_data(s.prf, &s.master, side, &cx.transcript);
    let mut sent = vd.clone();
    for knob in &cx.dev.0 {
        match knob {
            Knob::CorruptFinished(flip) => flip.apply(&mut sent),
            Knob::FinishedLength(n) => sent.resize(*n, 0),
            _ => {}
        }
    }
    let honest = (sent != vd).then(|| {
        HandshakeMessage::new(HandshakePayload::Finished(Finished { verify_data: vd.clone() })).to_bytes()
    });
    cx.send_handshake_changed(
        &HandshakeMessage::new(HandshakePayload::Finished(Finished { verify_data: sent })),
        honest,
    );
    remember(cx, side, &vd);
    vd
}

/// Checks the peer's Finished against the transcript before it, in constant
/// time (RFC 5246 7.4.9), then adds it to the transcript.
pub(crate) fn check_finished(
    cx: &mut Context,
    sender: Side,
    s: &Secrets,
    received: &[u8],
    raw: &[u8],
) -> Result<Vec<u8>, Error> {
    let expected = cx.provider.verify_data(s.prf, &s.master, sender, &cx.transcript);
    // The flawed peer skips the check it exists to make.
    if !verify_data_matches(&expected, received) && !cx.flaws.has(crate::flaw::Flaw::AcceptBadFinished) {
        return Err(PeerMisbehaved::BadFinished.into());
    }
    cx.transcript.add(raw);
    remember(cx, sender, &expected);
    Ok(expected)
}

/// Keeps a side's verify_data for renegotiation_info (RFC 5746 3.1).
fn remember(cx: &mut Context, side: Side, verify_data: &[u8]) {
    match side {
        Side::Client => cx.client_verify_data = verify_data.to_vec(),
        Side::Server => cx.server_verify_data = verify_data.to_vec(),
    }
}
