//! One module per subcommand.

pub mod convert;
pub mod detect;
pub mod hash;
pub mod inspect;
pub mod matching;
pub mod source;
pub mod taxonomy;
