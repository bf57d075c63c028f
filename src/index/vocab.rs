//! The corpus's own vocabulary, indexed for suggestions: practice names in quotes (“一链办理”),
//! words of article titles, whole titles and 文号, each a term `text\u{1}kind` of the `phrase`
//! field (so a prefix range over the term dictionary lists completions with their document
//! frequency), and, for names and words, their pinyin (`wsxf\u{1}网上信访\u{1}p` and
//! `wangshangxinfang\u{1}…` in `phrase_py`). Pinyin never reaches ranking.

use pinyin::ToPinyin;

use crate::analysis;
use crate::ingest::{Article, Document};

/// Separates the parts of a vocabulary term.
pub const SEP: char = '\u{1}';

/// What a vocabulary entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Practice,
    Word,
    Title,
    Number,
}

impl Kind {
    pub fn code(self) -> char {
        match self {
            Kind::Practice => 'p',
            Kind::Word => 'w',
            Kind::Title => 't',
            Kind::Number => 'n',
        }
    }
    pub fn from_code(c: char) -> Option<Kind> {
        Some(match c {
            'p' => Kind::Practice,
            'w' => Kind::Word,
            't' => Kind::Title,
            'n' => Kind::Number,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Practice => "practice",
            Kind::Word => "word",
            Kind::Title => "title",
            Kind::Number => "number",
        }
    }
}

/// Words that complete many prefixes and mean nothing on their own.
const STOP: &[&str] = &[
    "工作",
    "开展",
    "推进",
    "推动",
    "加强",
    "持续",
    "全面",
    "进一步",
    "有关",
    "关于",
    "通知",
    "我们",
    "一是",
    "二是",
    "三是",
    "四是",
    "五是",
    "同时",
    "以及",
    "进行",
    "实现",
    "不断",
];

fn is_cjk(c: char) -> bool {
    ('\u{3400}'..='\u{9fff}').contains(&c) || ('\u{f900}'..='\u{faff}').contains(&c)
}

/// Names in quotation marks: 2–16 characters, some CJK, no sentence punctuation inside.
pub fn quoted_names(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for (open, close) in [('“', '”'), ('「', '」'), ('"', '"'), ('『', '』')] {
        let mut rest = text;
        while let Some(i) = rest.find(open) {
            let after = &rest[i + open.len_utf8()..];
            let Some(j) = after.find(close) else { break };
            let name = after[..j].trim();
            let n = name.chars().count();
            if (2..=16).contains(&n)
                && name.chars().any(is_cjk)
                && !name.contains(['。', '，', '；', '：', '！', '？', ',', ';', '\n', '“', '”'])
            {
                out.push(name);
            }
            rest = &after[j + close.len_utf8()..];
        }
    }
    out
}

/// The vocabulary entries of one article (`pos` 0 also carries the document's 文号).
pub fn entries(doc: &Document, a: &Article, pos: usize) -> Vec<(String, Kind)> {
    let mut out: Vec<(String, Kind)> = Vec::new();
    let mut push = |text: &str, kind: Kind| {
        let text = text.trim();
        if !text.is_empty() && !out.iter().any(|(t, k)| t == text && *k == kind) {
            out.push((text.to_string(), kind));
        }
    };
    for name in quoted_names(&a.title)
        .into_iter()
        .chain(quoted_names(&a.text))
    {
        push(name, Kind::Practice);
    }
    for (s, e, _) in analysis::words(&a.title) {
        let w = &a.title[s..e];
        let n = w.chars().count();
        if (2..=8).contains(&n) && w.chars().all(is_cjk) && !STOP.contains(&w) {
            push(w, Kind::Word);
        }
    }
    if (2..=40).contains(&a.title.chars().count()) {
        push(&a.title, Kind::Title);
    }
    if pos == 0 {
        if let Some(n) = &doc.number {
            push(n, Kind::Number);
        }
    }
    out
}

/// Full pinyin and initials (`wangshangxinfang`, `wsxf`) of a text with CJK in it; ASCII letters
/// and digits are kept, anything else dropped.
pub fn pinyin_keys(text: &str) -> Option<(String, String)> {
    if !text.chars().any(is_cjk) {
        return None;
    }
    let (mut full, mut initials) = (String::new(), String::new());
    for c in text.chars() {
        if let Some(p) = c.to_pinyin() {
            full.push_str(p.plain());
            initials.push_str(p.first_letter());
        } else if c.is_ascii_alphanumeric() {
            let c = c.to_ascii_lowercase();
            full.push(c);
            initials.push(c);
        }
    }
    Some((full, initials))
}

/// The `phrase` term of an entry.
pub fn phrase_term(text: &str, kind: Kind) -> String {
    format!("{text}{SEP}{}", kind.code())
}

/// The `phrase_py` terms of an entry (names and words only: a title's pinyin is no use).
pub fn pinyin_terms(text: &str, kind: Kind) -> Vec<String> {
    if !matches!(kind, Kind::Practice | Kind::Word) {
        return Vec::new();
    }
    match pinyin_keys(text) {
        Some((full, initials)) => vec![
            format!("{full}{SEP}{text}{SEP}{}", kind.code()),
            format!("{initials}{SEP}{text}{SEP}{}", kind.code()),
        ],
        None => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_practice_names() {
        let t = "推行“一链办理”改革，打造“赣服通”平台。他说：“我们要做好工作，服务群众。”";
        assert_eq!(quoted_names(t), vec!["一链办理", "赣服通"]);
    }

    #[test]
    fn pinyin_of_names() {
        assert_eq!(
            pinyin_keys("网上信访"),
            Some(("wangshangxinfang".into(), "wsxf".into()))
        );
        assert_eq!(
            pinyin_keys("赣服通"),
            Some(("ganfutong".into(), "gft".into()))
        );
        assert_eq!(pinyin_keys("EMS"), None);
    }
}
