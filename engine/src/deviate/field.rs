//! Field mutations: change one field of one handshake message, addressed by
//! a path in the RFC's own names (`cipher_suites[2]`, `session_id`,
//! `extensions[0].body`, `certificate_list[0]`), after the engine built it
//! and before it goes out.
//!
//! The message is read into a tree of fields with their length prefixes
//! (RFC 5246 4.3 vectors); the mutation changes one node; the tree is
//! written back with the prefixes recomputed (`fix_lengths`) or left as
//! they were. The handshake header's length always follows the body, so
//! the record stream stays framed. With `integrity` the transcript takes
//! what went on the wire, so Finished (RFC 5246 7.4.9) still verifies and
//! the peer's reaction is to the field itself; without it the transcript
//! takes the unmutated message, so the peer's Finished check must fail.

use serde::{Deserialize, Serialize};

use super::Payload;
use crate::codec::Width;
use crate::crypto::record::ByteFlip;
use crate::msgs::enums::{HandshakeType, ProtocolVersion};

/// What a field mutation does to the field's bytes (a list field's bytes
/// are its elements, prefixes included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum FieldOp {
    /// Replace the field's content.
    Set(Payload),
    /// Flip bits of one byte (the index wraps); nothing for an empty field.
    Flip(ByteFlip),
    /// Cut this many bytes off the end.
    Truncate(usize),
    /// Append these bytes.
    Extend(Payload),
}

fn yes() -> bool {
    true
}

/// One field mutation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct FieldMutation {
    pub message: HandshakeType,
    /// Dotted path of field names, `name[i]` for an element of a list.
    pub path: String,
    pub op: FieldOp,
    /// Recompute the length prefixes around the field (default), or leave
    /// them saying the old lengths.
    #[serde(default = "yes")]
    pub fix_lengths: bool,
    /// Hash what was sent (default), or the unmutated message.
    #[serde(default = "yes")]
    pub integrity: bool,
}

/// The shape of one field in a message layout.
#[derive(Debug, Clone, Copy)]
enum Shape {
    /// A fixed number of bytes.
    Fixed(usize),
    /// Opaque bytes behind a length prefix.
    Opaque(Width),
    /// A list behind a length prefix, of elements of one shape.
    List(Width, Elem),
    /// Whatever is left of the body.
    Rest,
}

#[derive(Debug, Clone, Copy)]
enum Elem {
    Fixed(usize),
    Opaque(Width),
    /// An extension: `ExtensionType extension_type; opaque extension_data<0..2^16-1>`.
    Extension,
}

/// A field as read: its name, its prefix (width and the length it said),
/// and its content.
#[derive(Debug, Clone)]
struct Node {
    name: String,
    prefix: Option<(Width, usize)>,
    content: Content,
}

#[derive(Debug, Clone)]
enum Content {
    Bytes(Vec<u8>),
    Items(Vec<Node>),
}

/// The fields of each message (RFC 5246 7.4; RFC 6101 5.6 for SSL 3.0's
/// bare ClientKeyExchange). The last field of a hello is optional
/// (extensions, RFC 5246 7.4.1.2).
fn layout(typ: HandshakeType, version: ProtocolVersion) -> Vec<(&'static str, Shape)> {
    use Shape::*;
    let tls12 = version.get() >= ProtocolVersion::Tls12.get();
    match typ {
        HandshakeType::ClientHello => vec![
            ("client_version", Fixed(2)),
            ("random", Fixed(32)),
            ("session_id", Opaque(Width::U8)),
            ("cipher_suites", List(Width::U16, Elem::Fixed(2))),
            ("compression_methods", List(Width::U8, Elem::Fixed(1))),
            ("extensions", List(Width::U16, Elem::Extension)),
        ],
        HandshakeType::ServerHello => vec![
            ("server_version", Fixed(2)),
            ("random", Fixed(32)),
            ("session_id", Opaque(Width::U8)),
            ("cipher_suite", Fixed(2)),
            ("compression_method", Fixed(1)),
            ("extensions", List(Width::U16, Elem::Extension)),
        ],
        HandshakeType::Certificate => vec![("certificate_list", List(Width::U24, Elem::Opaque(Width::U24)))],
        HandshakeType::CertificateRequest => {
            let mut l = vec![("certificate_types", List(Width::U8, Elem::Fixed(1)))];
            if tls12 {
                l.push(("supported_signature_algorithms", List(Width::U16, Elem::Fixed(2))));
            }
            l.push(("certificate_authorities", List(Width::U16, Elem::Opaque(Width::U16))));
            l
        }
        HandshakeType::ClientKeyExchange if version.is_ssl3() => vec![("exchange_keys", Rest)],
        HandshakeType::ClientKeyExchange => vec![("exchange_keys", Opaque(Width::U16))],
        HandshakeType::CertificateVerify if tls12 => {
            vec![("algorithm", Fixed(2)), ("signature", Opaque(Width::U16))]
        }
        HandshakeType::CertificateVerify => vec![("signature", Opaque(Width::U16))],
        HandshakeType::Finished => vec![("verify_data", Rest)],
        HandshakeType::ServerHelloDone | HandshakeType::HelloRequest => Vec::new(),
        _ => vec![("body", Rest)],
    }
}

/// Every path a message of this type has at the top level, for a fuzzer
/// to choose from (elements are `name[i]`).
pub fn top_level_fields(typ: HandshakeType, version: ProtocolVersion) -> Vec<&'static str> {
    layout(typ, version).into_iter().map(|(n, _)| n).collect()
}

/// Whether the top-level field is a list (its elements can be addressed).
pub fn is_list(typ: HandshakeType, version: ProtocolVersion, name: &str) -> bool {
    layout(typ, version).into_iter().any(|(n, s)| n == name && matches!(s, Shape::List(..)))
}

struct Cursor<'a> {
    rest: &'a [u8],
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, tail) = (self.rest.get(..n)?, self.rest.get(n..)?);
        self.rest = tail;
        Some(head)
    }

    fn len(&mut self, w: Width) -> Option<usize> {
        Some(self.take(w.bytes())?.iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b)))
    }

    fn opaque(&mut self, w: Width) -> Option<(usize, &'a [u8])> {
        let n = self.len(w)?;
        Some((n, self.take(n)?))
    }
}

fn bytes_node(name: String, prefix: Option<(Width, usize)>, b: &[u8]) -> Node {
    Node { name, prefix, content: Content::Bytes(b.to_vec()) }
}

fn read_elem(c: &mut Cursor<'_>, elem: Elem, i: usize) -> Option<Node> {
    let name = format!("[{i}]");
    Some(match elem {
        Elem::Fixed(n) => bytes_node(name, None, c.take(n)?),
        Elem::Opaque(w) => {
            let (n, b) = c.opaque(w)?;
            bytes_node(name, Some((w, n)), b)
        }
        Elem::Extension => {
            let typ = bytes_node("type".into(), None, c.take(2)?);
            let (n, b) = c.opaque(Width::U16)?;
            Node {
                name,
                prefix: None,
                content: Content::Items(vec![typ, bytes_node("body".into(), Some((Width::U16, n)), b)]),
            }
        }
    })
}

/// Reads a body into its fields; `None` when it does not have the layout
/// (another knob already bent it).
fn read(typ: HandshakeType, version: ProtocolVersion, body: &[u8]) -> Option<Vec<Node>> {
    let mut c = Cursor { rest: body };
    let mut nodes = Vec::new();
    for (name, shape) in layout(typ, version) {
        if c.rest.is_empty() && name == "extensions" {
            break;
        }
        let name = name.to_string();
        nodes.push(match shape {
            Shape::Fixed(n) => bytes_node(name, None, c.take(n)?),
            Shape::Rest => bytes_node(name, None, c.take(c.rest.len())?),
            Shape::Opaque(w) => {
                let (n, b) = c.opaque(w)?;
                bytes_node(name, Some((w, n)), b)
            }
            Shape::List(w, elem) => {
                let (n, b) = c.opaque(w)?;
                let mut inner = Cursor { rest: b };
                let mut items = Vec::new();
                while !inner.rest.is_empty() {
                    items.push(read_elem(&mut inner, elem, items.len())?);
                }
                Node { name, prefix: Some((w, n)), content: Content::Items(items) }
            }
        });
    }
    c.rest.is_empty().then_some(nodes)
}

fn put_width(out: &mut Vec<u8>, w: Width, n: usize) {
    let b = (n as u32).to_be_bytes();
    out.extend_from_slice(b.get(4 - w.bytes()..).unwrap_or_default());
}

fn write_nodes(nodes: &[Node], fix: bool, out: &mut Vec<u8>) {
    for n in nodes {
        let mut content = Vec::new();
        match &n.content {
            Content::Bytes(b) => content.extend_from_slice(b),
            Content::Items(items) => write_nodes(items, fix, &mut content),
        }
        if let Some((w, said)) = n.prefix {
            put_width(out, w, if fix { content.len() } else { said });
        }
        out.extend_from_slice(&content);
    }
}

/// `name` or `name[i]` split into its parts.
fn segments(path: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for seg in path.split('.') {
        let (name, mut rest) = match seg.find('[') {
            Some(i) => (seg.get(..i)?, seg.get(i..)?),
            None => (seg, ""),
        };
        if !name.is_empty() {
            out.push(name.to_string());
        }
        while let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            out.push(format!("[{}]", r.get(..end)?.parse::<usize>().ok()?));
            rest = r.get(end + 1..)?;
        }
        if !rest.is_empty() {
            return None;
        }
    }
    (!out.is_empty()).then_some(out)
}

fn find<'a>(nodes: &'a mut [Node], path: &[String]) -> Option<&'a mut Node> {
    let (first, rest) = path.split_first()?;
    let node = nodes.iter_mut().find(|n| &n.name == first)?;
    if rest.is_empty() {
        return Some(node);
    }
    match &mut node.content {
        Content::Items(items) => find(items, rest),
        Content::Bytes(_) => None,
    }
}

impl FieldOp {
    fn apply(&self, bytes: &mut Vec<u8>) {
        match self {
            Self::Set(p) => *bytes = p.bytes(),
            Self::Flip(f) => f.apply(bytes),
            Self::Truncate(n) => bytes.truncate(bytes.len().saturating_sub(*n)),
            Self::Extend(p) => bytes.extend(p.bytes()),
        }
    }
}

impl FieldMutation {
    /// The mutated body, or `None` when the path does not exist in this
    /// message or the mutation changes nothing.
    pub fn apply(&self, typ: HandshakeType, version: ProtocolVersion, body: &[u8]) -> Option<Vec<u8>> {
        if typ != self.message {
            return None;
        }
        let mut nodes = read(typ, version, body)?;
        let path = segments(&self.path)?;
        let node = find(&mut nodes, &path)?;
        let mut bytes = Vec::new();
        match &node.content {
            Content::Bytes(b) => bytes.clone_from(b),
            // A list's bytes are its elements as they stand (with correct
            // inner prefixes: only this field's own prefix can be left wrong).
            Content::Items(items) => write_nodes(items, true, &mut bytes),
        }
        self.op.apply(&mut bytes);
        node.content = Content::Bytes(bytes);
        let mut out = Vec::new();
        write_nodes(&nodes, self.fix_lengths, &mut out);
        (out != body).then_some(out)
    }

    /// Whether the mutation changes the number of bytes of its field.
    pub fn changes_length(&self) -> bool {
        match &self.op {
            FieldOp::Flip(_) => false,
            FieldOp::Truncate(n) => *n > 0,
            FieldOp::Extend(p) => !p.bytes().is_empty(),
            // A set may or may not keep the length; count it as changing.
            FieldOp::Set(_) => true,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// client_version 0303, random 32x11, empty session_id, suites
    /// {002f, 0035}, compression {00}, extensions { ff01 len 1 body 00 }.
    fn client_hello() -> Vec<u8> {
        let mut b = vec![3, 3];
        b.extend([0x11; 32]);
        b.extend([0, 0, 4, 0x00, 0x2f, 0x00, 0x35, 1, 0, 0, 5, 0xff, 1, 0, 1, 0]);
        b
    }

    fn m(path: &str, op: FieldOp, fix: bool) -> FieldMutation {
        FieldMutation {
            message: HandshakeType::ClientHello,
            path: path.into(),
            op,
            fix_lengths: fix,
            integrity: true,
        }
    }

    fn apply(x: &FieldMutation) -> Option<Vec<u8>> {
        x.apply(HandshakeType::ClientHello, ProtocolVersion::Tls12, &client_hello())
    }

    #[test]
    fn element_set_keeps_the_layout() {
        let out = apply(&m("cipher_suites[1]", FieldOp::Set(Payload::Hex(vec![0x13, 0x37])), true)).unwrap();
        assert_eq!(out.get(35..41).unwrap(), [0, 4, 0x00, 0x2f, 0x13, 0x37]);
        assert_eq!(out.len(), client_hello().len());
    }

    #[test]
    fn extend_recomputes_every_enclosing_prefix() {
        let out =
            apply(&m("extensions[0].body", FieldOp::Extend(Payload::Hex(vec![0xaa, 0xbb])), true)).unwrap();
        // extensions block length 5 -> 7, the extension's own length 1 -> 3.
        assert_eq!(out.get(43..).unwrap(), [0, 7, 0xff, 1, 0, 3, 0, 0xaa, 0xbb]);
    }

    #[test]
    fn unfixed_lengths_keep_the_old_prefixes() {
        let out = apply(&m("cipher_suites", FieldOp::Truncate(2), false)).unwrap();
        assert_eq!(out.get(35..39).unwrap(), [0, 4, 0x00, 0x2f]);
        assert_eq!(out.len(), client_hello().len() - 2);
    }

    #[test]
    fn missing_path_and_no_change_give_nothing() {
        assert!(apply(&m("cipher_suites[9]", FieldOp::Truncate(1), true)).is_none());
        assert!(apply(&m("nonsense", FieldOp::Truncate(1), true)).is_none());
        assert!(apply(&m("session_id", FieldOp::Truncate(1), true)).is_none());
        let flip0 = FieldOp::Flip(ByteFlip { index: 0, xor: 0 });
        assert!(apply(&m("random", flip0, true)).is_none());
    }

    #[test]
    fn paths_parse() {
        assert_eq!(segments("a[2].b").unwrap(), ["a", "[2]", "b"]);
        assert!(segments("a[x]").is_none());
        assert!(segments("").is_none());
    }

    #[test]
    fn mutation_reads_from_json() {
        let j = r#"{"message": "client_hello", "path": "cipher_suites[2]", "op": {"flip": {"index": 0, "xor": 1}}}"#;
        let x: FieldMutation = serde_json::from_str(j).unwrap();
        assert!(x.fix_lengths && x.integrity);
    }
}
