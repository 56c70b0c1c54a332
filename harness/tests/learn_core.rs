//! The learner's edges: non-determinism is reported with the conflicting
//! answers, a spent time budget gives a partial model, and `diff` finds the
//! shortest distinguishing sequences.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::time::Instant;

use shakedown::learn::cache::Checks;
use shakedown::learn::equivalence::WpOracle;
use shakedown::learn::random_machine::{MachineSul, random_mealy};
use shakedown::learn::{LearnError, Mealy, MembershipOracle, Options, Transition, differences, learn};

/// Answers like the machine, except every `n`th query flips its last output.
struct Flaky {
    inner: MachineSul,
    n: usize,
    count: usize,
}

impl MembershipOracle for Flaky {
    fn alphabet(&self) -> &[String] {
        self.inner.alphabet()
    }

    fn query(&mut self, word: &[usize]) -> Result<Vec<String>, LearnError> {
        self.count += 1;
        let mut out = self.inner.query(word)?;
        if self.count.is_multiple_of(self.n)
            && let Some(last) = out.last_mut()
        {
            last.push('!');
        }
        Ok(out)
    }
}

#[test]
fn a_non_deterministic_system_is_reported_with_its_answers() {
    let target = random_mealy(8, 3, 2, 3);
    let mut sul = Flaky { inner: MachineSul(target), n: 2, count: 0 };
    let opts = Options { checks: Checks { sample_one_in: 1, confirm: 2 }, ..Options::default() };
    let err = learn(&mut sul, &mut WpOracle::new(1, 0, 1), &opts).unwrap_err();
    let LearnError::NonDeterministic { word, answers } = err else {
        panic!("expected non-determinism, got {err}");
    };
    assert!(!word.is_empty());
    assert!(answers.len() >= 2, "{answers:?}");
    assert!(answers.iter().any(|a| a.last().is_some_and(|o| o.ends_with('!'))));
}

#[test]
fn a_spent_time_budget_gives_a_partial_model() {
    let target = random_mealy(10, 3, 2, 4);
    let mut sul = MachineSul(target);
    let opts = Options { deadline: Some(Instant::now()), ..Options::default() };
    let out = learn(&mut sul, &mut WpOracle::new(1, 0, 1), &opts).unwrap();
    assert!(!out.complete);
    assert!(out.model.validate().is_ok());
}

fn machine(rows: &[&[(usize, &str)]]) -> Mealy {
    Mealy {
        inputs: vec!["a".into(), "b".into()],
        trans: rows
            .iter()
            .map(|r| r.iter().map(|&(to, o)| Transition { to, output: o.into() }).collect())
            .collect(),
    }
}

#[test]
fn diff_finds_the_shortest_distinguishing_sequences() {
    // Both accept `a` then `b`; the right one also answers `b` after `a a`.
    let left = machine(&[&[(1, "x"), (0, "-")], &[(1, "-"), (0, "ok")]]);
    let right = machine(&[&[(1, "x"), (0, "-")], &[(2, "-"), (0, "ok")], &[(2, "-"), (0, "late")]]);
    let d = differences(&left, &right, 10).unwrap();
    assert_eq!(d.found.len(), 1, "{:?}", d.found);
    let f = &d.found[0];
    assert_eq!(f.inputs, ["a", "a", "b"]);
    assert_eq!(f.left, ["x", "-", "ok"]);
    assert_eq!(f.right, ["x", "-", "late"]);
    assert!(differences(&left, &left, 10).unwrap().equivalent());
}

#[test]
fn diff_matches_inputs_by_name_and_lists_the_others() {
    let left = machine(&[&[(0, "x"), (0, "y")]]);
    let mut right = left.clone();
    right.inputs = vec!["b".into(), "c".into()];
    right.trans[0][0].output = "y".into();
    let d = differences(&left, &right, 10).unwrap();
    assert!(d.equivalent());
    assert_eq!(d.only_left, ["a"]);
    assert_eq!(d.only_right, ["c"]);
}
