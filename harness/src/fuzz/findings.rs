//! Findings as they are found: one scenario vector file per finding (a
//! `VectorFile` that `shakedown run --vectors OUT/findings --peer SAME`
//! replays with a fail verdict), its transcript, NSS key log and a pcapng
//! capture (`crate::pcap`, the key log embedded) beside it,
//! and the corpus of cases with new behaviours. Nothing waits for the end
//! of the campaign.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::case::FuzzCase;
use super::exec::PeerRun;
use super::oracle::{Oracle, Violation};
use crate::vector::VectorFile;

/// One finding, minimised.
#[derive(Debug, Clone)]
pub struct Finding {
    pub oracle: Oracle,
    pub signature: String,
    /// The peer whose replay fails.
    pub peer: String,
    pub case: FuzzCase,
    pub violation: Violation,
    pub run: Option<PeerRun>,
    /// For a differential finding, the other peers' runs of the same case,
    /// so both sides of the disagreement can be read.
    pub others: Vec<PeerRun>,
    /// Cases run when it was found (for the flaw tests' budgets).
    pub found_at: u64,
}

impl Finding {
    pub fn name(&self) -> String {
        format!("{}-{}", self.oracle.name(), self.case.digest())
    }

    /// The replay vector: its own topic, named after the finding, as the
    /// runner wants each topic file named after its topic.
    pub fn vector(&self) -> VectorFile {
        let id = format!("{}/replay", self.name());
        let mutations = serde_json::to_string(&self.case.mutations).unwrap_or_default();
        let description = format!(
            "Found by shakedown fuzz ({} oracle) against {}: {}. Mutations: {mutations}",
            self.oracle.name(),
            self.peer,
            self.violation.reason
        );
        let rfc = match self.violation.rfc.is_empty() {
            true => "RFC 5246 7.3 (the peers end the same handshake differently)".to_string(),
            false => self.violation.rfc.clone(),
        };
        VectorFile {
            topic: self.name(),
            description: Some(format!("peer behaviour signature: {}", self.signature)),
            tests: vec![self.case.test_def(&id, &description, &rfc, self.violation.expect.clone())],
        }
    }
}

/// The campaign's output directory.
#[derive(Debug, Clone)]
pub struct OutDir {
    pub root: PathBuf,
}

impl OutDir {
    /// Creates `root/findings` and `root/corpus`, or says why it cannot.
    pub fn create(root: &Path) -> Result<Self, String> {
        for sub in ["findings", "corpus"] {
            let d = root.join(sub);
            std::fs::create_dir_all(&d).map_err(|e| format!("--out {}: {e}", d.display()))?;
        }
        // Prove it is writable now rather than at the first finding.
        let probe = root.join(".write-test");
        std::fs::write(&probe, b"").map_err(|e| format!("--out {}: {e}", root.display()))?;
        let _ = std::fs::remove_file(probe);
        Ok(Self { root: root.to_owned() })
    }

    pub fn findings(&self) -> PathBuf {
        self.root.join("findings")
    }

    /// Writes the vector, transcript and key log of a finding.
    pub fn write_finding(&self, f: &Finding) -> Result<PathBuf, String> {
        let dir = self.findings();
        let name = f.name();
        let vector = dir.join(format!("{name}.json"));
        let json = serde_json::to_string_pretty(&f.vector()).map_err(|e| e.to_string())?;
        write_new(&vector, format!("{json}\n").as_bytes())?;
        if let Some(run) = &f.run {
            let mut text = format!(
                "peer: {}\noracle: {}\nreason: {}\nsignature: {}\noutcome: {}\n",
                f.peer,
                f.oracle.name(),
                f.violation.reason,
                f.signature,
                run.observed.describe()
            );
            if let Some(note) = &run.note {
                text.push_str(&format!("peer note: {note}\n"));
            }
            text.push('\n');
            text.push_str(&run.transcript.as_ref().map(|t| t.render()).unwrap_or_default());
            for other in &f.others {
                text.push_str(&format!(
                    "\n--- the same case against {} ---\noutcome: {}\nsignature: {}\n",
                    other.peer,
                    other.observed.describe(),
                    other.signature
                ));
                if let Some(note) = &other.note {
                    text.push_str(&format!("peer note: {note}\n"));
                }
                text.push('\n');
                text.push_str(&other.transcript.as_ref().map(|t| t.render()).unwrap_or_default());
            }
            write_new(&dir.join(format!("{name}.transcript.txt")), text.as_bytes())?;
            let keylog = run.keylog.concat();
            if !keylog.is_empty() {
                write_new(&dir.join(format!("{name}.keylog")), keylog.as_bytes())?;
            }
            if let Some(transcript) = &run.transcript {
                let capture = crate::pcap::Capture {
                    transcript,
                    engine_is_client: f.case.engine_role == crate::vector::Role::Client,
                    keylog: &keylog,
                    start: std::time::SystemTime::now(),
                };
                write_new(&dir.join(format!("{name}.pcapng")), &crate::pcap::pcapng(&capture)?)?;
            }
        }
        Ok(vector)
    }

    /// Keeps a case that showed a new behaviour (`.case`, not `.json`, so
    /// a corpus directory is never read as vectors).
    pub fn write_corpus(&self, case: &FuzzCase, signature: &str) -> Result<(), String> {
        let entry = CorpusEntry { signature: signature.to_owned(), case: case.clone() };
        let json = serde_json::to_string(&entry).map_err(|e| e.to_string())?;
        write_new(&self.root.join("corpus").join(format!("{}.case", case.digest())), json.as_bytes())
    }

    /// Appends a line to the non-determinism report.
    pub fn note_nondeterministic(&self, line: &str) -> Result<(), String> {
        self.append("nondeterministic.txt", line)
    }

    /// Appends a line to the list of findings a known deviation explains.
    pub fn note_known(&self, line: &str) -> Result<(), String> {
        self.append("known.txt", line)
    }

    /// Appends a line to the report of peer servers found dead between
    /// cases and started again.
    pub fn note_restart(&self, line: &str) -> Result<(), String> {
        self.append("restarts.txt", line)
    }

    fn append(&self, file: &str, line: &str) -> Result<(), String> {
        let p = self.root.join(file);
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&p)
            .and_then(|mut f| writeln!(f, "{line}"))
            .map_err(|e| format!("{}: {e}", p.display()))
    }
}

/// A corpus file's content.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CorpusEntry {
    pub signature: String,
    pub case: FuzzCase,
}

fn write_new(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
}
