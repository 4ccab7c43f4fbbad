//! A tiny document model rendered to Markdown or HTML, so every piece of
//! prose is written once and escaped in exactly one place.

use crate::escape;

/// One block of a document. All text is plain and escaped on rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Block {
    /// A heading of level 1–4.
    Heading(u8, String),
    /// A paragraph.
    Para(String),
    /// A bulleted list.
    List(Vec<String>),
    /// Trusted markup produced by this crate (an SVG chart); HTML only.
    RawHtml(String),
}

/// Renders blocks as Markdown.
pub(crate) fn to_markdown(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks {
        match block {
            Block::Heading(level, text) => {
                out.push_str(&"#".repeat(usize::from((*level).clamp(1, 6))));
                out.push(' ');
                out.push_str(&escape::markdown(text));
                out.push_str("\n\n");
            }
            Block::Para(text) => {
                out.push_str(&escape::markdown(text));
                out.push_str("\n\n");
            }
            Block::List(items) => {
                if items.is_empty() {
                    out.push_str("None.\n\n");
                    continue;
                }
                for item in items {
                    out.push_str("- ");
                    out.push_str(&escape::markdown(item));
                    out.push('\n');
                }
                out.push('\n');
            }
            Block::RawHtml(_) => {}
        }
    }
    out
}

/// Renders blocks as an HTML fragment.
pub(crate) fn to_html(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks {
        match block {
            Block::Heading(level, text) => {
                let level = (*level).clamp(1, 6);
                out.push_str(&format!("<h{level}>{}</h{level}>\n", escape::html(text)));
            }
            Block::Para(text) => out.push_str(&format!("<p>{}</p>\n", escape::html(text))),
            Block::List(items) => {
                if items.is_empty() {
                    out.push_str("<p>None.</p>\n");
                    continue;
                }
                out.push_str("<ul>\n");
                for item in items {
                    out.push_str(&format!("<li>{}</li>\n", escape::html(item)));
                }
                out.push_str("</ul>\n");
            }
            Block::RawHtml(markup) => {
                out.push_str(markup);
                out.push('\n');
            }
        }
    }
    out
}
