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
    #[error("cannot decode: read as {encoding}, {percent:.1}% of the text is undecodable")]
    Mojibake {
        encoding: &'static str,
        percent: f64,
    },
    #[error(
        "no Chinese text after decoding as {0}: probably not a text document in a known encoding"
    )]
    NotChinese(&'static str),
}

/// Text decoded from a file's bytes, with the encoding it was read in.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub text: String,
    pub encoding: &'static str,
}

/// A share of replacement characters above this means the guess was wrong (1%).
const MAX_REPLACEMENT_PERMILLE: usize = 10;

/// UTF-16 without a BOM: NUL bytes (the high byte of ASCII characters) mostly at one byte
/// parity (CJK such as 一 U+4E00 put a few at the other), and a decoding that is mostly CJK,
/// ASCII and punctuation.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let sample = &bytes[..bytes.len().min(8192) & !1];
    let even = sample.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|&&b| b == 0)
        .count();
    let enc = if odd >= 2 && even * 4 <= odd {
        encoding_rs::UTF_16LE
    } else if even >= 2 && odd * 4 <= even {
        encoding_rs::UTF_16BE
    } else {
        return None;
    };
    let (text, _) = enc.decode_without_bom_handling(sample);
    let total = text.chars().count().max(1);
    let plausible = text
        .chars()
        .filter(|&c| {
            c.is_ascii_graphic()
                || c.is_whitespace()
                || crate::chars::is_cjk(c)
                || crate::chars::is_cjk_punct(c)
        })
        .count();
    (plausible * 10 >= total * 9).then_some(enc)
}

fn decode_as(bytes: &[u8], enc: &'static encoding_rs::Encoding) -> Result<Decoded, DecodeError> {
    let (text, _) = enc.decode_without_bom_handling(bytes);
    let total = text.chars().count().max(1);
    let bad = text.chars().filter(|&c| c == '\u{FFFD}').count();
    if bad * 1000 > total * MAX_REPLACEMENT_PERMILLE {
        return Err(DecodeError::Mojibake {
            encoding: enc.name(),
            percent: bad as f64 * 100.0 / total as f64,
        });
    }
    Ok(Decoded {
        text: text.into_owned(),
        encoding: enc.name(),
    })
}

/// Bytes → text. UTF-8 (with or without BOM), UTF-16 (by BOM, or by its NUL pattern), else the
/// encoding chardetng guesses (GB18030/GBK, Big5, …), decoded by encoding_rs. A decoding that
/// is still more than 1% replacement characters, or a guessed one without any Chinese text, is
/// an error: better reported than indexed as mojibake.
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) || bytes == b"\xEF\xBB\xBF" {
        return Err(DecodeError::Empty);
    }
    let decoded = if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        decode_as(&bytes[bom..], enc)?
    } else if let Ok(text) = std::str::from_utf8(bytes) {
        if text.contains('\0') {
            match utf16_without_bom(bytes) {
                Some(enc) => decode_as(bytes, enc)?,
                None => {
                    return Err(DecodeError::Binary(format!(
                        "NUL byte at offset {}",
                        text.find('\0').unwrap_or(0)
                    )))
                }
            }
        } else {
            Decoded {
                text: text.to_string(),
                encoding: "UTF-8",
            }
        }
    } else if let Some(enc) = utf16_without_bom(bytes) {
        decode_as(bytes, enc)?
    } else if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        return Err(DecodeError::Binary(format!("NUL byte at offset {pos}")));
    } else {
        let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
        detector.feed(bytes, true);
        let guess = detector.guess(Some(b"cn"), chardetng::Utf8Detection::Deny);
        // Big5 read as GBK (or the reverse) decodes "cleanly" into private-use and replacement
        // characters: keep the candidate with the fewest.
        let noise = |t: &str| {
            t.chars()
                .filter(|&c| c == '\u{FFFD}' || ('\u{E000}'..='\u{F8FF}').contains(&c))
                .count()
        };
        let best = [guess, encoding_rs::GBK, encoding_rs::BIG5]
            .into_iter()
            .min_by_key(|enc| noise(&enc.decode_without_bom_handling(bytes).0))
            .unwrap_or(guess);
        let d = decode_as(bytes, best)?;
        if !d.text.chars().any(crate::chars::is_cjk) {
            return Err(DecodeError::NotChinese(best.name()));
        }
        d
    };
    let text = &decoded.text;
    if text.trim().is_empty() {
        return Err(DecodeError::Empty);
    }
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
    Ok(decoded)
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

/// `s` without the pronunciation residue of mirror sites (發(fā) → 發).
pub fn strip_pinyin(s: &str) -> String {
    if s.contains('(') || s.contains('（') {
        PINYIN.replace_all(s, "$1").into_owned()
    } else {
        s.to_string()
    }
}

/// True for lines that open a numbered item or a 【section】: never a continuation.
pub fn is_numbered(text: &str) -> bool {
    NUMBERED.is_match(text)
}

/// Splits a source text into logical lines (see the module doc).
pub fn lines(source: &str) -> Vec<Line> {
    lines_and_running(source).0
}

/// Logical lines, and apart from them the running headers and page numbers of a text saved
/// from a paginated document (see [`running_lines`]): kept out of the lines, so that a
/// sentence broken by a page break is joined again and no article carries the header.
pub fn lines_and_running(source: &str) -> (Vec<Line>, Vec<Line>) {
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
    let running = running_lines(&physical);
    let mut kept = Vec::with_capacity(physical.len());
    let mut dropped = Vec::new();
    for (i, line) in physical.into_iter().enumerate() {
        if running.binary_search(&i).is_ok() {
            dropped.push(line);
        } else {
            kept.push(line);
        }
    }
    (join_broken(kept), dropped)
}

/// A page number printed on a line of its own: `— 3 —`, `- 12 -`, `第3页`, `第 3 页 共 10 页`.
/// A bare digit is not one (table cells).
static PAGE_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[-—–－]\s*[0-9]{1,4}\s*[-—–－]|第\s*[0-9]{1,4}\s*页(?:\s*[,，/]?\s*共\s*[0-9]{1,4}\s*页)?)$").unwrap()
});

/// Indices of physical lines that a paginated export repeats at every page break: page numbers,
/// and a short line (a document title, 江西省人民政府公报) found three times or more, at least
/// once next to a page number or inside a sentence the page break cut. Its first appearance
/// stays when it opens the document (there it is the title or masthead). Repeated subheadings
/// (主要做法 in each article) follow finished paragraphs or titles, so they stay.
pub fn running_lines(physical: &[Line]) -> Vec<usize> {
    let page: Vec<bool> = physical
        .iter()
        .map(|l| PAGE_NUMBER.is_match(&l.text))
        .collect();
    // Page numbers and accepted running lines: the page breaks.
    let mut brk = page.clone();
    let mut seen: std::collections::HashMap<&str, Vec<usize>> = Default::default();
    for (i, l) in physical.iter().enumerate() {
        let t = l.text.as_str();
        let cjk = t.chars().filter(|&c| crate::chars::is_cjk(c)).count();
        let shaped = cjk >= 4
            && t.chars().count() <= 40
            && l.heading == 0
            && !t.contains('|')
            && !is_numbered(t)
            && !t.ends_with(['。', '！', '？', '；', '：', ':', '，', ',']);
        if shaped {
            seen.entry(t).or_default().push(i);
        }
    }
    let mut repeated: Vec<Vec<usize>> = seen.into_values().filter(|at| at.len() >= 3).collect();
    repeated.sort_unstable();
    // A header block (title, then gazette name) is found one line at a time: a line next to an
    // accepted one is in the block.
    loop {
        let mut grew = false;
        repeated.retain(|at| {
            let next_to_break = |i: usize| {
                i.checked_sub(1).is_some_and(|j| brk[j]) || brk.get(i + 1) == Some(&true)
            };
            let prev_body = |i: usize| {
                (0..i)
                    .rev()
                    .find(|&j| !brk[j])
                    .map(|j| physical[j].text.as_str())
                    .filter(|t| t.chars().count() >= 20)
            };
            let opens = at[0] < 5;
            // Every appearance sits at a break (after body text or next to a page number), and
            // one at least proves it: next to a page number or inside a cut sentence.
            let at_breaks = at
                .iter()
                .skip(usize::from(opens))
                .all(|&i| next_to_break(i) || prev_body(i).is_some());
            let proven = at.iter().any(|&i| {
                next_to_break(i)
                    || prev_body(i).is_some_and(|t| !t.ends_with(TERMINAL) && !t.ends_with(CLOSERS))
            });
            if !(at_breaks && proven) {
                return true;
            }
            for &i in at.iter().skip(usize::from(opens)) {
                brk[i] = true;
            }
            grew = true;
            false
        });
        if !grew {
            break;
        }
    }
    (0..physical.len()).filter(|&i| brk[i]).collect()
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
    text = strip_pinyin(&text);
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
        assert_eq!(decode(b"\xEF\xBB\xBF"), Err(DecodeError::Empty));
        assert!(matches!(
            decode(b"ab\0cd\x01\x02\x03\x04\x05"),
            Err(DecodeError::Binary(_))
        ));
        assert!(matches!(
            decode(&[0x89, b'P', b'N', b'G', 0, 0, 0, 13, 0xff, 0xd8]),
            Err(DecodeError::Binary(_))
        ));
        assert_eq!(decode("\u{feff}江西".as_bytes()).unwrap().text, "江西");
    }

    #[test]
    fn decode_detects_chinese_encodings() {
        let text = "江西省人民政府办公厅关于印发2020年全省“五型”政府建设工作要点的通知。各市、县(区)人民政府,省政府各部门。";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let d = decode(&gbk).unwrap();
        assert_eq!(d.text, text);
        assert!(
            d.encoding == "GBK" || d.encoding == "gb18030",
            "{}",
            d.encoding
        );
        let trad = "封丘縣人民政府辦公室關於推進全縣政務信息資源共享工作的通知。各鄉鎮人民政府,縣政府各部門。";
        let (big5, _, _) = encoding_rs::BIG5.encode(trad);
        assert_eq!(decode(&big5).unwrap().text, trad);
        let mut le = vec![0xFF, 0xFE];
        le.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
        assert_eq!(decode(&le).unwrap().text, text);
        let ascii_le: Vec<u8> = "Report 2020: 江西 ok"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert_eq!(decode(&ascii_le).unwrap().text, "Report 2020: 江西 ok");
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
    fn running_headers_and_page_numbers_leave_the_text() {
        // A made-up export: the title opens the file and recurs at every page break, once in
        // the middle of a sentence; a gazette name and page numbers too; the repeated
        // subheading 主要做法 and a 【典型推介】 marker are real structure and stay.
        let src = "某县关于推进政务公开的报告\n某省人民政府公报\n一、基本情况\n今年以来，全县上下认真贯彻落实政务公开各项要求，持续改进干部作\n— 2 —\n某县关于推进政务公开的报告\n某省人民政府公报\n风，着力优化发展环境。\n【典型推介】\n主要做法\n各乡镇建立公开清单，逐项明确责任单位和完成时限，按月调度。\n— 3 —\n某县关于推进政务公开的报告\n某省人民政府公报\n主要做法\n各部门推行政务公开标准目录，群众满意度明显提升，成效显著。\n【典型推介】\n主要做法\n县政务服务中心设置政务公开专区，方便群众查阅。\n";
        let (lines, running) = lines_and_running(src);
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            texts[0], "某县关于推进政务公开的报告",
            "the title stays where it opens the file"
        );
        assert!(
            texts.contains(&"今年以来，全县上下认真贯彻落实政务公开各项要求，持续改进干部作风，着力优化发展环境。"),
            "{texts:?}"
        );
        assert_eq!(texts.iter().filter(|t| **t == "主要做法").count(), 3);
        assert_eq!(texts.iter().filter(|t| **t == "【典型推介】").count(), 2);
        assert!(!texts.iter().any(|t| t.contains('—')), "{texts:?}");
        assert_eq!(
            texts.iter().filter(|t| t.contains("人民政府公报")).count(),
            1,
            "only the masthead at the top stays"
        );
        let dropped: Vec<&str> = running.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(dropped.len(), 6, "{dropped:?}");
        // A line said three times in finished paragraphs is not a running header.
        let src = "工作简报\n各单位要高度重视。\n请认真落实\n第二项工作也要推进。\n请认真落实\n第三项工作按期完成。\n请认真落实\n";
        assert!(lines_and_running(src).1.is_empty());
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
