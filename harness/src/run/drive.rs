//! Drives the engine's connection against a peer over any [`Transport`]
//! and reads the outcome from the engine's side.

use std::time::{Duration, Instant};

use shakedown_engine::msgs::enums::{AlertDescription, AlertLevel};
use shakedown_engine::{Connection, ConnectionEvent, Error, HandshakeSummary};

use super::transcript::{Direction, Transcript};
use crate::expect::{End, Negotiated, Observed};
use crate::peer::{Recv, Transport};
use crate::session::Arrived;

/// What the engine sends once its handshake completes: one line, since
/// line-oriented echo servers (`gnutls-serv --echo`) answer whole lines.
pub const PING: &[u8] = b"shakedown ping\n";

/// Exchanges before giving up on an in-memory peer that keeps talking.
const MAX_ROUNDS: usize = 400;

/// The longest a silent, non-echoing peer is given to answer once our
/// handshake is done; the wait itself adapts to the peer's own answer
/// times on this connection (see [`settle_time`]).
const SETTLE: Duration = Duration::from_millis(300);

/// The shortest such wait: scheduler noise on a loaded machine.
const SETTLE_FLOOR: Duration = Duration::from_millis(25);

/// How long a silent peer is given to react: four times the slowest answer
/// it gave on this connection, within [`SETTLE_FLOOR`] and [`SETTLE`].
fn settle_time(slowest_answer: Duration) -> Duration {
    (slowest_answer * 4).clamp(SETTLE_FLOOR, SETTLE)
}

/// How long to keep reading a peer after our own check failed, for the
/// alert it sends (ended early by that alert or a close).
const LINGER: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Copy)]
pub struct DriveOptions {
    pub timeout: Duration,
    /// Wait for a second handshake (the engine renegotiates).
    pub await_renegotiation: bool,
    /// The engine acts after its handshake (a tweaked record, an
    /// injection): a peer that does not echo is given a moment to answer.
    /// Otherwise the case is decided when the handshake completes.
    pub await_reaction: bool,
    /// A peer that has not answered this long after we sent is silent,
    /// ahead of `timeout` (the fuzzer's wait, learned from the peer's own
    /// answer times); `None`: only `timeout` ends a wait.
    pub silence: Option<Duration>,
    /// End a completed exchange with this fatal alert instead of
    /// close_notify (the session is then invalidated, RFC 5246 7.2.2).
    pub abort_with: Option<AlertDescription>,
}

/// Runs the connection to its end; returns what happened and the first
/// handshake's summary (for resumption and key logs).
pub fn drive(
    me: &mut Connection,
    peer: &mut dyn Transport,
    transcript: &mut Transcript,
    opts: DriveOptions,
) -> (Observed, Option<HandshakeSummary>) {
    transcript.begin_connection();
    let (mut obs, summary) = drive_to_end(me, peer, transcript, opts);
    obs.applied_field_mutations = me.applied_field_mutations().to_vec();
    obs.cancelled_messages = me.cancelled_messages().to_vec();
    (obs, summary)
}

fn drive_to_end(
    me: &mut Connection,
    peer: &mut dyn Transport,
    transcript: &mut Transcript,
    opts: DriveOptions,
) -> (Observed, Option<HandshakeSummary>) {
    let deadline = Instant::now() + opts.timeout;
    let mut obs = Observed::new(End::Done);
    let mut summary = None;
    let mut sent_ping = false;
    let mut echo = Vec::new();
    let mut settle_until: Option<Instant> = None;
    // The peer stopped reading; what it already sent (its alert) is still
    // to be read before the connection is judged.
    let mut peer_gone = false;
    // When we last sent, and the slowest answer the peer gave since.
    let mut sent_at: Option<Instant> = None;
    let mut last_activity = Instant::now();
    let mut arrived = Arrived::Nothing;
    for _ in 0..MAX_ROUNDS {
        // The one way a connection is stepped (`Connection::step`): what
        // arrived goes in, events and bytes to send come out.
        let step = me.step(arrived.incoming());
        if matches!(arrived, Arrived::Closed) {
            obs.end = End::PeerEof;
            return (obs, summary);
        }
        let out = step.output;
        if !out.is_empty() {
            transcript.add(Direction::ToPeer, &out);
            if !peer_gone && peer.send(&out).is_err() {
                peer_gone = true;
            }
            sent_at.get_or_insert_with(Instant::now);
            last_activity = Instant::now();
        }
        let mut peer_closed = false;
        for ev in step.events {
            match ev {
                ConnectionEvent::HandshakeComplete(s) => {
                    let resumed = s.resumed;
                    obs.handshakes += 1;
                    if obs.negotiated.is_none() {
                        obs.negotiated =
                            Some(Negotiated { version: s.version, suite: s.suite, resumed: s.resumed });
                        summary = Some(*s);
                    }
                    // A renegotiating engine sends its data after the
                    // second handshake, so no data crosses the new hellos.
                    let ready = !opts.await_renegotiation || obs.handshakes >= 2;
                    if ready && !sent_ping && me.send_application_data(PING).is_ok() {
                        sent_ping = true;
                        if !peer.echoes() {
                            // Nothing is left to observe unless our Finished
                            // was the last word (the peer checks it after
                            // our handshake is done) or the engine provokes
                            // something after its handshake.
                            let we_finished_last =
                                resumed == (me.side() == shakedown_engine::crypto::Side::Client);
                            let wait = match opts.await_reaction || we_finished_last {
                                true => settle_time(obs.slowest_answer),
                                false => Duration::ZERO,
                            };
                            settle_until = Some(Instant::now() + wait);
                        }
                    }
                }
                ConnectionEvent::ApplicationData(d) => echo.extend_from_slice(&d),
                ConnectionEvent::WarningAlert(w) => obs.warnings.push(w),
                ConnectionEvent::PeerClosed => peer_closed = true,
            }
        }
        obs.echoed = echo.windows(PING.len()).any(|w| w == PING);
        if let Some(err) = step.error {
            // Send the alert our engine queued, as a real stack would.
            let out = me.take_output();
            if !out.is_empty() {
                transcript.add(Direction::ToPeer, &out);
                let _ = peer.send(&out);
            }
            obs.end = match err {
                Error::AlertReceived(d) => End::FatalAlert(d),
                Error::UnexpectedEof => End::PeerEof,
                // Our own check failed first. What the peer still says (an
                // alert already on its way, or its answer to ours) is what
                // a vector judges, so keep reading it for a moment.
                // A peer known to answer fast is given its silence, not
                // the whole linger, to send its alert.
                other => match peer_alert_after_failure(
                    me,
                    peer,
                    transcript,
                    peer_gone,
                    opts.silence.map_or(deadline, |s| deadline.min(Instant::now() + s)),
                ) {
                    Some(d) => End::FatalAlert(d),
                    None => End::EngineRejected(other),
                },
            };
            return (obs, summary);
        }
        if peer_closed {
            let out = me.take_output();
            transcript.add(Direction::ToPeer, &out);
            let _ = peer.send(&out);
            obs.end = if obs.negotiated.is_some() && obs.echoed { End::Done } else { End::PeerClosed };
            return (obs, summary);
        }
        let declined = opts.await_renegotiation && obs.handshakes == 1 && !obs.warnings.is_empty();
        // A peer that answers data but not with an echo (`s_server -rev`)
        // has answered: the exchange is decided, no need to settle.
        let answered = sent_ping && !peer.echoes() && !echo.is_empty();
        if (sent_ping && obs.echoed) || declined || answered {
            close(me, peer, transcript, opts.abort_with.map(|a| (a, deadline)));
            obs.end = End::Done;
            return (obs, summary);
        }
        arrived = Arrived::Nothing;
        if me.has_output() && !peer_gone {
            continue;
        }
        let mut wait_until = settle_until.map_or(deadline, |s| s.min(deadline));
        // Silence counts from the last thing that happened either way: a
        // peer that sent half a flight and stopped is as silent as one
        // that never answered.
        if let Some(silence) = opts.silence {
            wait_until = wait_until.min(last_activity + silence);
        }
        match peer.recv(wait_until) {
            Recv::Data(bytes) => {
                if let Some(at) = sent_at.take() {
                    obs.slowest_answer = obs.slowest_answer.max(at.elapsed());
                }
                last_activity = Instant::now();
                transcript.add(Direction::FromPeer, &bytes);
                arrived = Arrived::Bytes(bytes);
            }
            // EOF and reset alike (the transport maps both here): the
            // connection is stepped with the close, then the case ends.
            Recv::Eof => arrived = Arrived::Closed,
            Recv::Quiet if obs.negotiated.is_some() => {
                // In memory: the peer said all it will say after the handshake.
                close(me, peer, transcript, opts.abort_with.map(|a| (a, deadline)));
                obs.end = End::Done;
                return (obs, summary);
            }
            Recv::Quiet => {
                obs.end = End::Inconclusive(
                    "both sides wait: the peer awaits a message the engine will not send".into(),
                );
                return (obs, summary);
            }
            Recv::Timeout if settle_until.is_some() && Instant::now() < deadline => {
                close(me, peer, transcript, opts.abort_with.map(|a| (a, deadline)));
                obs.end = End::Done;
                return (obs, summary);
            }
            // An echoing peer that went silent after the handshake stalled:
            // not a completed exchange.
            Recv::Timeout if sent_ping && peer.echoes() && !obs.echoed => {
                obs.end = End::Inconclusive(format!(
                    "the handshake completed but the echo did not come within {:?}",
                    opts.timeout
                ));
                return (obs, summary);
            }
            Recv::Timeout if obs.negotiated.is_some() && !opts.await_renegotiation => {
                close(me, peer, transcript, opts.abort_with.map(|a| (a, deadline)));
                obs.end = End::Done;
                return (obs, summary);
            }
            Recv::Timeout => {
                let waited = opts.silence.map_or(opts.timeout, |s| s.min(opts.timeout));
                obs.end = End::Inconclusive(format!("no answer within {waited:?}"));
                return (obs, summary);
            }
            Recv::Failed(e) => {
                obs.end = End::HarnessError(e);
                return (obs, summary);
            }
        }
    }
    obs.end = match arrived {
        Arrived::Closed => End::PeerEof,
        _ => End::Inconclusive(format!("still talking after {MAX_ROUNDS} exchanges")),
    };
    (obs, summary)
}

/// The fatal alert the peer sends after our engine failed: read with the
/// engine's own record layer (so an alert under the new keys counts), or,
/// when the record that failed was the alert itself (a record version our
/// engine refused, say), from the transcript.
fn peer_alert_after_failure(
    me: &mut Connection,
    peer: &mut dyn Transport,
    transcript: &mut Transcript,
    peer_gone: bool,
    deadline: Instant,
) -> Option<AlertDescription> {
    let fatal = |alerts: Vec<shakedown_engine::msgs::Alert>| {
        alerts.into_iter().find(|a| a.level != AlertLevel::Warning).map(|a| a.description)
    };
    if let Some(d) = fatal(me.alerts_after_failure(&[])) {
        return Some(d);
    }
    if let Some((level, d)) = transcript.last_plain_alert_from_peer()
        && level != AlertLevel::Warning
    {
        return Some(d);
    }
    if peer_gone {
        return None;
    }
    let until = deadline.min(Instant::now() + LINGER);
    loop {
        match peer.recv(until) {
            Recv::Data(bytes) => {
                transcript.add(Direction::FromPeer, &bytes);
                if let Some(d) = fatal(me.alerts_after_failure(&bytes)) {
                    return Some(d);
                }
            }
            Recv::Eof | Recv::Quiet | Recv::Timeout | Recv::Failed(_) => return None,
        }
    }
}

/// Ends a finished exchange with close_notify, so a peer keeps the session
/// resumable (a connection cut short may invalidate it, RFC 2246 7.2.1).
fn close(
    me: &mut Connection,
    peer: &mut dyn Transport,
    transcript: &mut Transcript,
    abort_with: Option<(AlertDescription, Instant)>,
) {
    let Some((alert, deadline)) = abort_with else {
        me.close();
        let out = me.take_output();
        if !out.is_empty() {
            transcript.add(Direction::ToPeer, &out);
            let _ = peer.send(&out);
        }
        return;
    };
    me.abort(alert);
    let out = me.take_output();
    transcript.add(Direction::ToPeer, &out);
    if peer.send(&out).is_err() {
        return;
    }
    // The peer forgets the session when it reads the alert (RFC 5246
    // 7.2.2), and then closes. Its close is awaited, so the next connection
    // cannot overtake the alert in a server that serves both at once.
    loop {
        match peer.recv(deadline) {
            Recv::Data(bytes) => transcript.add(Direction::FromPeer, &bytes),
            Recv::Eof | Recv::Quiet | Recv::Timeout | Recv::Failed(_) => return,
        }
    }
}
