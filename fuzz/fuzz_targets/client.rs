#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    shakedown_engine::fuzzing::client(data).log_first("client");
});
