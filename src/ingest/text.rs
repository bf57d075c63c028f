//! Decoding and line normalisation: bytes → logical lines with their byte span in the source.
//!
//! A *logical line* is a paragraph as a reader sees it: Markdown markup removed (when the file
//! looks like Markdown, whatever its extension), spaces next to CJK dropped, and physical lines
//! joined where a PDF/web export broke a sentence (`作\n\n风`). Each logical line remembers the
//! byte range of the source it came from, so that nothing the file contains is lost for search.

use std::sync::LazyLock;

use regex::Regex;

use crate::chars::squeeze_spaces;

/// Why a file's bytes could not be read as text.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DecodeError {
    #[error("empty file")]
    Empty,
    #[error("binary file ({0})")]
    Binary(String),
    #[error("UTF-16 text is not supported yet")]
    Utf16,
    #[error("not valid UTF-8 (invalid byte at offset {0}; GBK and other encodings are not supported yet)")]
    NotUtf8(usize),
}

/// Bytes → text: UTF-8 with or without BOM.
pub fn decode(bytes: &[u8]) -> Result<String, DecodeError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(DecodeError::Empty);
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(DecodeError::Utf16);
    }
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        return Err(DecodeError::Binary(format!("NUL byte at offset {pos}")));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| DecodeError::NotUtf8(e.valid_up_to()))?;
    let total = text.chars().count();
    let controls = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\x0c'))
        .count();
    if controls * 100 > total {
        return Err(DecodeError::Binary(format!(
            "{controls} control characters in {total}"
        )));
    }
    Ok(text.to_string())
}

/// One logical line.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// Display text: markup removed, spaces next to CJK dropped, trimmed.
    pub text: String,
    /// Byte range in the source text (first to last physical line joined into this one).
    pub start: usize,
    pub end: usize,
    /// Markdown heading level (1–6), 0 for none.
    pub heading: u8,
    /// The line opened with bold text (`**瑞金市**推出…`): a lead phrase.
    pub bold_lead: bool,
}

static MD_HEADING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(#{1,6})\s+(.*?)\s*#*\s*$").unwrap());
static MD_RULE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*([-*_])(\s*[-*_]){2,}\s*$").unwrap());
static MD_LINK: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"!?\[([^\]]*)\]\([^)]*\)").unwrap());
static MD_LIST: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\s*(?:[-*+]|>)\s+").unwrap());
static MD_BOLD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\*\*|__").unwrap());
/// A short label and a colon at the start of a line (a field of a metadata block).
static LABEL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[\p{Han}]{1,6}\s*[:：]").unwrap());
/// Pronunciation residue that mirror sites insert after characters: 發(fā) → 發.
static PINYIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\p{Han})[(（][a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜńňǹ]{1,7}[)）]").unwrap()
});
static NUMBERED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:[（(]?[一二三四五六七八九十百]+[）)、．.]|[（(][0-9]+[）)]|[0-9]{1,2}[、．.](?:[^0-9]|$)|[一二三四五六七八九十]+是|第[一二三四五六七八九十百0-9]+[章节条部分]|【)",
    )
    .unwrap()
});

/// True when the text looks like Markdown (headings or bold markers on several lines).
pub fn looks_like_markdown(text: &str) -> bool {
    let marks = text
        .lines()
        .filter(|l| MD_HEADING.is_match(l) || l.trim_start().starts_with("**"))
        .count();
    marks >= 2
}

/// True for lines that open a numbered item or a 【section】: never a continuation.
pub fn is_numbered(text: &str) -> bool {
    NUMBERED.is_match(text)
}

/// Splits a source text into logical lines (see the module doc).
pub fn lines(source: &str) -> Vec<Line> {
    let markdown = looks_like_markdown(source);
    let mut physical: Vec<Line> = Vec::new();
    let mut offset = 0;
    for raw in source.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let body = raw.trim_end_matches(['\n', '\r']);
        // Old Mac line ends inside one "line".
        let mut inner = 0;
        for part in body.split('\r') {
            let s = start + inner;
            inner += part.len() + 1;
            if let Some(line) = clean_line(part, s, markdown) {
                physical.push(line);
            }
        }
    }
    join_broken(physical)
}

fn clean_line(raw: &str, start: usize, markdown: bool) -> Option<Line> {
    let end = start + raw.len();
    let mut text = raw.trim().to_string();
    let mut heading = 0;
    let mut bold_lead = false;
    if markdown {
        if MD_RULE.is_match(&text) {
            return None;
        }
        if let Some(c) = MD_HEADING.captures(&text) {
            heading = c[1].len() as u8;
            text = c[2].to_string();
        }
        text = MD_LIST.replace(&text, "").into_owned();
        text = MD_LINK.replace_all(&text, "$1").into_owned();
        bold_lead = text.starts_with("**") || text.starts_with("__");
        text = MD_BOLD.replace_all(&text, "").into_owned();
    }
    if text.contains('(') || text.contains('（') {
        text = PINYIN.replace_all(&text, "$1").into_owned();
    }
    let text = squeeze_spaces(text.trim());
    if text.is_empty() {
        return None;
    }
    Some(Line {
        text,
        start,
        end,
        heading,
        bold_lead,
    })
}

const TERMINAL: &[char] = &['。', '！', '？', '；', '：', '!', '?', ';', ':', '…'];
const CLOSERS: &[char] = &['”', '」', '』', '）', ')', '】', '》', '’'];
const CONTINUATION_START: &[char] = &[
    '，', '。', '、', '；', '：', '）', '”', '》', ',', ';', ')', '%',
];
/// Bracket pairs whose balance tells whether a line ends inside a quotation or parenthesis.
const PAIRS: [(char, char); 5] = [
    ('“', '”'),
    ('《', '》'),
    ('（', '）'),
    ('(', ')'),
    ('【', '】'),
];
/// A logical line never grows beyond this many characters by joining (bounded work per line).
const MAX_JOINED_CHARS: usize = 4000;

/// A logical line being built, with running counts so that each join is O(piece).
struct Acc {
    line: Line,
    balance: [i32; 5],
    prose: bool,
    chars: usize,
}

impl Acc {
    fn new(line: Line) -> Acc {
        let mut acc = Acc {
            line: Line {
                text: String::new(),
                ..line.clone()
            },
            balance: [0; 5],
            prose: false,
            chars: 0,
        };
        acc.push(&line.text);
        acc
    }

    fn push(&mut self, piece: &str) {
        let (last, first) = (self.line.text.chars().last(), piece.chars().next());
        if last.is_some_and(|c| c.is_ascii_alphanumeric())
            && first.is_some_and(|c| c.is_ascii_alphanumeric())
        {
            self.line.text.push(' ');
        }
        for c in piece.chars() {
            for (k, (open, close)) in PAIRS.iter().enumerate() {
                if c == *open {
                    self.balance[k] += 1;
                } else if c == *close {
                    self.balance[k] -= 1;
                }
            }
            // 、 alone does not make prose: titles list things with it.
            self.prose |= matches!(c, '，' | ',' | '；' | '。');
            self.chars += 1;
        }
        self.line.text.push_str(piece);
    }

    fn unbalanced(&self) -> bool {
        self.balance.iter().any(|&b| b > 0)
    }

    fn ends_terminal(&self) -> bool {
        match self.line.text.chars().last() {
            Some(c) if TERMINAL.contains(&c) => true,
            Some(c) if CLOSERS.contains(&c) => !self.unbalanced(),
            _ => false,
        }
    }

    /// True when the physical line `b` continues this line's sentence (a page or line break
    /// fell inside it). Headings, numbered items and 【markers】 always start a new line.
    fn continues_into(&self, b: &Line) -> bool {
        if self.line.heading > 0
            || b.heading > 0
            || is_numbered(&b.text)
            || b.bold_lead
            || self.chars > MAX_JOINED_CHARS
        {
            return false;
        }
        if b.text.starts_with(CONTINUATION_START) {
            return true;
        }
        if LABEL.is_match(&b.text) {
            // `标题: …`, `发文字号: …`: a metadata field starts its own line.
            return false;
        }
        !self.ends_terminal() && (self.unbalanced() || (self.chars >= 24 && self.prose))
    }
}

fn join_broken(physical: Vec<Line>) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::with_capacity(physical.len());
    let mut acc: Option<Acc> = None;
    for line in physical {
        match &mut acc {
            Some(a) if a.continues_into(&line) => {
                a.push(&line.text);
                a.line.end = line.end;
            }
            _ => {
                if let Some(a) = acc.take() {
                    out.push(a.line);
                }
                acc = Some(Acc::new(line));
            }
        }
    }
    out.extend(acc.map(|a| a.line));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_rejects_bad_input() {
        assert_eq!(decode(b""), Err(DecodeError::Empty));
        assert_eq!(decode(b"  \n"), Err(DecodeError::Empty));
        assert!(matches!(decode(b"ab\0cd"), Err(DecodeError::Binary(_))));
        assert!(matches!(
            decode(b"\xb9\xfa\xbc\xd2"),
            Err(DecodeError::NotUtf8(0))
        ));
        assert_eq!(decode("\u{feff}江西".as_bytes()).unwrap(), "江西");
    }

    #[test]
    fn joins_sentences_broken_across_lines() {
        let src = "章贡区以“五型”要求贯穿政府工作始终，持续改进干部作\n\n风，着力优化发展环境。\n\n一、打通壁垒，助推升级\n\n一是明确目标。";
        let l = lines(src);
        let texts: Vec<&str> = l.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "章贡区以“五型”要求贯穿政府工作始终，持续改进干部作风，着力优化发展环境。",
                "一、打通壁垒，助推升级",
                "一是明确目标。"
            ]
        );
        assert_eq!(
            &src[l[0].start..l[0].end],
            &src[..src.find("环境。").unwrap() + 9]
        );
    }

    #[test]
    fn pinyin_residue_is_removed() {
        assert_eq!(
            lines("國(guó)函〔2000〕83號(hào)")[0].text,
            "國函〔2000〕83號"
        );
        assert_eq!(
            lines("信访事项(以下简称事项)")[0].text,
            "信访事项(以下简称事项)"
        );
        assert_eq!(lines("H5(html)页面")[0].text, "H5(html)页面");
    }

    #[test]
    fn joining_is_linear_and_bounded() {
        // A long export with no sentence ends: joined lines stay bounded.
        let src = "无标点的长行文字内容，继续\n".repeat(40_000);
        let t0 = std::time::Instant::now();
        let l = lines(&src);
        assert!(l
            .iter()
            .all(|x| x.text.chars().count() <= MAX_JOINED_CHARS + 20));
        assert!(
            t0.elapsed() < std::time::Duration::from_secs(20),
            "{:?}",
            t0.elapsed()
        );
    }

    #[test]
    fn markdown_markup_is_removed_only_in_markdown() {
        let md = "# 标题\n\n## 【典型推介】\n\n**一是建实机制。**建立完善\n\n---\n\n电子邮箱：[a@b.com](mailto:a@b.com)\n";
        let l = lines(md);
        assert_eq!(l[0].heading, 1);
        assert_eq!(l[1].text, "【典型推介】");
        assert_eq!(l[2].text, "一是建实机制。建立完善");
        assert!(l[2].bold_lead);
        assert_eq!(l[3].text, "电子邮箱：a@b.com");
        let txt = lines("<b>不是标记</b>\n**也不是**");
        assert_eq!(txt[0].text, "<b>不是标记</b>");
        assert_eq!(txt[1].text, "**也不是**");
    }
}
