//! The mapper between abstract symbols and real TLS messages. For learning
//! a server: [`symbols`] names the inputs, [`client`] computes each one's
//! bytes from the connection so far, and [`server_sul`] makes it the
//! learner's side of the connection. For learning a client, [`server`] is
//! the learner's server (its symbols and the state it computes them from)
//! and [`client_sul`] its side. Either way [`output`] abstracts the answers
//! (through [`record`]'s framing), [`timing`] decides when a TCP peer is
//! silent, and [`sul`] asks the queries as a
//! [`MembershipOracle`](crate::learn::MembershipOracle). [`peers`] opens
//! the connections: the built-in engine in memory, a TCP address, or a
//! started profile.

pub mod client;
pub mod client_sul;
pub mod link;
pub mod output;
pub mod peers;
pub mod record;
pub mod server;
pub mod server_sul;
pub mod sul;
pub mod symbols;
pub mod timing;
