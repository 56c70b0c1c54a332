//! What the structured targets share: the `arbitrary` glue for
//! [`Script`], a sequence of well-framed messages with fuzzed bodies.
//!
//! The script's byte layout is its own (engine/src/fuzzing/script.rs), so
//! any input decodes and the seed corpus can be written from transcripts;
//! `arbitrary` hands it the whole input.

use arbitrary::{Arbitrary, Unstructured};
use shakedown_engine::fuzzing::Script;

/// A [`Script`] taken from the fuzzer's input.
#[derive(Debug)]
pub struct ScriptInput(pub Script);

impl<'a> Arbitrary<'a> for ScriptInput {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let rest = u.bytes(u.len())?;
        Ok(Self(Script::from_fuzz_bytes(rest)))
    }

    fn arbitrary_take_rest(u: Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(Self(Script::from_fuzz_bytes(u.take_rest())))
    }

    fn size_hint(_depth: usize) -> (usize, Option<usize>) {
        (0, None)
    }
}
