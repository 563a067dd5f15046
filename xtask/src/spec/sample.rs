//! Sample JSON values for OpenAPI 3.0 schemas, used to call every operation
//! against a Prism mock server whose request validation must accept them.

use serde_json::{Map, Value, json};

type Schema = Map<String, Value>;

/// Deepest `$ref`/nesting level followed; deeper schemas sample as a plain string.
const MAX_DEPTH: usize = 32;

/// Most repetitions of a string or array item; a larger `minLength`/`minItems`/`{n}` is absurd.
const MAX_REPEAT: usize = 10_000;

/// A JSON value that validates against `schema` (an OpenAPI 3.0 schema object;
/// `$ref`s of the form `#/components/schemas/X` resolve against `doc`).
pub fn sample(doc: &Value, schema: &Value) -> Value {
    gen_value(doc, &flatten(doc, Some(schema), 0), 0)
}

/// The array under `key`, or nothing.
fn list<'a>(s: &'a Schema, key: &str) -> impl Iterator<Item = &'a Value> + use<'a> {
    s.get(key).and_then(Value::as_array).into_iter().flatten()
}

/// Merges `$ref` targets, `allOf` parts and the first `oneOf`/`anyOf` branch into one schema.
fn flatten(doc: &Value, schema: Option<&Value>, depth: usize) -> Schema {
    let mut out = Schema::new();
    let node = match schema.and_then(Value::as_object) {
        Some(node) if depth <= MAX_DEPTH => node,
        _ => return out,
    };
    // A `$ref` target is merged first so that its siblings (`example`, `default`) win.
    if let Some(target) = node.get("$ref").and_then(Value::as_str) {
        let resolved = target.strip_prefix('#').and_then(|p| doc.pointer(p));
        merge(&mut out, flatten(doc, resolved, depth + 1));
    }
    // `allOf` contributes every part; `oneOf`/`anyOf` only their first branch.
    let first = |k| list(node, k).take(1);
    let branches = first("oneOf").chain(first("anyOf"));
    for part in list(node, "allOf").chain(branches) {
        merge(&mut out, flatten(doc, Some(part), depth + 1));
    }
    merge(&mut out, node.clone());
    out
}

/// Concatenates `required`, merges `properties`, skips (flattened) combinators, overrides the rest.
fn merge(into: &mut Schema, from: Schema) {
    for (key, value) in from {
        match (key.as_str(), into.get_mut(&key), value) {
            ("$ref" | "allOf" | "oneOf" | "anyOf", ..) => {}
            // A name required twice just samples twice into the same field.
            ("required", Some(Value::Array(have)), Value::Array(more)) => have.extend(more),
            ("properties", Some(Value::Object(have)), Value::Object(more)) => have.extend(more),
            (_, _, value) => drop(into.insert(key, value)),
        }
    }
}

/// The schema's type: a string, or the first non-`"null"` entry of a `[T, "null"]` list.
fn type_of(s: &Schema) -> Option<&str> {
    match s.get("type")? {
        Value::String(t) => Some(t),
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ => None,
    }
}

/// Samples a flattened schema; untyped ones are objects if they declare properties, else strings.
fn gen_value(doc: &Value, s: &Schema, depth: usize) -> Value {
    if let Some(v) = given(s) {
        return v;
    }
    match type_of(s) {
        Some("object") => object(doc, s, depth),
        Some("array") => array(doc, s, depth),
        Some("integer" | "number") => number(s),
        Some("boolean") => Value::Bool(true),
        None if s.contains_key("properties") || s.contains_key("required") => object(doc, s, depth),
        _ => Value::String(string(s)),
    }
}

/// `const`, `example`, first of `examples`, `default`, then the first `enum` value; a candidate
/// must have the schema's type, be in the `enum` and not be null (`nullable` never yields null).
fn given(s: &Schema) -> Option<Value> {
    let allowed: Vec<&Value> = list(s, "enum").collect();
    let fits = |v: &Value| match type_of(s) {
        Some("string") => v.is_string(),
        Some("integer") => v.is_i64() || v.is_u64(),
        Some("number") => v.is_number(),
        Some("boolean") => v.is_boolean(),
        Some("array") => v.is_array(),
        Some("object") => v.is_object(),
        _ => !v.is_null(),
    };
    let ok = |v: &&Value| !v.is_null() && fits(v) && (allowed.is_empty() || allowed.contains(v));
    let candidate = |k: &str| match s.get(k)? {
        v if k == "examples" => v.as_array()?.first(),
        v => Some(v),
    };
    let keys = ["const", "example", "examples", "default"];
    let candidates = keys.into_iter().filter_map(candidate);
    candidates.chain(allowed.iter().copied()).find(ok).cloned()
}

/// Objects hold only their `required` properties (nothing else), each sampled recursively.
fn object(doc: &Value, s: &Schema, depth: usize) -> Value {
    let props = s.get("properties").and_then(Value::as_object);
    let extra = s.get("additionalProperties").filter(|a| a.is_object());
    let fields = list(s, "required").filter_map(Value::as_str).map(|name| {
        let prop = flatten(doc, props.and_then(|p| p.get(name)).or(extra), depth + 1);
        (name.to_owned(), gen_value(doc, &prop, depth + 1))
    });
    Value::Object(fields.collect())
}

/// Arrays hold `max(minItems, 1)` sampled items (but at most `maxItems`).
fn array(doc: &Value, s: &Schema, depth: usize) -> Value {
    let bound = |k: &str, or: usize| s.get(k).and_then(Value::as_u64).map_or(or, |n| n as usize);
    let at_least = bound("minItems", 1).clamp(1, MAX_REPEAT);
    let count = at_least.min(bound("maxItems", usize::MAX));
    let items = flatten(doc, s.get("items"), depth + 1);
    Value::Array(vec![gen_value(doc, &items, depth + 1); count])
}

/// Numbers are whole: 1 (or the minimum), raised past an exclusive minimum, capped by the maximum.
fn number(s: &Schema) -> Value {
    let get = |k: &str| s.get(k).and_then(Value::as_f64);
    // 3.0 writes `exclusiveMinimum: true` beside `minimum`; 3.1 gives the exclusive bound itself.
    let open = |flag: &str, bound: &str| match s.get(flag) {
        Some(Value::Bool(true)) => get(bound),
        _ => get(flag),
    };
    let min = get("minimum").map_or(1.0, f64::ceil);
    let lo = open("exclusiveMinimum", "minimum").map_or(min, |x| min.max(x.floor() + 1.0));
    let max = get("maximum").map_or(f64::MAX, f64::floor);
    let hi = open("exclusiveMaximum", "maximum").map_or(max, |x| max.min(x.ceil() - 1.0));
    json!(lo.min(hi) as i64)
}

/// Strings follow `format`, else a `pattern` match, else a word padded/cut to the length bounds.
fn string(s: &Schema) -> String {
    let format = match s.get("format").and_then(Value::as_str) {
        Some("uuid") => Some("3fa85f64-5717-4562-b3fc-2c963f66afa6"),
        Some("date") => Some("2024-01-15"),
        Some("date-time") => Some("2024-01-15T10:30:00Z"),
        Some("email") => Some("user@example.com"),
        Some("uri" | "url") => Some("https://example.com"),
        Some("ipv4") => Some("192.0.2.1"),
        Some("ipv6") => Some("2001:db8::1"),
        _ => None,
    };
    let pattern = s.get("pattern").and_then(Value::as_str);
    match (format, pattern.and_then(from_pattern)) {
        (Some(fixed), _) => fixed.to_owned(),
        (None, Some(matched)) => matched,
        (None, None) => {
            let len = |k: &str, or| s.get(k).and_then(Value::as_u64).map_or(or, |n| n as usize);
            let mut word = format!("{:x<1$}", "sample", len("minLength", 0).min(MAX_REPEAT));
            word.truncate(len("maxLength", usize::MAX));
            word
        }
    }
}

/// A string matching `pattern` in a small regex subset; `None` when the pattern is outside it.
fn from_pattern(pattern: &str) -> Option<String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    let out = sequence(&chars, &mut i)?;
    (i == chars.len()).then_some(out)
}

/// Atoms (literals, escapes, classes, groups) repeated per quantifier, up to `)` or the end;
/// of `a|b` the first alternative is kept, the others are parsed and dropped.
fn sequence(p: &[char], i: &mut usize) -> Option<String> {
    let mut out = String::new();
    while let Some(&c) = p.get(*i).filter(|c| **c != ')') {
        *i += 1;
        let atom = match c {
            '|' => return sequence(p, i).map(|_| out),
            '^' | '$' => continue,
            // Plain groups only: `(?` fails as a dangling quantifier.
            '(' => {
                let inner = sequence(p, i)?;
                (p.get(*i) == Some(&')')).then(|| *i += 1)?;
                inner
            }
            '[' => class(p, i)?.to_string(),
            '\\' => escape(p, i)?.to_string(),
            '.' => "a".to_owned(),
            '*' | '+' | '?' | '{' | '}' | ']' => return None,
            c => c.to_string(),
        };
        out.push_str(&atom.repeat(quantifier(p, i)?));
    }
    Some(out)
}

/// After a `\`: `\d` gives `1`, punctuation itself; other escapes (`\w`, `\b`, `\p`...) fail.
fn escape(p: &[char], i: &mut usize) -> Option<char> {
    *i += 1;
    match *p.get(*i - 1)? {
        'd' => Some('1'),
        c if c.is_ascii_alphanumeric() => None,
        c => Some(c),
    }
}

/// `[...]`: its first member (the start of a range); negated classes are unsupported.
fn class(p: &[char], i: &mut usize) -> Option<char> {
    let first = match *p.get(*i)? {
        '^' | ']' => return None,
        '\\' => escape(p, &mut (*i + 1))?,
        c => c,
    };
    while *p.get(*i)? != ']' {
        *i += if p[*i] == '\\' { 2 } else { 1 };
    }
    *i += 1;
    Some(first)
}

/// `{n}`/`{n,}`/`{n,m}` → n (up to `MAX_REPEAT`), `+` → 1, `*`/`?` → 0, none → 1; lazy `?` skipped.
fn quantifier(p: &[char], i: &mut usize) -> Option<usize> {
    let n = match p.get(*i) {
        Some('+') => 1,
        Some('*' | '?') => 0,
        Some('{') => {
            let close = p[*i..].iter().position(|c| *c == '}')? + *i;
            let body: String = p[*i + 1..close].iter().collect();
            *i = close;
            let n = body.split(',').next()?.parse().ok()?;
            (n <= MAX_REPEAT).then_some(n)?
        }
        _ => return Some(1),
    };
    *i += if p.get(*i + 1) == Some(&'?') { 2 } else { 1 };
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Asserts `sample(doc, json!(schema)) == json!(want)` for each `schema => want`.
    macro_rules! expect {
        ($doc:expr; $($schema:tt => $want:tt),+ $(,)?) => {$(
            assert_eq!(sample(&$doc, &json!($schema)), json!($want), "{}", stringify!($schema));
        )+};
    }

    fn upstream() -> Value {
        serde_json::from_str(include_str!(
            "../../../openapi/upstream/straddle-openapi.json"
        ))
        .unwrap()
    }

    #[test]
    fn objects_hold_only_required_properties() {
        expect!(json!({});
            {"type": "object", "required": ["a"],
             "properties": {"a": {"type": "boolean"}, "b": {"type": "string"}}} => {"a": true},
            {"properties": {"b": {"type": "string"}}} => {},
            {"type": "object", "required": ["x"], "additionalProperties": {"type": "integer"}}
                => {"x": 1},
        );
    }

    #[test]
    fn enum_without_example_takes_first_value() {
        expect!(json!({}); {"type": "string", "enum": ["ach", "rtp"]} => "ach");
    }

    #[test]
    fn example_is_preferred_over_enum_only_when_it_is_a_member() {
        expect!(json!({});
            {"type": "string", "enum": ["ach", "rtp"], "example": "rtp"} => "rtp",
            {"type": "string", "enum": ["ach", "rtp"], "example": "wire"} => "ach",
            {"type": "string", "nullable": true, "example": null, "default": "d"} => "d",
            {"type": "integer", "examples": [7], "default": 3} => 7,
        );
    }

    #[test]
    fn all_of_merges_parts_and_one_of_takes_the_first_branch() {
        expect!(json!({});
            {"allOf": [
                {"type": "object", "required": ["a"], "properties": {"a": {"type": "integer"}}},
                {"required": ["b"], "properties": {"b": {"type": "string", "format": "date"}}}
            ]} => {"a": 1, "b": "2024-01-15"},
            {"oneOf": [{"type": "boolean"}, {"type": "string"}], "nullable": true} => true,
        );
    }

    #[test]
    fn refs_resolve_and_their_siblings_override() {
        let doc = json!({"components": {"schemas": {"S": {"type": "string", "enum": ["x", "y"]}}}});
        expect!(doc;
            {"$ref": "#/components/schemas/S"} => "x",
            {"$ref": "#/components/schemas/S", "example": "y"} => "y",
            {"allOf": [{"$ref": "#/components/schemas/S"}], "example": "y"} => "y",
            {"$ref": "#/components/schemas/Gone"} => "sample",
        );
    }

    #[test]
    fn strings_follow_format_and_length() {
        expect!(json!({});
            {"type": "string", "format": "uuid"} => "3fa85f64-5717-4562-b3fc-2c963f66afa6",
            {"type": "string", "format": "date-time"} => "2024-01-15T10:30:00Z",
            {"type": "string", "format": "email"} => "user@example.com",
            {"type": "string", "format": "ipv4"} => "192.0.2.1",
            {"type": ["string", "null"], "minLength": 8} => "samplexx",
            {"type": "string", "maxLength": 2} => "sa",
        );
    }

    #[test]
    fn upstream_patterns_produce_matching_strings() {
        expect!(json!({});
            {"pattern": "^[0-9]{2}-[0-9]{7}$"} => "00-0000000",
            {"pattern": "^[0-9]{3}-[0-9]{2}-[0-9]{4}$"} => "000-00-0000",
            {"pattern": "^[0-9]{5}(-[0-9]{4})?$"} => "00000",
            {"pattern": "^[0-9]{9}$", "minLength": 9, "maxLength": 9} => "000000000",
            {"pattern": "^[A-Z]{2}$"} => "AA",
            {"pattern": r"^\+[1-9]\d{1,14}$"} => "+11",
            {"pattern": r"^(ab|c)\d{2,4}[\-x]?$"} => "ab11",
            {"pattern": r"^(?=x)x$"} => "sample",
            {"pattern": "^[0-9]{9}$", "example": "021000021"} => "021000021",
            {"pattern": r"^[^0-9]+$", "maxLength": 3} => "sam",
            {"pattern": r"^\p{L}\w$"} => "sample",
            {"pattern": "(["} => "sample",
        );
        // Every pattern upstream is inside the supported subset.
        let text = upstream().to_string();
        let quoted = text.split(r#""pattern":"#).skip(1);
        let found: Vec<&str> = quoted.filter_map(|q| q.split('"').nth(1)).collect();
        assert_eq!(found.len(), 20);
        for raw in found {
            let pattern: String = serde_json::from_str(&format!("\"{raw}\"")).unwrap();
            assert!(from_pattern(&pattern).is_some(), "{pattern}");
        }
    }

    #[test]
    fn numbers_respect_bounds() {
        expect!(json!({});
            {"type": "integer"} => 1,
            {"type": "integer", "minimum": 5, "maximum": 9} => 5,
            {"type": "integer", "minimum": 5, "exclusiveMinimum": true} => 6,
            {"type": "integer", "exclusiveMinimum": 5} => 6,
            {"type": "integer", "maximum": 0} => 0,
            {"type": "number", "exclusiveMinimum": 0.5, "maximum": 7} => 1,
        );
    }

    #[test]
    fn arrays_hold_max_of_min_items_and_one() {
        expect!(json!({});
            {"type": "array", "items": {"type": "boolean"}} => [true],
            {"type": "array", "items": {"enum": ["a"]}, "minItems": 3} => ["a", "a", "a"],
            {"type": "array", "items": {"type": "boolean"}, "maxItems": 0} => [],
        );
    }

    #[test]
    fn odd_shapes_do_not_panic_and_output_is_deterministic() {
        let doc = upstream();
        expect!(doc; null => "sample", true => "sample", {"type": 7, "required": "x"} => {});
        expect!(doc; {"items": 1} => "sample", {"required": [1, "a"]} => {"a": "sample"});
        expect!(doc; {"pattern": "^a{999999999}$"} => "sample", {"examples": {"a": 1}} => "sample");
        let body = json!({"$ref": "#/components/schemas/CreateCustomerV1Request"});
        let first = sample(&doc, &body);
        assert_eq!(first, sample(&doc, &body));
        assert!(first.get("name").is_some_and(Value::is_string), "{first}");
    }
}
