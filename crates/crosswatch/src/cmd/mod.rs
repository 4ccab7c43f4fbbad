//! One module per subcommand.

pub mod admin;
pub mod convert;
pub mod demo;
pub mod detect;
pub mod hash;
pub mod inspect;
pub mod matching;
pub mod node;
pub mod report;
pub mod serve;
pub mod source;
pub mod taxonomy;
