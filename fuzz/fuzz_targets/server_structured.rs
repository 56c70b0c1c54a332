#![no_main]
use libfuzzer_sys::fuzz_target;
use shakedown_fuzz::ScriptInput;

fuzz_target!(|input: ScriptInput| {
    shakedown_engine::fuzzing::server_script(&input.0).log_first("server_structured");
});
