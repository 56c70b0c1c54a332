//! Delta debugging (Zeller's ddmin) over a finding's mutation list, then
//! smaller values inside the mutations that remain, keeping the oracle's
//! verdict. The predicate runs the case against the peer again, so the
//! number of tries is bounded.

use shakedown_engine::deviate::field::FieldOp;
use shakedown_engine::deviate::{Knob, Payload};

use super::case::FuzzCase;

/// Most predicate runs one minimisation spends.
pub const MAX_TRIES: usize = 48;

/// The smallest case found that still satisfies `keeps`.
pub fn minimize(case: &FuzzCase, keeps: &mut dyn FnMut(&FuzzCase) -> bool) -> FuzzCase {
    let mut tries = 0usize;
    let mut best = case.clone();
    let mut n = 2usize;
    // ddmin over the list: try each complement of n chunks.
    while best.mutations.len() >= 2 && tries < MAX_TRIES {
        let len = best.mutations.len();
        let chunk = len.div_ceil(n);
        let mut reduced = false;
        for start in (0..len).step_by(chunk.max(1)) {
            let mut cand = best.clone();
            cand.mutations = best
                .mutations
                .iter()
                .enumerate()
                .filter(|(i, _)| *i < start || *i >= start + chunk)
                .map(|(_, k)| k.clone())
                .collect();
            tries += 1;
            if keeps(&cand) {
                best = cand;
                n = n.saturating_sub(1).max(2);
                reduced = true;
                break;
            }
            if tries >= MAX_TRIES {
                break;
            }
        }
        if !reduced {
            if n >= len {
                break;
            }
            n = (n * 2).min(len);
        }
    }
    // No mutation at all: the case's configuration alone may be the cause.
    if best.mutations.len() == 1 && tries < MAX_TRIES {
        let mut cand = best.clone();
        cand.mutations.clear();
        tries += 1;
        if keeps(&cand) {
            best = cand;
        }
    }
    // Smaller values, one mutation at a time.
    for i in 0..best.mutations.len() {
        let Some(smaller) = best.mutations.get(i).and_then(shrink) else {
            continue;
        };
        if tries >= MAX_TRIES {
            break;
        }
        let mut cand = best.clone();
        if let Some(slot) = cand.mutations.get_mut(i) {
            *slot = smaller;
        }
        tries += 1;
        if keeps(&cand) {
            best = cand;
        }
    }
    best
}

fn one_byte(p: &Payload) -> Option<Payload> {
    let b = p.bytes();
    (b.len() > 1).then(|| Payload::Hex(b.get(..1).unwrap_or_default().to_vec()))
}

/// A smaller value of the same mutation, if it has one.
fn shrink(k: &Knob) -> Option<Knob> {
    match k {
        Knob::MutateField(m) => {
            let op = match &m.op {
                FieldOp::Truncate(n) if *n > 1 => FieldOp::Truncate(1),
                FieldOp::Extend(p) => FieldOp::Extend(one_byte(p)?),
                FieldOp::Set(p) => FieldOp::Set(one_byte(p)?),
                _ => return None,
            };
            Some(Knob::MutateField(shakedown_engine::deviate::field::FieldMutation { op, ..m.clone() }))
        }
        Knob::PadBody { message, bytes } => {
            Some(Knob::PadBody { message: *message, bytes: one_byte(bytes)? })
        }
        Knob::TruncateBody { message, by } if *by > 1 => {
            Some(Knob::TruncateBody { message: *message, by: 1 })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vector::{ClientAuth, Role, Version};

    #[test]
    fn ddmin_keeps_only_the_mutation_that_matters() {
        let case = FuzzCase {
            version: Version::Tls12,
            suite: "AES128-SHA".into(),
            engine_role: Role::Client,
            client_auth: ClientAuth::Off,
            identity: None,
            resume: false,
            mutations: vec![
                Knob::CoalesceHandshake,
                Knob::CcsTwice,
                Knob::CcsNever,
                Knob::FragmentHandshake(3),
                Knob::Renegotiate,
            ],
        };
        let mut runs = 0;
        let min = minimize(&case, &mut |c| {
            runs += 1;
            c.mutations.contains(&Knob::CcsNever)
        });
        assert_eq!(min.mutations, vec![Knob::CcsNever]);
        assert!(runs <= MAX_TRIES);
    }
}
