//! The learner on its own: seeded random Mealy machines are learned exactly
//! (no distinguishing sequence against the target), with a perfect teacher
//! and with the Wp-method. Query counts are printed (`--nocapture`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use shakedown::learn::cache::Checks;
use shakedown::learn::equivalence::{Perfect, WpOracle};
use shakedown::learn::random_machine::{MachineSul, random_mealy};
use shakedown::learn::{Mealy, Options, differences, learn};

fn minimal_states(m: &Mealy) -> usize {
    // Moore-style partition refinement: enough for the check below.
    let n = m.states();
    let mut class: Vec<usize> = (0..n)
        .map(|s| {
            let sig: Vec<&str> = m.trans[s].iter().map(|t| t.output.as_str()).collect();
            let mut all: Vec<Vec<&str>> =
                (0..n).map(|s| m.trans[s].iter().map(|t| t.output.as_str()).collect()).collect();
            all.sort();
            all.dedup();
            all.iter().position(|x| *x == sig).unwrap()
        })
        .collect();
    loop {
        let sigs: Vec<(usize, Vec<usize>)> =
            (0..n).map(|s| (class[s], m.trans[s].iter().map(|t| class[t.to]).collect())).collect();
        let mut uniq = sigs.clone();
        uniq.sort();
        uniq.dedup();
        let next: Vec<usize> = sigs.iter().map(|s| uniq.iter().position(|u| u == s).unwrap()).collect();
        let before = class.iter().collect::<std::collections::BTreeSet<_>>().len();
        if uniq.len() == before {
            return uniq.len();
        }
        class = next;
    }
}

fn no_sampling() -> Options {
    Options { checks: Checks { sample_one_in: 0, confirm: 0 }, ..Options::default() }
}

#[test]
fn random_machines_are_learned_exactly_with_a_perfect_teacher() {
    println!("states inputs outputs | minimal learned | MQ EQ resets symbols cache_hits");
    for (seed, &(states, inputs, outputs)) in
        [(2, 2, 2), (5, 3, 2), (10, 4, 3), (20, 2, 2), (20, 6, 4), (40, 5, 3), (60, 3, 2), (60, 8, 4)]
            .iter()
            .enumerate()
    {
        let target = random_mealy(states, inputs, outputs, seed as u64 + 100);
        let mut sul = MachineSul(target.clone());
        let mut eq = Perfect(target.clone());
        let out = learn(&mut sul, &mut eq, &no_sampling()).unwrap();
        assert!(out.complete);
        let d = differences(&target, &out.model, 1).unwrap();
        assert!(d.equivalent(), "{states} states, {inputs} inputs: {:?}", d.found);
        let minimal = minimal_states(&target);
        assert_eq!(out.model.states(), minimal);
        let s = &out.stats;
        println!(
            "{states:>6} {inputs:>6} {outputs:>7} | {minimal:>7} {:>7} | {} {} {} {} {}",
            out.model.states(),
            s.membership_queries,
            s.equivalence_queries,
            s.resets,
            s.symbols,
            s.cache_hits
        );
    }
}

#[test]
fn random_machines_are_learned_exactly_with_the_wp_method() {
    println!("states inputs outputs | learned | MQ EQ resets symbols cache_hits");
    for (seed, &(states, inputs, outputs)) in
        [(2, 2, 2), (6, 3, 2), (12, 4, 3), (25, 3, 2), (40, 4, 3), (60, 5, 4)].iter().enumerate()
    {
        let target = random_mealy(states, inputs, outputs, seed as u64 + 7);
        let mut sul = MachineSul(target.clone());
        let mut eq = WpOracle::new(2, 200, seed as u64);
        let out = learn(&mut sul, &mut eq, &no_sampling()).unwrap();
        let d = differences(&target, &out.model, 1).unwrap();
        assert!(d.equivalent(), "{states} states, {inputs} inputs: {:?}", d.found);
        assert_eq!(out.model.states(), minimal_states(&target));
        let s = &out.stats;
        println!(
            "{states:>6} {inputs:>6} {outputs:>7} | {:>7} | {} {} {} {} {}",
            out.model.states(),
            s.membership_queries,
            s.equivalence_queries,
            s.resets,
            s.symbols,
            s.cache_hits
        );
    }
}
