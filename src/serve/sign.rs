//! The SDK's request signature, `SDK-HMAC-SHA256`, as `huaweicloudsdkcore` (3.1.219,
//! `signer/signer.py`, class `Signer`) computes it, checked on the server's side.
//!
//! The client signs a canonical request:
//!
//! ```text
//! METHOD \n CANONICAL_URI \n CANONICAL_QUERY \n CANONICAL_HEADERS \n SIGNED_HEADERS \n HEX(SHA256(body))
//! ```
//!
//! where the URI is the path, percent-decoded, each segment percent-encoded again (only
//! `A-Z a-z 0-9 - _ . ~` left as they are) and ending in `/`; the query is its `key=value`
//! pairs, decoded, sorted and encoded the same way, joined by `&`; the headers are the
//! signed ones, lower-cased, `name:value` (trimmed) per line; the body hash is that of the
//! empty string when there is no body, or the `X-Sdk-Content-Sha256` header when present.
//! The string to sign is `SDK-HMAC-SHA256 \n X-Sdk-Date \n HEX(SHA256(canonical request))`,
//! and the signature is `HEX(HMAC-SHA256(sk, string to sign))`, sent as
//! `Authorization: SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b;c, Signature=HEX`.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

/// The algorithm name of the `Authorization` header.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";

/// The parts of an `Authorization` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authorization<'a> {
    /// The access key.
    pub access: &'a str,
    /// The signed headers, lower-case, in the client's order.
    pub signed_headers: Vec<&'a str>,
    /// The hex signature.
    pub signature: &'a str,
}

/// Reads `SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=HEX`.
pub fn parse_authorization(value: &str) -> Result<Authorization<'_>, String> {
    let rest = value
        .strip_prefix(ALGORITHM)
        .and_then(|rest| rest.strip_prefix(' '))
        .ok_or_else(|| {
            format!("the Authorization header does not start with {ALGORITHM:?}: sign requests with the SDK's AK/SK signer")
        })?;
    let (mut access, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("Access=") {
            access = Some(v);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v);
        }
    }
    match (access, signed, signature) {
        (Some(access), Some(signed), Some(signature)) => Ok(Authorization {
            access,
            signed_headers: signed.split(';').filter(|h| !h.is_empty()).collect(),
            signature,
        }),
        _ => Err("the Authorization header lacks Access=, SignedHeaders= or Signature=".into()),
    }
}

/// Percent-encodes as Python's `urllib.parse.quote(s, safe='~')` does.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Percent-decodes (`%XX`; everything else as it is), as Python's `unquote` does.
pub fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(byte) = hex {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The canonical URI of a path.
pub fn canonical_uri(path: &str) -> String {
    let mut uri = decode(path)
        .split('/')
        .map(encode)
        .collect::<Vec<_>>()
        .join("/");
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// The canonical query string of a raw query (without `?`).
pub fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn hex_sha256(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// What a request looks like to the signer.
pub struct Signed<'a> {
    /// The method, upper case.
    pub method: &'a str,
    /// The path.
    pub path: &'a str,
    /// The raw query, without `?`.
    pub query: &'a str,
    /// Looks a header up by its lower-case name.
    pub header: &'a dyn Fn(&str) -> Option<String>,
    /// The body.
    pub body: &'a [u8],
}

/// The signature the SDK computes for `request` with the signed headers named in `auth`
/// and the secret key `sk`.
pub fn signature(
    request: &Signed<'_>,
    signed_headers: &[&str],
    sk: &str,
) -> Result<String, String> {
    let date = (request.header)("x-sdk-date")
        .ok_or("the request has no X-Sdk-Date header: sign requests with the SDK's signer")?;
    let mut canonical_headers = String::new();
    for name in signed_headers {
        let value = (request.header)(name)
            .ok_or_else(|| format!("the signed header {name:?} is not in the request"))?;
        canonical_headers.push_str(name);
        canonical_headers.push(':');
        canonical_headers.push_str(value.trim());
        canonical_headers.push('\n');
    }
    let payload = if request.body.is_empty() {
        hex_sha256(b"")
    } else if let Some(given) = (request.header)("x-sdk-content-sha256") {
        given
    } else {
        hex_sha256(request.body)
    };
    let canonical = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        request.method.to_ascii_uppercase(),
        canonical_uri(request.path),
        canonical_query(request.query),
        canonical_headers,
        signed_headers.join(";"),
        payload
    );
    let to_sign = format!("{ALGORITHM}\n{date}\n{}", hex_sha256(canonical.as_bytes()));
    let mut mac = Hmac::<Sha256>::new_from_slice(sk.as_bytes())
        .map_err(|error| format!("cannot key HMAC: {error}"))?;
    mac.update(to_sign.as_bytes());
    Ok(hex::encode(mac.finalize().into_bytes()))
}

/// Checks a request's signature against the access key `ak` and secret key `sk`.
pub fn verify(request: &Signed<'_>, authorization: &str, ak: &str, sk: &str) -> Result<(), String> {
    let auth = parse_authorization(authorization)?;
    if auth.access != ak {
        return Err(format!(
            "the access key {:?} is not the one this endpoint was started with",
            auth.access
        ));
    }
    let expected = signature(request, &auth.signed_headers, sk)?;
    if expected.eq_ignore_ascii_case(auth.signature) {
        Ok(())
    } else {
        Err("the signature does not match: the secret key or the signed request differs".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_as_python_quote_with_tilde_safe() {
        assert_eq!(encode("a b/c~d_e.f-g"), "a%20b%2Fc~d_e.f-g");
        assert_eq!(decode("a%20b%2Fc"), "a b/c");
        assert_eq!(decode("100%"), "100%");
        assert_eq!(canonical_uri("/v5/p1/jobs"), "/v5/p1/jobs/");
        assert_eq!(
            canonical_query("limit=10&job_type=migration&a=%7E"),
            "a=~&job_type=migration&limit=10"
        );
    }

    #[test]
    fn a_wrong_key_is_refused_and_the_right_one_accepted() {
        let headers = |name: &str| match name {
            "x-sdk-date" => Some("20250301T000000Z".to_string()),
            "host" => Some("127.0.0.1:8080".to_string()),
            _ => None,
        };
        let request = Signed {
            method: "GET",
            path: "/v5/p1/jobs",
            query: "job_type=migration",
            header: &headers,
            body: b"",
        };
        let sig = signature(&request, &["host", "x-sdk-date"], "secret").unwrap();
        let auth =
            format!("SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;x-sdk-date, Signature={sig}");
        assert!(verify(&request, &auth, "AK1", "secret").is_ok());
        assert!(verify(&request, &auth, "AK1", "other").is_err());
        assert!(verify(&request, &auth, "AK2", "secret").is_err());
        assert!(verify(&request, "Basic xyz", "AK1", "secret").is_err());
    }
}
