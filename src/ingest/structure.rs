//! Structure: which lines are the document's header (masthead, page chrome, section markers,
//! footer) and where each article of a bulletin starts and ends.
//!
//! Article boundaries in real bulletins: Markdown headings, 【section】 markers, short title
//! lines (one to three, e.g. "大余县新城镇" / "“三个突出”探索…") followed by body text, and in
//! brief sections (【工作动态】【工作简讯】) one article per paragraph.

use std::sync::LazyLock;

use regex::Regex;

use super::meta::{dates_in, is_meta_line, normalize_number, Kind, Meta};
use super::text::{is_numbered, Line};

/// A contiguous run of lines: header material or one article.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    /// Line indices `first..end`.
    pub first: usize,
    pub end: usize,
    /// `None` for header material.
    pub article: Option<ArticleShape>,
}

/// Where an article's title comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct ArticleShape {
    pub title: String,
    /// Leading lines of the part that are the title (0 when the title is derived from the
    /// first sentence, as for brief items).
    pub title_lines: usize,
}

static SECTION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[【\[]([^】\]]{2,12})[】\]]$").unwrap());
static ISSUE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[(（]?\s*(?:总\s*)?第\s*[0-9一二三四五六七八九十百〇零]+\s*期\s*[)）]?(\s*[(（].*[)）])?$").unwrap()
});
static ORG_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(办公室|办公厅|人民政府|委员会|领导小组|工作部|局|厅|委|部|中心|编辑部|秘书处)(编|编印|编发|印发)?$").unwrap()
});
static FOOTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(电话|联系电话|传真|电子邮箱|邮箱|地址|抄送|主送|报送|发送|责任编辑|编辑|审核|签发|校对|联系人|分送|印发|（此件|\(此件)").unwrap()
});

const BRIEF_SECTIONS: &[&str] = &[
    "工作动态",
    "工作简讯",
    "简讯",
    "动态",
    "领导批示",
    "要闻",
    "快讯",
    "短讯",
    "信息快递",
    "基层动态",
    "各地动态",
    "部门动态",
];

fn chars(s: &str) -> usize {
    s.chars().count()
}

fn is_date_line(s: &str) -> bool {
    !dates_in(s).is_empty() && chars(s) <= 40 && !s.contains('。')
}

fn section_marker(line: &Line) -> Option<String> {
    SECTION
        .captures(&line.text)
        .map(|c| c[1].trim().to_string())
}

/// The line as matched against the rules: traditional script and full-width forms folded.
fn folded(s: &str) -> String {
    s.chars().map(crate::chars::fold).collect()
}

fn is_org_line(s: &str) -> bool {
    let t = s.trim_end_matches(|c: char| c.is_ascii_digit() || "年月日 ".contains(c));
    chars(t) <= 30 && ORG_LINE.is_match(&folded(t)) && !t.contains('。') && !t.contains('，')
}

/// Lines of the masthead and page chrome at the top of the document.
fn top_header_end(lines: &[Line], meta: &Meta) -> usize {
    let title_end = meta.title_lines.iter().max().map_or(0, |&i| i + 1);
    let mut i = 0;
    while i < lines.len() {
        let t = &lines[i].text;
        if i < title_end
            || is_meta_line(t)
            || ISSUE_LINE.is_match(&folded(t))
            || is_date_line(t)
            || (normalize_number(t).is_some() && chars(t) <= 30)
            || (t.ends_with("文件") && chars(t) <= 30)
            || (meta.kind != Some(Kind::Notice) && is_org_line(t))
        {
            i += 1;
            continue;
        }
        if t.starts_with("编者按") {
            // The editor's note and its paragraph belong to the whole issue.
            i += if chars(t) <= 6 { 2 } else { 1 };
            continue;
        }
        break;
    }
    i.min(lines.len())
}

/// Start of the footer (编者, 电话, 抄送, signature) at the end.
fn footer_start(lines: &[Line], from: usize, kind: Kind) -> usize {
    let mut j = lines.len();
    while j > from {
        let t = &lines[j - 1].text;
        let short = chars(t) <= 40;
        let f = folded(t);
        let footer = FOOTER.is_match(&f)
            || (short && (f.ends_with('编') || f.ends_with("编印")) && is_org_line(t))
            || (short && is_date_line(t))
            || (kind != Kind::Other && short && is_org_line(t) && j + 3 > lines.len());
        if !footer {
            break;
        }
        j -= 1;
    }
    j
}

/// A short line that can be (part of) a title.
fn title_piece(line: &Line) -> bool {
    let t = &line.text;
    let n = chars(t);
    (2..=40).contains(&n)
        && !t.contains('。')
        && !t.ends_with(['，', ',', '、', '；', ';', '：', ':'])
        && !is_numbered(t)
        && !t.starts_with(['(', '（', '*'])
        && !is_meta_line(t)
        && !is_date_line(t)
        && section_marker(line).is_none()
}

fn body_like(line: &Line) -> bool {
    chars(&line.text) > 40 || line.text.ends_with('。') || is_numbered(&line.text)
}

/// Number of lines (1–3) forming a title block at `i`, if one starts there.
fn title_block(lines: &[Line], i: usize, end: usize) -> Option<usize> {
    let mut n = 0;
    while i + n < end && n < 3 && title_piece(&lines[i + n]) && lines[i + n].heading == 0 {
        n += 1;
    }
    (n > 0 && i + n < end && body_like(&lines[i + n])).then_some(n)
}

/// The first clause of a paragraph, quote-aware, as a derived title (`瑞金市推出“政务快递免费寄送”服务`).
pub fn first_clause(text: &str) -> String {
    let mut depth = 0i32;
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '“' | '《' | '（' | '(' | '「' => depth += 1,
            '”' | '》' | '）' | ')' | '」' => depth -= 1,
            '，' | ',' | '。' | '；' | ';' | '：' | ':' | '！' | '？'
                if depth <= 0 && chars(&out) >= 6 =>
            {
                break
            }
            _ => {}
        }
        out.push(c);
        if chars(&out) >= 40 {
            out.push('…');
            break;
        }
    }
    out.trim_end_matches(['，', ',', '。', '；', ';', '：', ':'])
        .to_string()
}

/// Splits a document's lines into header parts and article parts, in order, covering every line.
pub fn split(lines: &[Line], meta: &Meta) -> Vec<Part> {
    let kind = meta.kind.unwrap_or(Kind::Other);
    let mut parts = Vec::new();
    let top = top_header_end(lines, meta);
    let foot = footer_start(lines, top, kind).max(top);
    if top > 0 {
        parts.push(Part {
            first: 0,
            end: top,
            article: None,
        });
    }
    if kind == Kind::Bulletin {
        split_bulletin(lines, top, foot, &mut parts);
    } else if foot > top {
        parts.push(Part {
            first: top,
            end: foot,
            article: Some(ArticleShape {
                title: meta.title.clone(),
                title_lines: 0,
            }),
        });
    }
    if foot < lines.len() {
        parts.push(Part {
            first: foot,
            end: lines.len(),
            article: None,
        });
    }
    if !parts.iter().any(|p| p.article.is_some()) {
        // Nothing but header material: the whole document is its one article.
        return vec![Part {
            first: 0,
            end: lines.len(),
            article: Some(ArticleShape {
                title: meta.title.clone(),
                title_lines: 0,
            }),
        }];
    }
    parts
}

fn split_bulletin(lines: &[Line], start: usize, end: usize, parts: &mut Vec<Part>) {
    let mut brief = false;
    let mut section: Option<String> = None;
    let mut i = start;
    let open = |parts: &mut Vec<Part>, first: usize, shape: ArticleShape| {
        parts.push(Part {
            first,
            end: first,
            article: Some(shape),
        });
    };
    while i < end {
        let line = &lines[i];
        if let Some(name) = section_marker(line) {
            brief = BRIEF_SECTIONS.iter().any(|b| name.contains(b));
            section = Some(name);
            parts.push(Part {
                first: i,
                end: i + 1,
                article: None,
            });
            i += 1;
            continue;
        }
        if line.heading >= 2 {
            open(
                parts,
                i,
                ArticleShape {
                    title: line.text.clone(),
                    title_lines: 1,
                },
            );
        } else if let Some(n) = title_block(lines, i, end) {
            let title: String = lines[i..i + n].iter().map(|l| l.text.as_str()).collect();
            open(
                parts,
                i,
                ArticleShape {
                    title,
                    title_lines: n,
                },
            );
            i += n;
            continue;
        } else if brief
            || !matches!(
                parts.last(),
                Some(Part {
                    article: Some(_),
                    ..
                })
            )
        {
            let mut title = first_clause(&line.text);
            if chars(&title) < 6 {
                title = section.clone().unwrap_or(title);
            }
            open(
                parts,
                i,
                ArticleShape {
                    title,
                    title_lines: 0,
                },
            );
        }
        if let Some(p) = parts.last_mut() {
            p.end = i + 1;
        }
        i += 1;
    }
    // A title block directly followed by another part has its lines as its whole extent.
    for p in parts.iter_mut() {
        if let Some(a) = &p.article {
            p.end = p.end.max(p.first + a.title_lines);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{meta, text};

    fn titles(src: &str) -> Vec<String> {
        let lines = text::lines(src);
        let m = meta::read(&lines, src);
        split(&lines, &m)
            .into_iter()
            .filter_map(|p| p.article.map(|a| a.title))
            .collect()
    }

    #[test]
    fn plain_bulletin_titles_and_briefs() {
        let src = "赣州市“五型”政府建设 工作简报\n\n第 28 期\n\n市“五型”政府建设领导小组办公室\n\n2019 年 5 月 14 日\n\n【典型推介】\n\n大余县新城镇\n\n“三个突出”探索政务公开向村居延伸\n\n大余县新城镇坚持“标准引领、需求导向、依法依规、改革创新”的原则，严格按照基层政务公开标准化规范化工作的各项要求和目标。\n\n一、突出组织领导，夯实建设基础\n\n成立基层政务公开工作小组。\n\n【工作简讯】\n\n市医保局创新实施医保二次补偿“五办”新举措，提供微信办、邮寄办、电话办。\n\n市扶贫办加快建设全市扶贫开发高清视频会议系统。该系统预计5月底建成。\n\n市“五型”政府建设领导小组办公室编\n\n电话：8392217\n";
        assert_eq!(
            titles(src),
            vec![
                "大余县新城镇“三个突出”探索政务公开向村居延伸",
                "市医保局创新实施医保二次补偿“五办”新举措",
                "市扶贫办加快建设全市扶贫开发高清视频会议系统",
            ]
        );
    }

    #[test]
    fn first_clause_respects_quotes() {
        assert_eq!(
            first_clause("赣州蓉江新区倡导“人人都是招商环境，事事关乎蓉江形象”理念，充分发扬"),
            "赣州蓉江新区倡导“人人都是招商环境，事事关乎蓉江形象”理念"
        );
    }
}
