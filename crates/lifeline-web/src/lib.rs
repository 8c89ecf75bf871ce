//! lifeline-web: the dashboard's pages, without the server. Views are plain structs
//! rendered by askama templates (`templates/`, HTML-escaped by default); charts are drawn
//! here as SVG on the server; the supply map's layout is computed here and drawn in the
//! browser; static files are embedded in the binary ([`assets`]). Nothing here reads a
//! file, the clock or the network: `lifeline-server` loads what a page shows and hands it
//! over.

pub mod assets;
pub mod chart;
pub mod format;
pub mod map;
pub mod pages;

pub use askama::Template;
pub use pages::{Chrome, Tab};

/// Why a page could not be rendered: a template failed (a bug, not bad input).
#[derive(Debug, thiserror::Error)]
#[error("rendering the page: {0}")]
pub struct RenderError(#[from] askama::Error);

/// Renders a view to HTML.
pub fn render(view: &impl askama::Template) -> Result<String, RenderError> {
    Ok(view.render()?)
}
