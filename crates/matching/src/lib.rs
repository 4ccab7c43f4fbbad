//! Matching shared influence-operation signals against a platform's content.
//!
//! * [`canon`] reduces URLs, domains, accounts, IPs, e-mails and hashes to
//!   canonical keys, so `hxxps://www.Example[.]com/a/?utm_source=x` and
//!   `example.com/a` are one object.
//! * [`exact`] indexes shared signals by those keys and answers "which
//!   signals does this value match?", updated one signal at a time.
//! * [`lookalike`] flags domains imitating protected outlets (`spiegel.ltd`,
//!   `t-onlinr.com`, `theguardian.co.com`).
//!
//! The crate is pure: no IO, no async.
//!
//! ```
//! use crosswatch_matching::canon::canonical_url;
//! use crosswatch_matching::lookalike::LookalikeIndex;
//!
//! let url = canonical_url("hxxps://www.bild[.]pics/politik/?fbclid=abc").unwrap();
//! assert_eq!(url.key(), "https://bild.pics/politik");
//!
//! let outlets = LookalikeIndex::example_news_outlets();
//! let hit = &outlets.check(url.host())[0];
//! assert_eq!((hit.protected.as_str(), hit.reason.to_string()), ("bild.de", "tld-swap".into()));
//! ```

pub mod canon;
pub mod exact;
pub mod lookalike;

pub use canon::{CanonError, CanonicalUrl, canonical_url, registrable_domain};
pub use exact::{ExactIndex, SignalKind};
pub use lookalike::{LookalikeHit, LookalikeIndex, LookalikeReason};
