//! Arbitrary bytes as a response body: parsing must never panic, and any
//! value that parses must survive serialize -> parse unchanged.
//!
//! Run from `fuzz/` with the stable toolchain (`cargo install cargo-fuzz`;
//! `RUSTC_BOOTSTRAP=1` lets stable rustc take cargo-fuzz's `-Z` flags),
//! seeding the corpus with the documented examples:
//!
//! ```sh
//! mkdir -p corpus/decode_response && cp ../tests/fixtures/*.json corpus/decode_response/
//! RUSTC_BOOTSTRAP=1 cargo fuzz run decode_response -- -max_total_time=60
//! ```
#![no_main]

use libfuzzer_sys::fuzz_target;
use straddle_sdk::types::{CustomerV1ItemResponse, ErrorResponse};

/// Parses `$data` as `$ty`; when that works, checks the round trip.
macro_rules! round_trip {
    ($ty:ty, $data:expr) => {
        if let Ok(value) = serde_json::from_slice::<$ty>($data) {
            let text = serde_json::to_vec(&value).expect("a parsed value serializes");
            let again = serde_json::from_slice::<$ty>(&text).unwrap_or_else(|e| {
                panic!(
                    "{} does not parse back: {e}\n{}",
                    stringify!($ty),
                    String::from_utf8_lossy(&text)
                )
            });
            assert_eq!(value, again, "{} changed in a round trip", stringify!($ty));
        }
    };
}

fuzz_target!(|data: &[u8]| {
    round_trip!(CustomerV1ItemResponse, data);
    round_trip!(ErrorResponse, data);
});
