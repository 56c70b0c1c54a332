#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    shakedown_engine::fuzzing::server(data).log_first("server");
});
