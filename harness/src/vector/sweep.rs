//! Sweeps: one definition that stands for many tests differing in one knob
//! field (`finished/corrupt-byte` over verify_data bytes 0..11), expanded
//! when the file loads, so nothing downstream knows sweeps exist.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use shakedown_engine::deviate::Knob;

use super::{TestDef, VectorError, VectorFile, line_of_id};

/// A knob field swept over values: one test per value, with the id
/// `{id}-{value}` (values zero-padded to the widest) and `{value}` in the
/// description replaced.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sweep {
    /// Index into `knobs` of the knob to vary.
    pub knob: usize,
    /// The field of that knob as a dotted path through its JSON form, for
    /// example `corrupt_finished.index`.
    pub field: String,
    /// The values, each one test.
    pub values: Vec<u64>,
}

/// The file with every sweep expanded into its tests.
pub(super) fn expand_sweeps(
    file: &std::path::Path,
    text: &str,
    vf: VectorFile,
) -> Result<VectorFile, VectorError> {
    let mut tests = Vec::with_capacity(vf.tests.len());
    for (i, t) in vf.tests.into_iter().enumerate() {
        match t.sweep.clone() {
            None => tests.push(t),
            Some(sweep) => {
                let err = |field: &str, message: String| VectorError {
                    file: file.to_owned(),
                    line: line_of_id(text, &t.id),
                    column: None,
                    test_id: Some(t.id.clone()),
                    field: Some(format!("tests[{i}].sweep.{field}")),
                    message,
                };
                tests.extend(expand_one(&t, &sweep).map_err(|(f, m)| err(f, m))?);
            }
        }
    }
    Ok(VectorFile { tests, ..vf })
}

fn expand_one(t: &TestDef, sweep: &Sweep) -> Result<Vec<TestDef>, (&'static str, String)> {
    if sweep.values.is_empty() {
        return Err(("values", "a sweep needs at least one value".into()));
    }
    let knob =
        t.knobs.get(sweep.knob).ok_or_else(|| ("knob", format!("the test has no knob {}", sweep.knob)))?;
    let template = serde_json::to_value(knob).map_err(|e| ("knob", e.to_string()))?;
    let width = sweep.values.iter().max().map_or(1, |m| m.to_string().len());
    let mut out = Vec::with_capacity(sweep.values.len());
    for value in &sweep.values {
        let mut v = template.clone();
        let slot = sweep
            .field
            .split('.')
            .try_fold(&mut v, |node, key| node.get_mut(key))
            .ok_or_else(|| ("field", format!("the knob has no field `{}`", sweep.field)))?;
        *slot = serde_json::Value::from(*value);
        let swept: Knob = serde_json::from_value(v)
            .map_err(|e| ("values", format!("value {value} does not fit `{}`: {e}", sweep.field)))?;
        let mut knobs = t.knobs.clone();
        if let Some(k) = knobs.get_mut(sweep.knob) {
            *k = swept;
        }
        out.push(TestDef {
            id: format!("{}-{value:0width$}", t.id),
            description: t.description.replace("{value}", &value.to_string()),
            knobs,
            sweep: None,
            ..t.clone()
        });
    }
    Ok(out)
}
