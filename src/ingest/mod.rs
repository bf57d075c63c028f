//! Ingest: a file's bytes → a [`Document`] with its metadata, header and articles.
//!
//! Stages: [`text`] decodes and normalises lines, [`meta`] reads kind/title/date/文号/期号/issuer,
//! [`structure`] splits header from articles, [`place`] attributes each article to a locality.
//!
//! Nothing searchable is lost: every article and header part carries its *match values* — its
//! raw source span plus any line that markup removal changed — and each article the part
//! boundaries next to it ([`Edge`]), so that a short string crossing from one part into the next
//! is still found, in the article it runs into, and nowhere else.

pub mod formats;
pub mod meta;
pub mod place;
pub mod structure;
pub mod text;

use std::path::Path;

use serde::{Deserialize, Serialize};

pub use meta::Kind;

use crate::chars::{is_ignorable, stream};
use crate::lexicon;

/// Characters on each side of a part boundary kept for strings that cross it: any string of up
/// to `EDGE + 1` characters crossing a boundary lies inside its window.
pub const EDGE: usize = 7;

/// One article: the unit search returns.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct Article {
    pub id: String,
    pub title: String,
    pub text: String,
    pub locality: Option<String>,
    pub region: Option<String>,
    pub region_code: Option<String>,
    pub department: Option<String>,
    pub categories: Vec<String>,
    pub category_evidence: Vec<String>,
    /// Gazetteer id of the locality (internal; facets and filters).
    #[serde(skip)]
    pub region_id: Option<u64>,
    /// Match values for the bigram channel (see the module doc).
    #[serde(skip)]
    pub match_values: Vec<String>,
    /// The part boundaries just before and just after this article (see [`Edge`]).
    #[serde(skip)]
    pub edges: [Option<Edge>; 2],
    /// Why the title and locality were chosen (`inspect --explain`).
    #[serde(skip)]
    pub why: String,
}

/// A boundary between two parts of a file: the last [`EDGE`] characters before it and the first
/// after it. A string found in the window but in neither side crosses the boundary.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Edge {
    pub left: String,
    pub right: String,
}

/// One source file, understood.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct Document {
    pub doc_id: String,
    pub source: String,
    pub kind: Kind,
    /// The encoding the file was read in (UTF-8, GBK, Big5, UTF-16LE …).
    pub encoding: String,
    pub title: String,
    pub date: Option<String>,
    pub issue: Option<u32>,
    pub number: Option<String>,
    pub issuer: Option<String>,
    pub locality: Option<String>,
    pub region: Option<String>,
    pub region_code: Option<String>,
    /// Masthead, page chrome, section markers and footer: searchable, not part of any article.
    pub header: String,
    /// The whole normalised text.
    pub text: String,
    pub articles: Vec<Article>,
    #[serde(skip)]
    pub region_id: Option<u64>,
    #[serde(skip)]
    pub header_values: Vec<String>,
    /// Why each value was chosen (`inspect --explain`); never stored.
    #[serde(skip)]
    pub explain: Vec<String>,
}

/// Why a file was not indexed.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{0}")]
    Unsupported(String),
    #[error(transparent)]
    Docx(#[from] formats::DocxError),
    #[error(transparent)]
    Pdf(#[from] formats::PdfError),
    #[error(transparent)]
    Decode(#[from] text::DecodeError),
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    #[error("internal error while reading this file (please report it)")]
    Panic,
}

/// The stable, URL-safe id of a document: derived from its path relative to the docs folder.
pub fn doc_id(source: &str) -> String {
    let hash = blake3::hash(source.as_bytes());
    hash.to_hex()[..16].to_string()
}

/// True when this version reads files with this path's extension.
pub fn is_supported(path: &Path) -> bool {
    formats::by_extension(path).is_some()
}

/// Reads and parses one file. `source` is its path relative to the docs folder.
pub fn read_file(path: &Path, source: &str) -> Result<Document, IngestError> {
    read_bytes(path, source, &std::fs::read(path)?)
}

/// Parses a file's bytes (already read): the format is detected from the bytes, then from the
/// extension.
pub fn read_bytes(path: &Path, source: &str, bytes: &[u8]) -> Result<Document, IngestError> {
    let format = formats::detect(path, bytes)
        .ok_or_else(|| IngestError::Unsupported(formats::unsupported_reason(path)))?;
    let (text, encoding) = match format {
        formats::Format::Text => {
            let d = text::decode(bytes)?;
            (d.text, d.encoding)
        }
        formats::Format::Html => {
            let d = text::decode(bytes)?;
            (formats::html_to_text(&d.text), d.encoding)
        }
        formats::Format::Docx => (formats::docx_to_text(bytes)?, "UTF-8"),
        formats::Format::Pdf => (formats::pdf_to_text(bytes)?, "PDF text layer"),
    };
    if text.trim().is_empty() {
        return Err(IngestError::Decode(text::DecodeError::Empty));
    }
    let mut doc = parse(source, &text);
    doc.encoding = encoding.to_string();
    Ok(doc)
}

/// Parses decoded text into a document.
pub fn parse(source: &str, src: &str) -> Document {
    let g = lexicon::gazetteer();
    let (lines, running) = text::lines_and_running(src);
    let meta = meta::read(&lines, src);
    let parts = structure::split(&lines, &meta);
    let kind = meta.kind.unwrap_or(Kind::Other);
    let doc_id = doc_id(source);

    let (doc_region, signed_place) = document_place(&meta, &lines);

    let full_text: String = lines
        .iter()
        .map(|l| l.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let wuxing = full_text.contains("五型")
        && meta
            .date
            .as_deref()
            .and_then(|d| d[..4].parse::<u32>().ok())
            .is_none_or(|y| y >= 2018);

    let (values, edges) = match_values(src, &lines, &parts);
    let mut articles = Vec::new();
    let mut header = Vec::new();
    let mut header_values = Vec::new();
    for ((part, vals), edges) in parts.iter().zip(values).zip(edges) {
        let part_lines = &lines[part.first..part.end];
        let Some(shape) = &part.article else {
            header.extend(part_lines.iter().map(|l| l.text.clone()));
            header_values.extend(vals);
            continue;
        };
        let body: Vec<&str> = part_lines[shape.title_lines.min(part_lines.len())..]
            .iter()
            .map(|l| l.text.as_str())
            .collect();
        let text = body.join("\n");
        // A document without a printed title: its article is named by its first sentence (an
        // addressee line, 江西省人民政府:, is whom it is sent to, not what it is about).
        let opening = match text.split_once('\n') {
            Some((first, rest))
                if shape.title.is_empty()
                    && first.ends_with([':', '：'])
                    && first.chars().count() <= 60 =>
            {
                rest
            }
            _ => text.as_str(),
        };
        let title = if shape.title.is_empty() {
            structure::first_clause(opening)
        } else {
            shape.title.clone()
        };
        // A title made from the first sentence says nothing the lead sentence does not.
        let printed = if shape.title.is_empty() {
            ""
        } else {
            title.as_str()
        };
        let (region_id, department, why) = attribute(printed, opening, doc_region);
        let (categories, category_evidence) = if wuxing {
            categorize(&title, &text)
        } else {
            (Vec::new(), Vec::new())
        };
        let unit = region_id.and_then(|id| g.get(id));
        articles.push(Article {
            id: format!("{doc_id}-{}", articles.len()),
            title,
            text,
            locality: unit.map(|u| u.name.clone()),
            region: region_id.map(|id| g.path(id)),
            region_code: unit.map(|u| u.code.clone()),
            department,
            categories,
            category_evidence,
            region_id,
            match_values: vals,
            edges,
            why,
        });
    }
    // Running headers are kept out of the articles but stay in the header, once each.
    for l in running {
        if !header.contains(&l.text) {
            header_values.push(l.text.clone());
            header.push(l.text);
        }
    }
    // A single-article text no government signed is about its article's place when that lies
    // inside the place its head names (a reporter's 江西 story on 东乡区 is 东乡区's), a town
    // taken as its county.
    let doc_region = match (doc_region, articles.first().and_then(|a| a.region_id)) {
        (Some(d), Some(a))
            if !signed_place && articles.len() == 1 && a != d && g.is_within(a, d) =>
        {
            Some(county_of(a))
        }
        _ => doc_region,
    };
    let unit = doc_region.and_then(|id| g.get(id));
    Document {
        doc_id,
        source: source.to_string(),
        kind,
        encoding: "UTF-8".to_string(),
        title: meta.title,
        date: meta.date,
        issue: meta.issue,
        number: meta.number,
        issuer: meta.issuer,
        locality: unit.map(|u| u.name.clone()),
        region: doc_region.map(|id| g.path(id)),
        region_code: unit.map(|u| u.code.clone()),
        header: header.join("\n"),
        text: full_text,
        articles,
        region_id: doc_region,
        header_values,
        explain: meta.why.clone(),
    }
}

/// The document's own place: its issuer's, when the issuer is a government body (a body that
/// names no place, such as 国务院 or 海事局, is national: no place); otherwise, for news and
/// unsigned texts, the first place its title or head names (江西抚州东乡区 as one), a town
/// taken as its county (a feature on 湖口县 that opens with a villager of 张青乡 is about
/// 湖口县). The flag says whether the place is the issuer's.
fn document_place(meta: &meta::Meta, lines: &[text::Line]) -> (Option<u64>, bool) {
    let head: String = lines
        .iter()
        .take(8)
        .map(|l| l.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let named = [meta.title.as_str(), head.as_str()]
        .iter()
        .find_map(|t| place::written_together(&place::mentions(t, None)).map(|m| m.id));
    if let Some(issuer) = meta.issuer.as_deref().filter(|i| !meta::is_media(i)) {
        // The head places a bare town issuer (金龙镇 of 全南县).
        let found = place::mentions(issuer, named);
        if let Some(m) = place::most_specific(&found, named) {
            return (Some(m.id), true);
        }
        // A body of no place and no local level (国务院, 海事局) is national. 市“五型”…办公室
        // or 道口镇党政办 is local, its place named elsewhere or not at all.
        let folded: String = stream(issuer).into_iter().collect();
        let local = ["市", "县", "区", "省", "州", "镇", "乡", "街道", "村"]
            .iter()
            .any(|w| folded.contains(w));
        if !local {
            return (None, true);
        }
    }
    (named.map(county_of), false)
}

/// A town's county; any other unit itself.
fn county_of(id: u64) -> u64 {
    match lexicon::gazetteer().get(id) {
        Some(u) if u.level == lexicon::Level::Town => u.parent.unwrap_or(id),
        _ => id,
    }
}

/// The locality and department of an article: its title's most specific place, a department
/// named at the title's start (belonging to the issuing government), its lead sentence's
/// place, or else the document's own place.
fn attribute(
    title: &str,
    text: &str,
    doc_region: Option<u64>,
) -> (Option<u64>, Option<String>, String) {
    let doc_place = || {
        doc_region
            .and_then(|r| lexicon::gazetteer().get(r))
            .map_or("none".to_string(), |u| u.name.clone())
    };
    let lead: String = text.chars().take_while(|&c| c != '。').take(120).collect();
    let lead = without_time_phrase(&lead);
    for (what, s) in [("title", title), ("lead sentence", lead.as_str())] {
        if let Some(dept) = place::department_at_start(s, doc_region) {
            let why = format!(
                "{what} opens with a department ({dept}): the issuing government's place, {}",
                doc_place()
            );
            return (doc_region, Some(dept), why);
        }
        let found = place::mentions(s, doc_region);
        if let Some((id, token)) = place::subject(&found, doc_region) {
            let why = format!(
                "{what} token {token:?} (most specific of {} place mentions)",
                found.len()
            );
            return (Some(id), place::named_department(s, &token), why);
        }
    }
    (
        doc_region,
        None,
        format!(
            "no place in title or lead: the document's own place, {}",
            doc_place()
        ),
    )
}

/// A lead sentence without its opening time phrase (`2024年以来，县行政审批局推进…`), so that a
/// department that acts first is still at the start.
fn without_time_phrase(lead: &str) -> String {
    let Some((before, after)) = lead.split_once(['，', ',']) else {
        return lead.to_string();
    };
    let timely = before.chars().count() <= 10
        && [
            "年", "月", "日", "以来", "近日", "近年", "日前", "目前", "近期", "当前",
        ]
        .iter()
        .any(|w| before.contains(w));
    if timely {
        after.to_string()
    } else {
        lead.to_string()
    }
}

/// The 五型 categories and the phrases that decided them.
const CATEGORY_WORDS: &[(&str, &[&str])] = &[
    (
        "忠诚型",
        &[
            "忠诚",
            "政治站位",
            "两个维护",
            "四个意识",
            "四个自信",
            "两个确立",
            "党性",
            "红色基因",
            "初心",
            "主题教育",
            "政治建设",
            "政治自觉",
        ],
    ),
    (
        "创新型",
        &[
            "创新",
            "改革",
            "首创",
            "率先",
            "先行先试",
            "探索",
            "试点",
            "智慧",
            "数字化",
            "信息化",
            "区块链",
            "互联网+",
            "新模式",
        ],
    ),
    (
        "担当型",
        &[
            "担当",
            "攻坚",
            "扫黑除恶",
            "专项行动",
            "抓落实",
            "敢于",
            "实干",
            "破解难题",
            "项目建设",
            "攻坚克难",
            "督办",
            "作示范",
        ],
    ),
    (
        "服务型",
        &[
            "服务型",
            "政务服务",
            "便民",
            "服务企业",
            "为民服务",
            "优质服务",
            "营商环境",
            "放管服",
            "一次不跑",
            "只跑一次",
            "帮办代办",
            "一网通办",
            "赣服通",
            "12345",
            "好差评",
            "满意率",
            "群众满意",
            "办事",
        ],
    ),
    (
        "过硬型",
        &[
            "过硬",
            "作风",
            "纪律",
            "廉政",
            "从严治党",
            "廉洁",
            "督查",
            "问责",
            "形式主义",
            "官僚主义",
            "队伍建设",
            "正风肃纪",
            "暗访",
        ],
    ),
];

fn categorize(title: &str, text: &str) -> (Vec<String>, Vec<String>) {
    let all = format!("{title}\n{text}");
    let n = all.chars().count();
    let mut cats = Vec::new();
    let mut evidence = Vec::new();
    for (cat, words) in CATEGORY_WORDS {
        if all.contains(cat) {
            cats.push(cat.to_string());
            evidence.push(cat.to_string());
            continue;
        }
        let hits: Vec<(&str, usize)> = words
            .iter()
            .map(|w| (*w, all.matches(w).count()))
            .filter(|(_, c)| *c > 0)
            .collect();
        let total: usize = hits.iter().map(|(_, c)| c).sum();
        let in_title = words.iter().any(|w| title.contains(w));
        if total >= 2.max(n / 800) || in_title {
            cats.push(cat.to_string());
            evidence.extend(hits.iter().take(3).map(|(w, _)| w.to_string()));
        }
    }
    (cats, evidence)
}

/// The raw text of `s` up to its first `n` searchable characters.
fn head(s: &str, n: usize) -> &str {
    let mut count = 0;
    for (i, c) in s.char_indices() {
        if !is_ignorable(c) {
            if count == n {
                return &s[..i];
            }
            count += 1;
        }
    }
    s
}

/// The raw text of `s` from its last `n` searchable characters.
fn tail(s: &str, n: usize) -> &str {
    let mut count = 0;
    for (i, c) in s.char_indices().rev() {
        if !is_ignorable(c) {
            count += 1;
            if count == n {
                return &s[i..];
            }
        }
    }
    s
}

/// Match values per part — the raw source span (whitespace aside, so text broken across lines
/// still matches) and each cleaned line whose text differs from its source beyond whitespace
/// (markup removed), as a value of its own (tantivy leaves a position gap between values, so no
/// adjacency is invented) — and the boundaries each article touches. Consecutive header parts
/// are one span: their boundary is inside the header.
fn match_values(
    src: &str,
    lines: &[text::Line],
    parts: &[structure::Part],
) -> (Vec<Vec<String>>, Vec<[Option<Edge>; 2]>) {
    let starts: Vec<usize> = parts
        .iter()
        .enumerate()
        .map(|(i, p)| if i == 0 { 0 } else { lines[p.first].start })
        .chain(std::iter::once(src.len()))
        .collect();
    let is_header = |i: usize| parts[i].article.is_none();
    // A header run's span reaches to the next article.
    let span = |i: usize| -> &str {
        let mut end = i + 1;
        while is_header(i) && end < parts.len() && is_header(end) {
            end += 1;
        }
        &src[starts[i]..starts[end]]
    };
    let mut values = Vec::with_capacity(parts.len());
    let mut edges: Vec<[Option<Edge>; 2]> = vec![[None, None]; parts.len()];
    for (i, part) in parts.iter().enumerate() {
        let mut vals = Vec::new();
        if !(i > 0 && is_header(i) && is_header(i - 1)) {
            vals.push(span(i).to_string());
        }
        for line in &lines[part.first..part.end] {
            if stream(&line.text) != stream(&src[line.start..line.end]) {
                vals.push(line.text.clone());
            }
        }
        values.push(vals);
        if i + 1 < parts.len() && !(is_header(i) && is_header(i + 1)) {
            let edge = Edge {
                left: tail(&src[starts[i]..starts[i + 1]], EDGE).to_string(),
                right: head(span(i + 1), EDGE).to_string(),
            };
            if !is_header(i + 1) {
                edges[i + 1][0] = Some(edge);
            } else {
                edges[i][1] = Some(edge);
            }
        }
    }
    (values, edges)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_substring_lies_in_some_part() {
        every_substring_found("# 简报\n\n第 3 期\n\n**一是建实机制。**建立完善“四个一”\n\n## 【工作动态】\n\n**瑞金市**推出“政务快递”服务。\n");
    }

    #[test]
    fn running_headers_go_to_the_header() {
        let src = "某县关于推进政务公开的报告\n一、基本情况\n今年以来，全县上下认真贯彻落实政务公开各项要求，持续改进干部作\n- 2 -\n某县关于推进政务公开的报告\n风，着力优化发展环境。各乡镇建立公开清单，逐项明确责任单位。\n- 3 -\n某县关于推进政务公开的报告\n各部门推行政务公开标准目录，群众满意度明显提升，成效显著。\n- 4 -\n某县关于推进政务公开的报告\n县政务服务中心设置政务公开专区，方便群众查阅。\n";
        let d = parse("x.txt", src);
        assert_eq!(d.title, "某县关于推进政务公开的报告");
        let text: String = d.articles.iter().map(|a| a.text.as_str()).collect();
        assert!(!text.contains("报告") && !text.contains("- 3 -"), "{text}");
        assert!(text.contains("干部作风"), "{text}");
        assert!(d.header.contains("- 3 -"), "{}", d.header);
        every_substring_found(src);
    }

    #[test]
    fn document_places() {
        let d = parse(
            "x.txt",
            "全南县金龙镇推行一站式便民服务\n信息来源：金龙镇  发布时间：2022-07-15 10:21\n今年以来，金龙镇推行一站式便民服务，群众办事只进一扇门。\n",
        );
        assert_eq!(
            d.locality.as_deref(),
            Some("金龙镇"),
            "the issuing town, placed by the head"
        );
        let d = parse(
            "x.txt",
            "国务院关于同意设立某市的批复\n江西省人民政府：\n你省《关于撤销抚州地区设立地级抚州市的请示》收悉。现批复如下。\n国务院\n2000年6月23日\n",
        );
        assert_eq!(d.locality, None, "a national issuer has no place");
        assert_eq!(d.articles[0].locality.as_deref(), Some("抚州市"));
    }

    fn every_substring_found(src: &str) {
        let d = parse("x.md", src);
        let whole: Vec<char> = stream(src);
        let windows = d
            .articles
            .iter()
            .flat_map(|a| a.edges.iter().flatten())
            .map(|e| format!("{}{}", e.left, e.right));
        let values: Vec<Vec<char>> = d
            .articles
            .iter()
            .flat_map(|a| a.match_values.iter().cloned())
            .chain(d.header_values.iter().cloned())
            .chain(windows)
            .map(|v| stream(&v))
            .collect();
        for len in 1..=8 {
            for start in 0..whole.len().saturating_sub(len) {
                let sub = &whole[start..start + len];
                assert!(
                    values.iter().any(|v| v.windows(len).any(|w| w == sub)),
                    "{:?} not found",
                    sub.iter().collect::<String>()
                );
            }
        }
    }

    #[test]
    fn doc_id_is_stable_and_path_derived() {
        assert_eq!(doc_id("a/b.txt"), doc_id("a/b.txt"));
        assert_ne!(doc_id("a/b.txt"), doc_id("a/c.txt"));
        assert!(doc_id("中文.txt").chars().all(|c| c.is_ascii_hexdigit()));
    }
}
