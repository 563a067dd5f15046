//! Headers a caller adds: client-wide defaults
//! ([`crate::ClientBuilder::default_header`]) and per request
//! ([`crate::Request::header`], [`crate::RawRequest::header`]). Each one is
//! checked when it is added and a refusal is reported before anything is
//! sent: no CR, LF or other control characters, no `Authorization` (the key
//! is set with `.api_key(..)`), and no header that changes how a message is
//! framed or routed. These checks are for what could break or leak; a
//! header the spec describes (`Idempotency-Key`, ...) set this way is not
//! held to the spec's rules for it, as its own setter is.

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

/// Headers a caller may not set: the credential, and framing or routing
/// headers whose wrong value would split or misroute a request.
const REFUSED: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "content-length",
    "transfer-encoding",
    "connection",
    "host",
    "te",
    "trailer",
    "upgrade",
    "keep-alive",
    "proxy-connection",
];

/// Checked headers in the order added, with the first refusal, if any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Headers {
    list: Vec<(HeaderName, HeaderValue)>,
    refused: Option<String>,
}

impl Headers {
    /// Adds `name: value` if it may be sent; remembers why not otherwise.
    pub(crate) fn add(&mut self, name: &str, value: &str) {
        self.push(check(name, value));
    }

    /// Adds `name: value` as a header of every call of a client: as
    /// [`Headers::add`], and not an idempotency key, which belongs to one call.
    pub(crate) fn add_default(&mut self, name: &str, value: &str) {
        let checked = check(name, value).and_then(|(name, value)| {
            if name == crate::IDEMPOTENCY_KEY {
                Err(
                    "`Idempotency-Key` cannot be a default header: one key on every call \
                     would make the server treat different calls as one; set it per request"
                        .to_string(),
                )
            } else {
                Ok((name, value))
            }
        });
        self.push(checked);
    }

    fn push(&mut self, checked: Result<(HeaderName, HeaderValue), String>) {
        match checked {
            Ok(pair) => self.list.push(pair),
            Err(why) => {
                self.refused.get_or_insert(why);
            }
        }
    }

    /// Whether no header was added.
    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty() && self.refused.is_none()
    }

    /// Sets every header on `map`, replacing what it holds under the same
    /// name (several values added under one name are all sent); or the
    /// first refusal.
    pub(crate) fn apply(&self, map: &mut HeaderMap) -> Result<(), String> {
        if let Some(why) = &self.refused {
            return Err(why.clone());
        }
        let mut replaced: Vec<&HeaderName> = Vec::new();
        for (name, value) in &self.list {
            if replaced.contains(&name) {
                map.append(name.clone(), value.clone());
            } else {
                map.insert(name.clone(), value.clone());
                replaced.push(name);
            }
        }
        Ok(())
    }
}

/// `name: value` as a header, if a caller may send it.
fn check(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), String> {
    let header = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("{name:?} is not a valid header name"))?;
    if REFUSED.contains(&header.as_str()) {
        return Err(if header == reqwest::header::AUTHORIZATION {
            "`Authorization` cannot be set as a header: the API key is set with `.api_key(..)`"
                .to_string()
        } else {
            format!("`{header}` cannot be set: it decides how the request is framed or routed")
        });
    }
    if value.chars().any(char::is_control) {
        return Err(format!(
            "the value of `{header}` contains CR, LF or another control character"
        ));
    }
    let mut value = HeaderValue::from_str(value)
        .map_err(|_| format!("the value of `{header}` cannot be sent as a header"))?;
    // A caller's header may carry a token: `Debug` of the client, a request
    // or their options prints `Sensitive` instead of it.
    value.set_sensitive(true);
    Ok((header, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn applied(pairs: &[(&str, &str)]) -> Result<HeaderMap, String> {
        let mut headers = Headers::default();
        for (n, v) in pairs {
            headers.add(n, v);
        }
        let mut map = HeaderMap::new();
        map.insert("user-agent", HeaderValue::from_static("sdk"));
        headers.apply(&mut map).map(|()| map)
    }

    #[test]
    fn a_header_replaces_the_sdks_and_repeats_are_all_sent() {
        let map = applied(&[("User-Agent", "mine/1"), ("x-tag", "a"), ("X-Tag", "b")]).unwrap();
        assert_eq!(map["user-agent"], "mine/1");
        let tags: Vec<_> = map.get_all("x-tag").iter().collect();
        assert_eq!(tags, ["a", "b"]);
    }

    #[test]
    fn a_default_header_cannot_be_an_idempotency_key_but_a_requests_can() {
        let mut per_call = Headers::default();
        per_call.add("Idempotency-Key", "k-0123456789");
        assert!(per_call.apply(&mut HeaderMap::new()).is_ok());
        let mut defaults = Headers::default();
        defaults.add_default("idempotency-key", "k-0123456789");
        let err = defaults.apply(&mut HeaderMap::new()).unwrap_err();
        assert!(err.contains("per request"), "{err}");
    }

    #[test]
    fn values_are_hidden_from_debug_output() {
        let mut headers = Headers::default();
        headers.add("x-token", "secret-token-value");
        let shown = format!("{headers:?}");
        assert!(!shown.contains("secret-token-value"), "{shown}");
    }

    #[test]
    fn credentials_framing_and_control_characters_are_refused_by_name() {
        for (pair, says) in [
            (("Authorization", "Bearer other"), "api_key"),
            (("authorization", "x"), "api_key"),
            (("Content-Length", "0"), "framed or routed"),
            (("Host", "evil.example"), "framed or routed"),
            (("Transfer-Encoding", "chunked"), "framed or routed"),
            (("x-a", "1\r\nAuthorization: Bearer x"), "control character"),
            (("x-a", "1\nb"), "control character"),
            (("x-a", "nul\0"), "control character"),
            (("bad name", "1"), "not a valid header name"),
            (("x-a:\r\nb", "1"), "not a valid header name"),
        ] {
            let err = applied(&[("x-ok", "1"), pair]).unwrap_err();
            assert!(err.contains(says), "{pair:?}: {err}");
        }
    }
}
