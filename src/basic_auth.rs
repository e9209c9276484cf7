//! HTTP Basic auth, both ways: the header the client sends, and the check the simulator
//! and the notification receiver make.

use base64::Engine as _;

/// `Basic base64(user:password)`; non-ASCII characters are sent as UTF-8.
pub(crate) fn header_value(user: &str, password: &str) -> String {
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {token}")
}

/// The user and password of a `Basic` header, or `None` when it is not one.
pub(crate) fn decode(header: &[u8]) -> Option<(String, String)> {
    let text = std::str::from_utf8(header).ok()?.trim();
    let (scheme, token) = text.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let bytes = base64::engine::general_purpose::STANDARD.decode(token.trim()).ok()?;
    let decoded = String::from_utf8(bytes).ok()?;
    let (user, password) = decoded.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

/// `true` when `header` carries exactly `user` and `password`, compared without stopping
/// at the first difference, so timing does not tell how much of a password was right.
pub(crate) fn verify(header: Option<&[u8]>, user: &str, password: &str) -> bool {
    let Some((given_user, given_password)) = header.and_then(decode) else { return false };
    constant_time_eq(given_user.as_bytes(), user.as_bytes())
        & constant_time_eq(given_password.as_bytes(), password.as_bytes())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut difference = a.len() ^ b.len();
    for (i, x) in a.iter().enumerate() {
        difference |= usize::from(x ^ b.get(i).copied().unwrap_or(!x));
    }
    difference == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_colons_and_utf8() {
        let header = header_value("zażółć", "pa:ss");
        assert_eq!(decode(header.as_bytes()), Some(("zażółć".into(), "pa:ss".into())));
        assert!(verify(Some(header.as_bytes()), "zażółć", "pa:ss"));
        assert!(!verify(Some(header.as_bytes()), "zażółć", "pa:s"));
        assert!(!verify(Some(header.as_bytes()), "zazolc", "pa:ss"));
        assert!(!verify(None, "u", "p"));
    }

    #[test]
    fn malformed_headers_are_not_credentials() {
        for bad in [&b"Bearer abc"[..], b"Basic", b"Basic !!!", b"Basic dXNlcg==", b"\xff\xfe"] {
            assert_eq!(decode(bad), None, "{bad:?}");
        }
        assert_eq!(decode(b"basic   dTpw  "), Some(("u".into(), "p".into())));
    }

    #[test]
    fn constant_time_comparison() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secret", b"secret2"));
        assert!(!constant_time_eq(b"", b"x"));
        assert!(constant_time_eq(b"", b""));
    }
}
