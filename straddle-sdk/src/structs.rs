//! What every generated struct shares, written once; the generated code
//! gives each struct its fields and constructor and invokes [`api_struct!`].

/// Gives the generated struct `$name` (with an `extra` map of the fields
/// this version of the SDK does not know) the methods every API struct has.
macro_rules! api_struct {
    ($name:ident) => {
        impl $name {
            /// Adds a field this version of the SDK does not know, kept in
            /// `extra` and written with the others.
            #[must_use]
            pub fn with_extra(
                mut self,
                key: impl ::std::convert::Into<::std::string::String>,
                value: impl ::std::convert::Into<::serde_json::Value>,
            ) -> Self {
                self.extra.insert(key.into(), value.into());
                self
            }
        }
    };
}
pub(crate) use api_struct;
