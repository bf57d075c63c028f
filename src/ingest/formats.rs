//! File formats: which reader a file needs (by content first, then extension), and the readers
//! that turn HTML pages and Word `.docx` files into plain text lines for the rest of ingest.
//!
//! HTML: the main text is the block holding the most Chinese paragraph text (portal pages wrap
//! it in `TRS_Editor`, `zoom`, `content` … containers); navigation, scripts and footers are
//! dropped. The page title and its chrome lines (breadcrumb, 来源/发布日期/访问量) are kept
//! above the main text, where ingest files them as the document header: still searchable, never
//! part of an article.

use std::io::Read;
use std::path::Path;

use quick_xml::events::Event;
use scraper::{ElementRef, Html, Node, Selector};

use super::meta::is_meta_line;

/// How a file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Html,
    Docx,
    Pdf,
}

const TEXT_EXT: &[&str] = &["txt", "md", "markdown", "text"];
const HTML_EXT: &[&str] = &["html", "htm", "shtml", "xhtml"];

/// The format of a file by its extension alone (what the watcher uses to pick files up).
pub fn by_extension(path: &Path) -> Option<Format> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    if TEXT_EXT.contains(&ext.as_str()) {
        Some(Format::Text)
    } else if HTML_EXT.contains(&ext.as_str()) {
        Some(Format::Html)
    } else if ext == "docx" {
        Some(Format::Docx)
    } else if ext == "pdf" {
        Some(Format::Pdf)
    } else {
        None
    }
}

/// Why a file type is not read, in words a clerk understands.
pub fn unsupported_reason(path: &Path) -> String {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "doc" | "wps" => {
            format!("old binary Word/WPS format (.{ext}) is not supported: save it as .docx")
        }
        "" => "file without an extension: not read".to_string(),
        _ => format!("unsupported file type .{ext} (read: .txt .md .html .htm .docx .pdf)"),
    }
}

/// The format of a file from its bytes, falling back to its extension: a zip holding
/// `word/document.xml` is a Word file and a file opening with `<!DOCTYPE html` or `<html` is a
/// page, whatever they are called. A `.txt` that merely contains markup stays text.
pub fn detect(path: &Path, bytes: &[u8]) -> Option<Format> {
    if bytes.starts_with(b"PK\x03\x04") {
        return Some(Format::Docx);
    }
    if bytes.starts_with(b"%PDF-") {
        return Some(Format::Pdf);
    }
    let head: String = String::from_utf8_lossy(&bytes[..bytes.len().min(512)])
        .trim_start_matches('\u{feff}')
        .trim_start()
        .chars()
        .take(15)
        .collect::<String>()
        .to_ascii_lowercase();
    if head.starts_with("<!doctype html") || head.starts_with("<html") {
        return Some(Format::Html);
    }
    by_extension(path)
}

const SKIP: &[&str] = &[
    "script", "style", "noscript", "template", "iframe", "select", "option", "button", "input",
    "textarea", "nav", "svg", "head",
];
const BLOCK: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "table",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "center",
    "hr",
    "header",
    "footer",
    "main",
    "aside",
    "form",
    "title",
];

/// An element's id and classes, lower-cased, to recognise page furniture by name.
fn marks(el: ElementRef) -> String {
    let v = el.value();
    format!(
        "{} {}",
        v.id().unwrap_or(""),
        v.classes().collect::<Vec<_>>().join(" ")
    )
    .to_ascii_lowercase()
}

/// True for page footers (copyright, site id): not even header material.
fn is_footer(el: ElementRef) -> bool {
    let marks = marks(el);
    el.value().name() == "footer"
        || ["footer", "foot", "copyright", "bottom"]
            .iter()
            .any(|m| marks.contains(m))
}

/// The text of an element with a line break around every block element.
fn block_text(el: ElementRef, out: &mut String) {
    block_text_with(el, out, false)
}

fn block_text_with(el: ElementRef, out: &mut String, skip_footer: bool) {
    for child in el.children() {
        match child.value() {
            Node::Text(t) => out.push_str(t),
            Node::Element(e) => {
                let name = e.name();
                if SKIP.contains(&name) {
                    continue;
                }
                let block = BLOCK.contains(&name);
                if block {
                    out.push('\n');
                }
                if name == "td" || name == "th" {
                    out.push(' ');
                }
                if let Some(c) = ElementRef::wrap(child) {
                    if skip_footer && is_footer(c) {
                        continue;
                    }
                    block_text_with(c, out, skip_footer);
                }
                if block {
                    out.push('\n');
                }
            }
            _ => {}
        }
    }
}

fn cjk_count(s: &str) -> usize {
    s.chars().filter(|&c| crate::chars::is_cjk(c)).count()
}

/// True inside navigation, headers, footers and link lists: never the main text.
fn in_chrome(el: ElementRef) -> bool {
    el.ancestors()
        .filter_map(ElementRef::wrap)
        .chain(std::iter::once(el))
        .any(|a| {
            let marks = marks(a);
            matches!(a.value().name(), "nav" | "header" | "footer" | "aside")
                || [
                    "nav",
                    "menu",
                    "footer",
                    "foot",
                    "header",
                    "copyright",
                    "sidebar",
                    "breadcrumb",
                    "crumb",
                    "position",
                    "location",
                    "share",
                ]
                .iter()
                .any(|m| marks.contains(m))
        })
}

/// The main text of an HTML page, preceded by its title and chrome lines (see the module doc).
pub fn html_to_text(html: &str) -> String {
    let doc = Html::parse_document(html);
    let sel = |s: &str| Selector::parse(s).expect("valid selector");
    // Score each element by the Chinese text of its paragraphs and direct text lines.
    let mut best: Option<(usize, ElementRef)> = None;
    let mut scores = std::collections::HashMap::new();
    for p in doc.select(&sel("p, div, td, span, font, li")) {
        if in_chrome(p) {
            continue;
        }
        let own: usize = p
            .children()
            .filter_map(|c| match c.value() {
                Node::Text(t) => Some(cjk_count(t)),
                _ => None,
            })
            .sum();
        if own < 8 {
            continue;
        }
        let links: usize = p
            .select(&sel("a"))
            .map(|a| cjk_count(&a.text().collect::<String>()))
            .sum();
        let gain = own.saturating_sub(links);
        for (depth, anc) in p
            .ancestors()
            .filter_map(ElementRef::wrap)
            .take(3)
            .enumerate()
        {
            let share = if depth == 0 { gain } else { gain / (depth + 1) };
            let e = scores.entry(anc.id()).or_insert((0usize, anc));
            e.0 += share;
        }
    }
    for (_, (score, el)) in scores {
        if el.value().name() != "body" && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, el));
        }
    }
    let mut main = String::new();
    match best {
        Some((_, el)) => block_text(el, &mut main),
        None => {
            if let Some(body) = doc.select(&sel("body")).next() {
                block_text(body, &mut main);
            }
        }
    }
    // Title: the page's <h1>, else its <title> without the site name.
    let h1 = doc
        .select(&sel("h1"))
        .map(|h| h.text().collect::<String>())
        .find(|t| cjk_count(t) >= 4);
    let title = h1.or_else(|| {
        let t: String = doc.select(&sel("title")).next()?.text().collect();
        t.split(['_', '|', '－'])
            .map(str::trim)
            .max_by_key(|p| cjk_count(p))
            .map(str::to_string)
    });
    // Chrome lines of the whole page (breadcrumb, 来源, 发布日期 …) go into the header.
    let mut all = String::new();
    if let Some(body) = doc.select(&sel("body")).next() {
        block_text_with(body, &mut all, true);
    }
    let main_lines: std::collections::HashSet<&str> = main.lines().map(str::trim).collect();
    let chrome: Vec<&str> = all
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty() && l.chars().count() <= 200 && is_meta_line(l) && !main_lines.contains(l)
        })
        .collect();
    let mut out = String::new();
    if let Some(t) = title.filter(|t| !main.trim_start().starts_with(t.trim())) {
        out.push_str(t.trim());
        out.push('\n');
    }
    for l in chrome {
        out.push_str(l);
        out.push('\n');
    }
    out.push_str(&main);
    out
}

/// Why a Word file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DocxError {
    #[error("corrupt .docx (not a readable zip archive: {0})")]
    Zip(String),
    #[error("not a Word document (no word/document.xml)")]
    NotWord,
    #[error("corrupt .docx (bad XML: {0})")]
    Xml(String),
}

/// The paragraphs of a `.docx`, one per line.
pub fn docx_to_text(bytes: &[u8]) -> Result<String, DocxError> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| DocxError::Zip(e.to_string()))?;
    let mut xml = String::new();
    {
        let mut f = zip
            .by_name("word/document.xml")
            .map_err(|_| DocxError::NotWord)?;
        // A bomb guard: Word bodies are far below this.
        f.by_ref()
            .take(200 << 20)
            .read_to_string(&mut xml)
            .map_err(|e| DocxError::Zip(e.to_string()))?;
    }
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut out = String::new();
    let mut in_text = false;
    loop {
        match reader
            .read_event()
            .map_err(|e| DocxError::Xml(e.to_string()))?
        {
            Event::Start(e) if e.name().as_ref() == b"w:t" => in_text = true,
            Event::End(e) if e.name().as_ref() == b"w:t" => in_text = false,
            Event::End(e) if e.name().as_ref() == b"w:p" => out.push('\n'),
            Event::Empty(e) if matches!(e.name().as_ref(), b"w:br" | b"w:cr") => out.push('\n'),
            Event::Empty(e) if e.name().as_ref() == b"w:tab" => out.push('\t'),
            Event::Text(t) if in_text => {
                let s = t.decode().map_err(|e| DocxError::Xml(e.to_string()))?;
                out.push_str(
                    &quick_xml::escape::unescape(&s).map_err(|e| DocxError::Xml(e.to_string()))?,
                );
            }
            Event::GeneralRef(r) if in_text => {
                let name = r.decode().map_err(|e| DocxError::Xml(e.to_string()))?;
                let entity = format!("&{name};");
                out.push_str(&quick_xml::escape::unescape(&entity).unwrap_or_default());
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// Why a PDF could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("encrypted or password-protected PDF")]
    Encrypted,
    #[error("cannot read this PDF ({0})")]
    Unreadable(String),
    #[error("PDF without a text layer (a scan?): OCR is not supported")]
    NoText,
}

/// A page number line: `— 3 —`, `- 3 -`, `第3页`, `3/10`, `3`.
fn is_page_number(line: &str) -> bool {
    let t: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    let core =
        t.trim_matches(|c: char| matches!(c, '—' | '-' | '－' | '–' | '·' | '[' | ']' | '(' | ')'));
    let core = core
        .strip_prefix('第')
        .and_then(|c| c.strip_suffix('页'))
        .unwrap_or(core);
    let digits = |s: &str| !s.is_empty() && s.len() <= 4 && s.chars().all(|c| c.is_ascii_digit());
    digits(core)
        || core
            .split_once('/')
            .is_some_and(|(a, b)| digits(a) && digits(b))
}

/// The text layer of a PDF, page by page, without page numbers and without running headers or
/// footers (a line repeated at the top or bottom of most pages).
pub fn pdf_to_text(bytes: &[u8]) -> Result<String, PdfError> {
    let pages = std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem_by_pages(bytes))
        .map_err(|_| PdfError::Unreadable("the PDF reader failed on it".into()))?
        .map_err(|e| {
            let msg = e.to_string();
            let lower = msg.to_ascii_lowercase();
            if lower.contains("encrypt") || lower.contains("decrypt") || lower.contains("password")
            {
                PdfError::Encrypted
            } else if lower.contains("cross reference")
                || lower.contains("xref")
                || lower.contains("trailer")
                || lower.contains("eof")
            {
                PdfError::Unreadable(format!("corrupt or truncated file: {msg}"))
            } else {
                PdfError::Unreadable(msg)
            }
        })?;
    let lines: Vec<Vec<&str>> = pages
        .iter()
        .map(|p| p.lines().map(str::trim).filter(|l| !l.is_empty()).collect())
        .collect();
    let mut edges: std::collections::HashMap<&str, usize> = Default::default();
    for page in &lines {
        let mut ends: Vec<&str> = page
            .iter()
            .take(1)
            .chain(page.iter().rev().take(1))
            .copied()
            .collect();
        ends.dedup();
        for l in ends {
            *edges.entry(l).or_default() += 1;
        }
    }
    let running = |l: &str| lines.len() >= 3 && edges.get(l).is_some_and(|&n| n * 2 > lines.len());
    let mut out = String::new();
    for page in &lines {
        for l in page {
            if !is_page_number(l) && !running(l) {
                out.push_str(l);
                out.push('\n');
            }
        }
    }
    if !out.chars().any(crate::chars::is_cjk) && out.trim().chars().count() < 20 {
        return Err(PdfError::NoText);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_main_text_without_navigation() {
        let html = r#"<!DOCTYPE html><html><head><title>关于推进政务公开的通知_某县人民政府</title>
            <script>var x = "不要这个";</script></head><body>
            <div class="nav"><a href="/">首页</a><a href="/a">政务公开</a><a href="/b">政务服务</a><a>互动交流</a></div>
            <div class="position">您当前所在位置：首页 &gt; 政务公开 &gt; 通知公告</div>
            <div class="info">来源：某县人民政府办公室 发布日期：2023-05-06 访问量：</div>
            <div class="TRS_Editor"><p>各乡镇人民政府，县政府各部门：</p>
            <p>为进一步推进基层政务公开标准化规范化工作，现将有关事项通知如下。</p>
            <p>一、提高认识&nbsp;加强领导。各单位要高度重视政务公开工作。</p></div>
            <div class="footer">版权所有：某县人民政府 网站标识码 1234567890</div></body></html>"#;
        let t = html_to_text(html);
        assert!(
            t.contains("为进一步推进基层政务公开标准化规范化工作"),
            "{t}"
        );
        assert!(t.starts_with("关于推进政务公开的通知\n"), "{t}");
        assert!(
            t.contains("您当前所在位置") && t.contains("来源：某县人民政府办公室"),
            "{t}"
        );
        assert!(
            !t.contains("不要这个") && !t.contains("互动交流") && !t.contains("网站标识码"),
            "{t}"
        );
    }

    #[test]
    fn detects_by_content() {
        assert_eq!(
            detect(Path::new("a.txt"), b"<!DOCTYPE html><html>"),
            Some(Format::Html)
        );
        assert_eq!(
            detect(Path::new("a.txt"), b"<b>text</b>"),
            Some(Format::Text)
        );
        assert_eq!(
            detect(Path::new("a.bin"), b"PK\x03\x04...."),
            Some(Format::Docx)
        );
        assert_eq!(detect(Path::new("a.doc"), b"\xd0\xcf\x11\xe0"), None);
    }

    #[test]
    fn page_numbers() {
        for p in ["— 3 —", "- 12 -", "第3页", "3/10", "7"] {
            assert!(is_page_number(p), "{p}");
        }
        for p in ["2020年", "第三条", "12345热线", "一、"] {
            assert!(!is_page_number(p), "{p}");
        }
    }

    #[test]
    fn bad_pdf_is_an_error() {
        assert!(pdf_to_text(b"%PDF-1.4 garbage").is_err());
    }

    #[test]
    fn bad_docx_is_an_error() {
        assert!(matches!(
            docx_to_text(b"PK\x03\x04garbage"),
            Err(DocxError::Zip(_))
        ));
    }
}
