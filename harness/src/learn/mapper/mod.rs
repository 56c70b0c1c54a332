//! The mapper between abstract symbols and real TLS messages, for learning
//! a server: [`symbols`] names the inputs, [`client`] computes each one's
//! bytes from the connection so far, [`output`] abstracts the answers,
//! [`timing`] decides when a TCP peer is silent, and [`sul`] puts them
//! together as a [`MembershipOracle`](crate::learn::MembershipOracle).
//! [`peers`] opens the connections: the built-in engine in memory, a TCP
//! address, or a started profile.

pub mod client;
pub mod link;
pub mod output;
pub mod peers;
pub mod sul;
pub mod symbols;
pub mod timing;
