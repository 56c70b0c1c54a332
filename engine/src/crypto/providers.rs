//! Which providers this build has, by name: the `--provider` flag and the
//! tests that run once per provider look them up here. Kept apart from the
//! trait so the providers can name the trait without a circle.

use std::sync::Arc;

use super::provider::{CryptoProvider, RustCrypto};

/// The names `by_name` knows, for `--provider` help and errors.
pub const PROVIDER_NAMES: &[&str] = &["rustcrypto", "openssl"];

/// Every real provider compiled into this build, default first: the crypto
/// tests run once per entry.
pub fn available() -> Vec<Arc<dyn CryptoProvider>> {
    #[cfg_attr(not(feature = "openssl-provider"), allow(unused_mut))]
    let mut all: Vec<Arc<dyn CryptoProvider>> = vec![Arc::new(RustCrypto)];
    #[cfg(feature = "openssl-provider")]
    all.push(Arc::new(super::openssl_provider::OpenSsl::new()));
    all
}

/// The provider `--provider NAME` asks for; an error names what this build
/// lacks rather than quietly falling back.
pub fn by_name(name: &str) -> Result<Arc<dyn CryptoProvider>, String> {
    match name {
        "rustcrypto" => Ok(Arc::new(RustCrypto)),
        #[cfg(feature = "openssl-provider")]
        "openssl" => Ok(Arc::new(super::openssl_provider::OpenSsl::new())),
        #[cfg(not(feature = "openssl-provider"))]
        "openssl" => Err("provider `openssl` is not compiled in: build with `--features openssl-provider` \
                          (shakedown) or `shakedown-engine/openssl-provider`; needs libssl-dev"
            .to_owned()),
        other => Err(format!("unknown provider `{other}` (known: {})", PROVIDER_NAMES.join(", "))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn providers_by_name_and_a_clear_error_otherwise() {
        assert_eq!(by_name("rustcrypto").map(|p| p.name()), Ok("rustcrypto"));
        assert!(by_name("nope").unwrap_err().contains("unknown provider"));
        let openssl = by_name("openssl");
        assert_eq!(openssl.is_ok(), cfg!(feature = "openssl-provider"));
        if let Err(e) = openssl {
            assert!(e.contains("not compiled in"), "{e}");
        }
        let names: Vec<_> = available().iter().map(|p| p.name()).collect();
        assert_eq!(names.first(), Some(&"rustcrypto"));
        assert_eq!(names.len(), 1 + usize::from(cfg!(feature = "openssl-provider")));
    }
}
