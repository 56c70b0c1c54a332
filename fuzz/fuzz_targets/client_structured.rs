#![no_main]
use libfuzzer_sys::fuzz_target;
use shakedown_fuzz::ScriptInput;

fuzz_target!(|input: ScriptInput| {
    shakedown_engine::fuzzing::client_script(&input.0).log_first("client_structured");
});
