//! One module per subcommand.

pub mod convert;
pub mod detect;
pub mod hash;
pub mod inspect;
pub mod matching;
pub mod node;
pub mod report;
pub mod source;
pub mod taxonomy;
