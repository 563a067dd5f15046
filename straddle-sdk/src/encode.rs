//! How an operation's arguments go on the wire: path segments, query pairs,
//! headers and a JSON body, each checked against the spec first. Generated
//! operations call [`Encoder`] once per argument; the rules live here.

use std::borrow::Cow;

use bytes::Bytes;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, Url};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::Error;

/// What the spec says an argument's text must be, checked before sending.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// Anything its type can hold.
    Any,
    /// A UUID (`format: uuid`); sent lower-case and hyphenated.
    Uuid,
    /// A string of `min` to `max` characters (`minLength`/`maxLength`).
    Length(Option<usize>, Option<usize>),
}

/// How a query argument that holds several values is written.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `style: form, explode: true` (OpenAPI's default): `name=a&name=b`.
    FormExploded,
    /// `style: form, explode: false`: `name=a,b`.
    FormJoined,
}

/// The arguments of one call on their way to the wire.
#[doc(hidden)]
pub struct Encoder {
    operation: Cow<'static, str>,
    path: Vec<(&'static str, String)>,
    query: Vec<(Cow<'static, str>, String)>,
    headers: HeaderMap,
    body: Option<Bytes>,
    /// Encoding a pattern to match requests against, not a request to
    /// send: a body is only what was set, required properties or not.
    partial: bool,
}

impl Encoder {
    pub(crate) fn new(operation: impl Into<Cow<'static, str>>) -> Self {
        Self {
            operation: operation.into(),
            path: Vec::new(),
            query: Vec::new(),
            headers: HeaderMap::new(),
            body: None,
            partial: false,
        }
    }

    /// An encoder of the arguments that were set, as a pattern for
    /// matching requests (a mock server's expectation): every argument is
    /// checked as for sending, but a body holds only the properties that
    /// were set (none when nothing was), required ones or not.
    pub(crate) fn partial(operation: impl Into<Cow<'static, str>>) -> Self {
        Self {
            partial: true,
            ..Self::new(operation)
        }
    }

    /// Fills the path template's `{name}` with `value`, whatever its text.
    pub fn path<V: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &V,
    ) -> Result<(), Error> {
        self.path_with(name, value, Check::Any)
    }

    /// Fills the path template's `{name}` with `value`, checked.
    pub fn path_with<V: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &V,
        check: Check,
    ) -> Result<(), Error> {
        match self.text(name, value, check)? {
            Text::One(text) => {
                self.path.push((name, text));
                Ok(())
            }
            _ => Err(Error::invalid(
                self.operation.clone(),
                format!("`{name}` must be one value to go in the path"),
            )),
        }
    }

    /// Adds a query argument of any text, several values as `name=a&name=b`;
    /// `None` sends nothing.
    pub fn query<V: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: Option<&V>,
    ) -> Result<(), Error> {
        self.query_with(name, value, Check::Any, Style::FormExploded)
    }

    /// Adds a query argument, checked and written in `style`; `None` sends nothing.
    pub fn query_with<V: Serialize + ?Sized>(
        &mut self,
        name: impl Into<Cow<'static, str>>,
        value: Option<&V>,
        check: Check,
        style: Style,
    ) -> Result<(), Error> {
        let Some(value) = value else { return Ok(()) };
        let name = name.into();
        match self.text(&name, value, check)? {
            Text::None => {}
            Text::One(text) => self.query.push((name, text)),
            Text::Many(items) => match style {
                Style::FormExploded => self
                    .query
                    .extend(items.into_iter().map(|t| (name.clone(), t))),
                Style::FormJoined => self.query.push((name, items.join(","))),
            },
        }
        Ok(())
    }

    /// Adds a header argument of any text; `None` sends nothing.
    pub fn header<V: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: Option<&V>,
    ) -> Result<(), Error> {
        self.header_with(name, value, Check::Any)
    }

    /// Adds a header argument, checked; `None` sends nothing. `name` is the
    /// spec's header name; the text must be a valid header value without
    /// control characters.
    pub fn header_with<V: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: Option<&V>,
        check: Check,
    ) -> Result<(), Error> {
        let Some(value) = value else { return Ok(()) };
        let text = match self.text(name, value, check)? {
            Text::None => return Ok(()),
            Text::One(text) => text,
            Text::Many(items) => items.join(","),
        };
        let text = crate::params::header(self.operation.clone(), name, text, None, None)?;
        let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            Error::invalid(
                self.operation.clone(),
                format!("`{name}` is not a header name"),
            )
        })?;
        let value = HeaderValue::try_from(text).map_err(|_| {
            Error::invalid(
                self.operation.clone(),
                format!("`{name}` cannot be sent as a header"),
            )
        })?;
        self.headers.insert(header, value);
        Ok(())
    }

    /// Sets the JSON body. A body the spec requires is sent (as `{}` when
    /// nothing was set); each property in `required`, given with the name of
    /// its setter, must have been set, and one error names every one that
    /// was not.
    pub fn json(
        &mut self,
        body: &JsonBody,
        body_required: bool,
        required: &[(&str, &str)],
    ) -> Result<(), Error> {
        if let Some(reason) = &body.error {
            return Err(Error::invalid(self.operation.clone(), reason.clone()));
        }
        let empty = Value::Object(Map::new());
        let value = match &body.value {
            Some(value) => value,
            None if self.partial => return Ok(()),
            None if body_required || !required.is_empty() => &empty,
            None => return Ok(()),
        };
        if let Some(map) = value.as_object().filter(|_| !self.partial) {
            let missing: Vec<_> = required
                .iter()
                .filter(|(name, _)| !map.contains_key(*name))
                .collect();
            if !missing.is_empty() {
                return Err(Error::invalid(
                    self.operation.clone(),
                    missing_properties(&missing),
                ));
            }
        }
        let bytes = serde_json::to_vec(value).map_err(|e| {
            Error::invalid(
                self.operation.clone(),
                format!("the request body cannot be written as JSON: {e}"),
            )
        })?;
        self.headers
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        self.body = Some(Bytes::from(bytes));
        Ok(())
    }

    /// The request: `base` joined with `template` (each `{name}` filled and
    /// percent-encoded as one segment, so an argument cannot change the path),
    /// then the query, headers and body.
    pub(crate) fn into_request(
        self,
        base: &Url,
        method: Method,
        template: &str,
    ) -> Result<reqwest::Request, Error> {
        let mut url = base.clone();
        {
            let mut segments = url
                .path_segments_mut()
                .map_err(|()| Error::config("the base URL cannot take a path"))?;
            segments.pop_if_empty();
            for segment in template.split('/').filter(|s| !s.is_empty()) {
                match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => {
                        let value = self
                            .path
                            .iter()
                            .find(|(n, _)| *n == name)
                            .map(|(_, v)| v.as_str())
                            .ok_or_else(|| {
                                Error::invalid(
                                    self.operation.clone(),
                                    format!("the path argument `{name}` has no value"),
                                )
                            })?;
                        segments.push(value);
                    }
                    None => {
                        segments.push(segment);
                    }
                }
            }
        }
        Ok(self.into_request_at(url, method))
    }

    /// The request to `url` as it is (its path already encoded), with the
    /// query, headers and body.
    pub(crate) fn into_request_at(self, mut url: Url, method: Method) -> reqwest::Request {
        if !self.query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(self.query.iter().map(|(n, v)| (n.as_ref(), v.as_str())));
        }
        let mut request = reqwest::Request::new(method, url);
        *request.headers_mut() = self.headers;
        if let Some(body) = self.body {
            *request.body_mut() = Some(body.into());
        }
        request
    }

    /// An argument as text, checked.
    fn text<V: Serialize + ?Sized>(
        &self,
        name: &str,
        value: &V,
        check: Check,
    ) -> Result<Text, Error> {
        let value = serde_json::to_value(value).map_err(|e| {
            Error::invalid(
                self.operation.clone(),
                format!("`{name}` cannot be sent: {e}"),
            )
        })?;
        match value {
            Value::Null => Ok(Text::None),
            Value::Array(items) => items
                .into_iter()
                .map(|item| self.scalar(name, item, check))
                .collect::<Result<_, _>>()
                .map(Text::Many),
            scalar => self.scalar(name, scalar, check).map(Text::One),
        }
    }

    fn scalar(&self, name: &str, value: Value, check: Check) -> Result<String, Error> {
        let text = match value {
            Value::String(s) => s,
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Null | Value::Array(_) | Value::Object(_) => {
                return Err(Error::invalid(
                    self.operation.clone(),
                    format!("`{name}` must be a string, number or boolean to be sent"),
                ));
            }
        };
        match check {
            Check::Any => Ok(text),
            Check::Uuid => crate::params::uuid(self.operation.clone(), name, text.as_str().into())
                .map(|id| id.hyphenated().to_string()),
            Check::Length(min, max) => {
                crate::params::string(self.operation.clone(), name, text, min, max)
            }
        }
    }
}

/// "the request body needs `a` (`.a(..)`) and `b` (`.b(..)`): ...", naming
/// each missing property with its setter.
fn missing_properties(missing: &[&(&str, &str)]) -> String {
    let named: Vec<String> = missing
        .iter()
        .map(|(name, setter)| format!("`{name}` (`.{setter}(..)`)"))
        .collect();
    let list = match named.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    };
    let them = if missing.len() == 1 { "it" } else { "them" };
    format!("the request body needs {list}: set {them}, or the whole body with `.body(..)`")
}

enum Text {
    None,
    One(String),
    Many(Vec<String>),
}

/// A JSON request body being built: from a whole value (`.body(..)`) and/or
/// one property at a time (a setter per top-level property). A value that
/// cannot be written as JSON is reported when the request is sent. `Debug`
/// redacts what identifies a person or an account ([`crate::redact`]).
#[derive(Clone, Default, PartialEq)]
pub struct JsonBody {
    value: Option<Value>,
    error: Option<String>,
}

impl JsonBody {
    /// Replaces the whole body with `value`.
    #[doc(hidden)]
    pub fn replace<T: Serialize + ?Sized>(&mut self, value: &T) {
        match serde_json::to_value(value) {
            Ok(value) => self.value = Some(value),
            Err(e) => self.error = Some(format!("the request body cannot be written as JSON: {e}")),
        }
    }

    /// Sets the top-level property `name`, keeping the others.
    #[doc(hidden)]
    pub fn set<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) {
        let value = match serde_json::to_value(value) {
            Ok(value) => value,
            Err(e) => {
                self.error = Some(format!("`{name}` cannot be written as JSON: {e}"));
                return;
            }
        };
        match self.value.get_or_insert_with(|| Value::Object(Map::new())) {
            Value::Object(map) => {
                map.insert(name.to_string(), value);
            }
            _ => {
                self.error = Some(format!(
                    "`{name}` cannot be set: the body given to `.body(..)` is not a JSON object"
                ));
            }
        }
    }

    /// The body as it would be sent, if anything was set.
    pub fn as_json(&self) -> Option<&Value> {
        self.value.as_ref()
    }
}

impl std::fmt::Debug for JsonBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut body = f.debug_tuple("JsonBody");
        match (&self.value, &self.error) {
            (_, Some(error)) => body.field(&format_args!("error: {error}")),
            (Some(value), None) => body.field(&crate::redact::Json(value)),
            (None, None) => body.field(&format_args!("unset")),
        };
        body.finish()
    }
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let body = self
            .body
            .as_ref()
            .map(|b| crate::redact::json_text(&String::from_utf8_lossy(b)).into_owned());
        f.debug_struct("Encoder")
            .field("operation", &self.operation)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("headers", &self.headers)
            .field("body", &body)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(
        build: impl FnOnce(&mut Encoder) -> Result<(), Error>,
    ) -> Result<reqwest::Request, Error> {
        let mut encoder = Encoder::new("Op");
        build(&mut encoder)?;
        let base = Url::parse("http://127.0.0.1:1/base/").unwrap();
        encoder.into_request(&base, Method::GET, "/v1/things/{id}/sub")
    }

    #[test]
    fn path_arguments_are_one_encoded_segment_each() {
        let r = request(|e| e.path("id", "a/b?c")).unwrap();
        assert_eq!(r.url().path(), "/base/v1/things/a%2Fb%3Fc/sub");
        let err = request(|_| Ok(())).unwrap_err().to_string();
        assert!(err.contains("`id` has no value"), "{err}");
    }

    #[test]
    fn query_values_of_every_scalar_type_and_both_array_styles() {
        let r = request(|e| {
            e.path("id", &7)?;
            e.query("n", Some(&3_i32))?;
            e.query("b", Some(&true))?;
            e.query("s", Some("x y&z"))?;
            e.query("none", None::<&i32>)?;
            e.query("many", Some(&["a", "b"]))?;
            e.query_with("joined", Some(&["a", "b"]), Check::Any, Style::FormJoined)
        })
        .unwrap();
        assert_eq!(
            r.url().query(),
            Some("n=3&b=true&s=x+y%26z&many=a&many=b&joined=a%2Cb")
        );
    }

    #[test]
    fn checks_run_before_anything_is_built() {
        let err = request(|e| e.path_with("id", "nope", Check::Uuid)).unwrap_err();
        assert!(err.to_string().contains("`id` must be a UUID"), "{err}");
        let err = request(|e| e.header_with("x-key", Some("short"), Check::Length(Some(10), None)))
            .unwrap_err();
        assert!(err.to_string().contains("at least 10"), "{err}");
        let err = request(|e| e.header("x-key", Some("a\r\nb"))).unwrap_err();
        assert!(err.to_string().contains("control characters"), "{err}");
        let err = request(|e| e.query("q", Some(&serde_json::json!({"a": 1})))).unwrap_err();
        assert!(
            err.to_string().contains("string, number or boolean"),
            "{err}"
        );
    }

    #[test]
    fn a_uuid_is_sent_lower_case_and_hyphenated() {
        let r = request(|e| e.path_with("id", "182BD5E56E1A4FE4A799AA6D9A6AB26E", Check::Uuid))
            .unwrap();
        assert_eq!(
            r.url().path(),
            "/base/v1/things/182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e/sub"
        );
    }

    #[test]
    fn body_properties_are_required_by_name_and_set_over_a_whole_body() {
        let required = [("type", "type_"), ("name", "name"), ("size", "size")];
        let mut body = JsonBody::default();
        let err = request(|e| {
            e.path("id", "1")?;
            e.json(&body, true, &required)
        })
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Op: invalid request, nothing was sent: the request body needs `type` (`.type_(..)`), \
             `name` (`.name(..)`) and `size` (`.size(..)`): set them, or the whole body \
             with `.body(..)`"
        );
        body.set("name", "n");
        body.set("type", "t");
        let err = request(|e| {
            e.path("id", "1")?;
            e.json(&body, true, &required)
        })
        .unwrap_err();
        assert!(
            err.to_string().ends_with(
                "needs `size` (`.size(..)`): set it, or the whole body with `.body(..)`"
            ),
            "{err}"
        );

        let mut body = JsonBody::default();
        body.replace(&serde_json::json!({"type": "a", "name": "old"}));
        body.set("name", "new");
        let r = request(|e| {
            e.path("id", "1")?;
            e.json(&body, true, &[("type", "type_"), ("name", "name")])
        })
        .unwrap();
        let sent = r.body().and_then(|b| b.as_bytes()).unwrap();
        assert_eq!(sent, br#"{"type":"a","name":"new"}"#);
        assert_eq!(r.headers()[CONTENT_TYPE], "application/json");
    }

    #[test]
    fn a_partial_encoding_holds_the_properties_set_and_requires_none() {
        let partial = |id: &str, body: &JsonBody| {
            let mut encoder = Encoder::partial("Op");
            encoder.path_with("id", id, Check::Uuid)?;
            encoder.json(body, true, &[("type", "type_"), ("name", "name")])?;
            let base = Url::parse("http://127.0.0.1:1/").unwrap();
            encoder.into_request(&base, Method::POST, "/v1/things/{id}")
        };
        let id = "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e";
        let none = partial(id, &JsonBody::default()).unwrap();
        assert!(none.body().is_none() && !none.headers().contains_key(CONTENT_TYPE));
        let mut body = JsonBody::default();
        body.set("name", "Widget");
        let some = partial(id, &body).unwrap();
        assert_eq!(
            some.body().and_then(|b| b.as_bytes()),
            Some(&br#"{"name":"Widget"}"#[..])
        );
        // Arguments are still checked.
        let err = partial("nope", &body).unwrap_err();
        assert!(err.to_string().contains("must be a UUID"), "{err}");
    }

    #[test]
    fn an_optional_body_left_unset_sends_nothing_and_a_required_one_sends_an_object() {
        let none = request(|e| {
            e.path("id", "1")?;
            e.json(&JsonBody::default(), false, &[])
        })
        .unwrap();
        assert!(none.body().is_none() && !none.headers().contains_key(CONTENT_TYPE));
        let empty = request(|e| {
            e.path("id", "1")?;
            e.json(&JsonBody::default(), true, &[])
        })
        .unwrap();
        assert_eq!(empty.body().and_then(|b| b.as_bytes()), Some(&b"{}"[..]));
    }

    #[test]
    fn setting_a_property_on_a_non_object_body_is_an_error_when_sent() {
        let mut body = JsonBody::default();
        body.replace(&[1, 2]);
        body.set("a", &1);
        let err = request(|e| {
            e.path("id", "1")?;
            e.json(&body, true, &[])
        })
        .unwrap_err();
        assert!(err.to_string().contains("not a JSON object"), "{err}");
    }
}
