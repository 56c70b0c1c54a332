//! Wire enums. Numbers from the IANA TLS registries; RFC sections beside each.

use super::macros::wire_enum;

wire_enum! {
    /// Record content types (RFC 5246 6.2.1; RFC 6101 5.2.1).
    pub enum ContentType: u8 {
        ChangeCipherSpec = 20 => "change_cipher_spec",
        Alert = 21 => "alert",
        Handshake = 22 => "handshake",
        ApplicationData = 23 => "application_data",
        Heartbeat = 24 => "heartbeat",
    }
}

wire_enum! {
    /// Protocol versions as they appear in hellos and record headers.
    pub enum ProtocolVersion: u16 {
        /// Only ever seen inside an SSLv2-compatible ClientHello.
        Ssl2 = 0x0002 => "ssl2",
        Ssl3 = 0x0300 => "ssl3",
        Tls10 = 0x0301 => "tls1.0",
        Tls11 = 0x0302 => "tls1.1",
        Tls12 = 0x0303 => "tls1.2",
        /// Known so it can be offered and refused, never negotiated here.
        Tls13 = 0x0304 => "tls1.3",
    }
}

impl ProtocolVersion {
    /// The versions this engine negotiates, lowest first.
    pub const SUPPORTED: [Self; 4] = [Self::Ssl3, Self::Tls10, Self::Tls11, Self::Tls12];

    /// Whether this is SSL 3.0, whose constructions (MAC, key derivation,
    /// Finished, CertificateVerify) differ from TLS.
    pub fn is_ssl3(self) -> bool {
        self == Self::Ssl3
    }

    /// TLS 1.1 and later send an explicit IV with each CBC record
    /// (RFC 4346 6.2.3.2).
    pub fn has_explicit_iv(self) -> bool {
        self.get() >= Self::Tls11.get()
    }

    /// TLS 1.2 carries signature algorithms and a negotiable PRF hash.
    pub fn is_tls12(self) -> bool {
        self == Self::Tls12
    }
}

wire_enum! {
    /// Handshake message types (RFC 5246 7.4; RFC 6101 5.6).
    pub enum HandshakeType: u8 {
        HelloRequest = 0 => "hello_request",
        ClientHello = 1 => "client_hello",
        ServerHello = 2 => "server_hello",
        NewSessionTicket = 4 => "new_session_ticket",
        Certificate = 11 => "certificate",
        ServerKeyExchange = 12 => "server_key_exchange",
        CertificateRequest = 13 => "certificate_request",
        ServerHelloDone = 14 => "server_hello_done",
        CertificateVerify = 15 => "certificate_verify",
        ClientKeyExchange = 16 => "client_key_exchange",
        Finished = 20 => "finished",
        CertificateStatus = 22 => "certificate_status",
    }
}

wire_enum! {
    /// Alert levels (RFC 5246 7.2).
    pub enum AlertLevel: u8 {
        Warning = 1 => "warning",
        Fatal = 2 => "fatal",
    }
}

wire_enum! {
    /// Alert descriptions (RFC 5246 7.2; RFC 6101 5.4.2 for SSL 3.0, whose set
    /// is smaller: see [`AlertDescription::exists_in_ssl3`]).
    pub enum AlertDescription: u8 {
        CloseNotify = 0 => "close_notify",
        UnexpectedMessage = 10 => "unexpected_message",
        BadRecordMac = 20 => "bad_record_mac",
        DecryptionFailed = 21 => "decryption_failed",
        RecordOverflow = 22 => "record_overflow",
        DecompressionFailure = 30 => "decompression_failure",
        HandshakeFailure = 40 => "handshake_failure",
        NoCertificate = 41 => "no_certificate",
        BadCertificate = 42 => "bad_certificate",
        UnsupportedCertificate = 43 => "unsupported_certificate",
        CertificateRevoked = 44 => "certificate_revoked",
        CertificateExpired = 45 => "certificate_expired",
        CertificateUnknown = 46 => "certificate_unknown",
        IllegalParameter = 47 => "illegal_parameter",
        UnknownCa = 48 => "unknown_ca",
        AccessDenied = 49 => "access_denied",
        DecodeError = 50 => "decode_error",
        DecryptError = 51 => "decrypt_error",
        ExportRestriction = 60 => "export_restriction",
        ProtocolVersion = 70 => "protocol_version",
        InsufficientSecurity = 71 => "insufficient_security",
        InternalError = 80 => "internal_error",
        InappropriateFallback = 86 => "inappropriate_fallback",
        UserCanceled = 90 => "user_canceled",
        NoRenegotiation = 100 => "no_renegotiation",
        UnsupportedExtension = 110 => "unsupported_extension",
        UnrecognizedName = 112 => "unrecognized_name",
    }
}

impl AlertDescription {
    /// Whether SSL 3.0 defines this alert (RFC 6101 5.4.2). TLS 1.0 added
    /// decode_error, decrypt_error, protocol_version, unknown_ca and others.
    pub fn exists_in_ssl3(self) -> bool {
        matches!(
            self,
            Self::CloseNotify
                | Self::UnexpectedMessage
                | Self::BadRecordMac
                | Self::DecompressionFailure
                | Self::HandshakeFailure
                | Self::NoCertificate
                | Self::BadCertificate
                | Self::UnsupportedCertificate
                | Self::CertificateRevoked
                | Self::CertificateExpired
                | Self::CertificateUnknown
                | Self::IllegalParameter
        )
    }
}

wire_enum! {
    /// Cipher suite code points (IANA "TLS Cipher Suites"; RFC 5246 A.5).
    /// Which of these the engine implements is in the `suites` table.
    #[allow(non_camel_case_types)]
    pub enum CipherSuite: u16 {
        TLS_NULL_WITH_NULL_NULL = 0x0000 => "TLS_NULL_WITH_NULL_NULL",
        TLS_RSA_WITH_NULL_MD5 = 0x0001 => "TLS_RSA_WITH_NULL_MD5",
        TLS_RSA_WITH_NULL_SHA = 0x0002 => "TLS_RSA_WITH_NULL_SHA",
        TLS_RSA_WITH_RC4_128_MD5 = 0x0004 => "TLS_RSA_WITH_RC4_128_MD5",
        TLS_RSA_WITH_RC4_128_SHA = 0x0005 => "TLS_RSA_WITH_RC4_128_SHA",
        TLS_RSA_WITH_3DES_EDE_CBC_SHA = 0x000a => "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
        TLS_RSA_WITH_AES_128_CBC_SHA = 0x002f => "TLS_RSA_WITH_AES_128_CBC_SHA",
        TLS_RSA_WITH_AES_256_CBC_SHA = 0x0035 => "TLS_RSA_WITH_AES_256_CBC_SHA",
        TLS_RSA_WITH_NULL_SHA256 = 0x003b => "TLS_RSA_WITH_NULL_SHA256",
        TLS_RSA_WITH_AES_128_CBC_SHA256 = 0x003c => "TLS_RSA_WITH_AES_128_CBC_SHA256",
        TLS_RSA_WITH_AES_256_CBC_SHA256 = 0x003d => "TLS_RSA_WITH_AES_256_CBC_SHA256",
        TLS_RSA_WITH_AES_128_GCM_SHA256 = 0x009c => "TLS_RSA_WITH_AES_128_GCM_SHA256",
        TLS_RSA_WITH_AES_256_GCM_SHA384 = 0x009d => "TLS_RSA_WITH_AES_256_GCM_SHA384",
        TLS_DHE_RSA_WITH_AES_128_CBC_SHA = 0x0033 => "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
        TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 = 0xc02f => "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        /// RFC 5746 3.3: signals secure renegotiation in an initial ClientHello.
        TLS_EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff => "TLS_EMPTY_RENEGOTIATION_INFO_SCSV",
        /// RFC 7507: a fallback retry.
        TLS_FALLBACK_SCSV = 0x5600 => "TLS_FALLBACK_SCSV",
    }
}

wire_enum! {
    /// Compression methods (RFC 5246 7.4.1.2; RFC 3749).
    pub enum Compression: u8 {
        Null = 0 => "null",
        Deflate = 1 => "deflate",
    }
}

wire_enum! {
    /// Extension types (IANA "TLS ExtensionType Values").
    pub enum ExtensionType: u16 {
        ServerName = 0 => "server_name",
        StatusRequest = 5 => "status_request",
        SupportedGroups = 10 => "supported_groups",
        EcPointFormats = 11 => "ec_point_formats",
        SignatureAlgorithms = 13 => "signature_algorithms",
        EncryptThenMac = 22 => "encrypt_then_mac",
        ExtendedMasterSecret = 23 => "extended_master_secret",
        SessionTicket = 35 => "session_ticket",
        RenegotiationInfo = 0xff01 => "renegotiation_info",
    }
}

wire_enum! {
    /// Hash algorithms of TLS 1.2 signature_algorithms (RFC 5246 7.4.1.4.1).
    pub enum HashAlgorithm: u8 {
        None = 0 => "none",
        Md5 = 1 => "md5",
        Sha1 = 2 => "sha1",
        Sha224 = 3 => "sha224",
        Sha256 = 4 => "sha256",
        Sha384 = 5 => "sha384",
        Sha512 = 6 => "sha512",
    }
}

wire_enum! {
    /// Signature algorithms of TLS 1.2 signature_algorithms (RFC 5246 7.4.1.4.1).
    pub enum SignatureAlgorithm: u8 {
        Anonymous = 0 => "anonymous",
        Rsa = 1 => "rsa",
        Dsa = 2 => "dsa",
        Ecdsa = 3 => "ecdsa",
    }
}

wire_enum! {
    /// Certificate types a server may request (RFC 5246 7.4.4; RFC 6101 5.6.4).
    pub enum ClientCertificateType: u8 {
        RsaSign = 1 => "rsa_sign",
        DssSign = 2 => "dss_sign",
        RsaFixedDh = 3 => "rsa_fixed_dh",
        DssFixedDh = 4 => "dss_fixed_dh",
        RsaEphemeralDh = 5 => "rsa_ephemeral_dh",
        DssEphemeralDh = 6 => "dss_ephemeral_dh",
        FortezzaDms = 20 => "fortezza_dms",
        EcdsaSign = 64 => "ecdsa_sign",
    }
}

wire_enum! {
    /// server_name NameType (RFC 6066 3).
    pub enum ServerNameType: u8 {
        HostName = 0 => "host_name",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::Codec;

    #[test]
    fn unknown_values_round_trip_and_print_as_hex() {
        let v = CipherSuite::from_bytes(&[0x13, 0x37]).unwrap();
        assert_eq!(v, CipherSuite::Unknown(0x1337));
        assert_eq!(v.to_bytes(), [0x13, 0x37]);
        assert_eq!(format!("{v:?}"), "CipherSuite(0x1337)");
        assert_eq!(format!("{:?}", ContentType::from_wire(99)), "ContentType(0x63)");
    }

    #[test]
    fn names_parse_back() {
        for a in AlertDescription::ALL {
            assert_eq!(AlertDescription::from_name(a.name().unwrap()), Some(*a));
        }
        assert_eq!(ProtocolVersion::from_name("0x0303"), Some(ProtocolVersion::Tls12));
        assert_eq!(ProtocolVersion::from_name("tls1.1"), Some(ProtocolVersion::Tls11));
        assert_eq!(ContentType::from_name("nonsense"), None);
    }

    #[test]
    fn serde_uses_names_and_numbers() {
        let j =
            serde_json::to_string(&[AlertDescription::DecryptError, AlertDescription::Unknown(200)]).unwrap();
        assert_eq!(j, r#"["decrypt_error",200]"#);
        let back: Vec<AlertDescription> = serde_json::from_str(&j).unwrap();
        assert_eq!(back, [AlertDescription::DecryptError, AlertDescription::Unknown(200)]);
        let err = serde_json::from_str::<AlertDescription>(r#""decrypt_eror""#).unwrap_err();
        assert!(err.to_string().contains("unknown AlertDescription `decrypt_eror`"), "{err}");
        assert!(serde_json::from_str::<ContentType>("256").is_err());
    }

    #[test]
    fn ssl3_alert_set_lacks_tls_additions() {
        assert!(!AlertDescription::DecryptError.exists_in_ssl3());
        assert!(!AlertDescription::DecodeError.exists_in_ssl3());
        assert!(!AlertDescription::ProtocolVersion.exists_in_ssl3());
        assert!(AlertDescription::NoCertificate.exists_in_ssl3());
        assert!(AlertDescription::HandshakeFailure.exists_in_ssl3());
    }

    #[test]
    fn truncated_enum_names_its_type() {
        let e = ProtocolVersion::from_bytes(&[3]).unwrap_err();
        assert!(matches!(e, crate::codec::DecodeError::Truncated { what: "ProtocolVersion", .. }));
    }
}
