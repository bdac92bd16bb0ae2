//! `report.html`: the Markdown report's sections, in the same order and from the same
//! [`Page`], rendered as one self-contained page with interactive views beside the text
//! (one outline, two renderers: `markdown.rs` writes the sections, this renders them).
//!
//! The page is a template (`report.html`, auto-escaped by minijinja) holding the section
//! text (the Markdown converted by pulldown-cmark, each figure replaced by a chart of the
//! same figure), the data as JSON in `<script type="application/json">` blocks ([`model`]),
//! the page's own script and style, and the charting library, Apache ECharts, compiled in
//! from `vendor/` (its version, source and checksum in `vendor/README.md`). No file
//! beside it and no network are needed to open it; served by `sweep serve`, it also polls
//! `live.json` and shows the sweep as it runs.

pub(crate) mod model;

use minijinja::{Environment, context};
use pulldown_cmark::{Event, Options as Markdown, Parser, Tag, TagEnd, html};
use serde::Serialize;

use super::markdown::{self, Page, Part};
use crate::error::{Error, Result};

const TEMPLATE: &str = include_str!("report.html");
const SCRIPT: &str = include_str!("app.js");
const STYLE: &str = include_str!("style.css");
/// Apache ECharts' `dist/echarts.min.js`, as the npm registry's package has it.
pub(crate) const ECHARTS: &str = include_str!("vendor/echarts.min.js");
/// Its version and sha256, checked by a test against the file compiled in.
pub(crate) const ECHARTS_VERSION: &str = "6.1.0";
pub(crate) const ECHARTS_SHA256: &str =
    "b66b25aeb4df84e33199dc21694014d336d222cbd9deb0e5a7c14bd6aa0d0fd0";

/// One section of the page: which part of the report, and its text as HTML.
#[derive(Serialize)]
struct SectionHtml {
    part: &'static str,
    html: String,
}

/// The page of `page`'s report.
pub(crate) fn report(page: &Page<'_>) -> Result<String> {
    let data = model::data(page);
    let seeds = model::seed_curves(page.sweep, data.points);
    let sections: Vec<SectionHtml> = markdown::sections(page)
        .iter()
        .map(|s| SectionHtml {
            part: part_name(s.part),
            html: to_html(&s.markdown),
        })
        .collect();
    render(
        &page_title(page.name),
        &sections,
        &json(&data),
        &json(&seeds),
    )
}

/// A page with no report yet (the sweep has not written one): only the live view, for
/// `sweep serve` while the first sweep into a directory runs.
pub(crate) fn live_page(name: &str) -> Result<String> {
    render(&page_title(name), &[], "null", "null")
}

fn page_title(name: &str) -> String {
    format!("Sweep report: {name}")
}

fn render(title: &str, sections: &[SectionHtml], data: &str, seeds: &str) -> Result<String> {
    let mut env = Environment::new();
    let failed = |e: minijinja::Error| {
        Error::io(
            std::path::Path::new("report.html"),
            std::io::Error::other(format!("cannot render the HTML report's template: {e}")),
        )
    };
    env.add_template("report.html", TEMPLATE).map_err(failed)?;
    let template = env.get_template("report.html").map_err(failed)?;
    template
        .render(context! {
            title,
            sections,
            data,
            seeds,
            script => SCRIPT,
            style => STYLE,
            echarts => ECHARTS,
            echarts_version => ECHARTS_VERSION,
            echarts_sha256 => ECHARTS_SHA256,
        })
        .map_err(failed)
}

fn part_name(part: Part) -> &'static str {
    match part {
        Part::Head => "head",
        Part::Race => "race",
        Part::Shares => "shares",
        Part::Best => "best",
        Part::Halving => "halving",
        Part::Overview => "overview",
        Part::Effects => "effects",
        Part::Differences => "differences",
        Part::Article => "article",
        Part::Curves => "curves",
        Part::All => "all",
    }
}

/// A section's Markdown as HTML, each figure (`![name](plots/name)`) replaced by the place
/// its chart is drawn in, with a link to the PNG (a link, not a request: the page loads
/// nothing beside itself).
pub(crate) fn to_html(md: &str) -> String {
    let mut events = Vec::new();
    let mut in_image = false;
    for event in Parser::new_ext(md, Markdown::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Image { dest_url, .. }) => {
                in_image = true;
                let name = dest_url.trim_start_matches("plots/");
                events.push(Event::Html(figure_html(name).into()));
            }
            Event::End(TagEnd::Image) => in_image = false,
            _ if in_image => {}
            // Raw HTML in the text (an experiment's description) is shown, never run.
            Event::Html(text) | Event::InlineHtml(text) => events.push(Event::Text(text)),
            event => events.push(event),
        }
    }
    let mut out = String::new();
    html::push_html(&mut out, events.into_iter());
    out
}

fn figure_html(name: &str) -> String {
    let escaped = escape(name);
    format!(
        "<span class=\"figure\" data-figure=\"{escaped}\"></span>\
         <a class=\"png\" href=\"plots/{escaped}\">PNG</a>"
    )
}

/// Text safe inside an HTML attribute or element.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `value` as JSON that can sit inside a `<script>` element: `<`, `>` and `&` (which JSON
/// has only inside strings) as `\u` escapes, so no `</script>` or `<!--` can end it early.
pub(crate) fn json(value: &impl Serialize) -> String {
    let text = serde_json::to_string(value).unwrap_or_else(|_| "null".into());
    text.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    #[test]
    fn the_compiled_in_library_is_the_recorded_one() {
        let digest = Sha256::digest(ECHARTS.as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, ECHARTS_SHA256);
        let readme = include_str!("vendor/README.md");
        assert!(
            readme.contains(ECHARTS_SHA256),
            "vendor/README.md names another file"
        );
        assert!(readme.contains(&format!("echarts@{ECHARTS_VERSION}")));
    }

    #[test]
    fn json_cannot_close_its_script_element() {
        let text = json(&vec!["</script><!-- & >"]);
        assert!(!text.contains('<') && !text.contains('>') && !text.contains('&'));
        let back: Vec<String> = serde_json::from_str(&text).unwrap();
        assert_eq!(back, ["</script><!-- & >"]);
    }

    #[test]
    fn figures_become_charts_and_text_is_escaped() {
        let html = to_html("## A <b>\n\n![heatmap-a-b.png](plots/heatmap-a-b.png)\n\n`x<y`\n");
        assert!(html.contains("data-figure=\"heatmap-a-b.png\""), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("<code>x&lt;y</code>"), "{html}");
        assert!(html.contains("A &lt;b&gt;"), "{html}");
    }

    #[test]
    fn thinning_keeps_the_ends_and_at_most_the_points() {
        let list: Vec<u32> = (1..=1000).collect();
        let kept: Vec<u32> = model::thin(&list, 120).copied().collect();
        assert!(kept.len() <= 121, "{}", kept.len());
        assert_eq!(kept.first(), Some(&1));
        assert_eq!(kept.last(), Some(&1000));
        let short: Vec<u32> = model::thin(&list[..5], 120).copied().collect();
        assert_eq!(short, [1, 2, 3, 4, 5]);
        assert_eq!(model::round4(0.123456789), 0.1235);
        assert_eq!(model::round4(1234567.0), 1235000.0);
    }
}
