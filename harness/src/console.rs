//! The CLI's standard output and error. `println!` and `eprintln!` panic
//! when the reader has gone (`shakedown learn ... 2>&1 | head -1`); these
//! ignore a closed pipe instead, so a run still finishes, writes its files
//! and stops the peers it started, and its exit code still says how the
//! run went.

use std::fmt::Arguments;
use std::io::Write;

/// One line, `println!`-style: `say!("{x}")`, or `say!()` for an empty line.
#[macro_export]
macro_rules! say {
    () => {
        $crate::console::write(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::console::write(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// Text without a newline added, `print!`-style.
#[macro_export]
macro_rules! say_text {
    ($($arg:tt)*) => {
        $crate::console::write(format_args!($($arg)*))
    };
}

/// One line to standard error, `eprintln!`-style.
#[macro_export]
macro_rules! tell {
    ($($arg:tt)*) => {
        $crate::console::write_err(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// Writes `args` to standard output; a write error (a closed pipe, a full
/// disk) drops the text rather than ending the run.
pub fn write(args: Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_fmt(args).and_then(|()| out.flush());
}

/// [`write`] for standard error.
pub fn write_err(args: Arguments<'_>) {
    let _ = std::io::stderr().lock().write_fmt(args);
}
