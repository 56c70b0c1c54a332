//! Active automata learning of a peer's state machine (`shakedown learn`):
//! L# over an observation tree that doubles as the query cache, the
//! Wp-method plus random words as the equivalence oracle, and a diff of
//! two models by breadth-first search on their product. The mapper turns
//! abstract input symbols into real TLS messages and answers back into
//! abstract outputs. See README.md in this directory.

pub mod cache;
pub mod diff;
pub mod dot;
pub mod equivalence;
pub mod files;
pub mod guided;
pub mod knobs;
pub mod lsharp;
pub mod mapper;
pub mod mealy;
pub mod oracle;
pub mod random_machine;
pub mod separate;
pub mod session;
pub mod tree;
pub mod vectors;

pub use diff::{Diff, Difference, differences};
pub use lsharp::{Options, Outcome, learn};
pub use mealy::{Mealy, Transition};
pub use oracle::{EquivalenceOracle, LearnError, MembershipOracle, Stats};
