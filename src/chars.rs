//! Character classes and the one character fold shared by ingest, analysis and search.
//!
//! Matching works on a *stream*: the text's characters, folded one to one, with whitespace
//! and invisible characters dropped. Index and query build their streams with the same
//! function, which is what makes "the text contains what you typed" exact.

use std::sync::LazyLock;

/// Traditional → simplified, one character to one (`data/t2s.txt`).
const T2S: &str = include_str!("../data/t2s.txt");

/// Dense table over the Basic Multilingual Plane: `table[c]` is the simplified form, or 0.
static T2S_TABLE: LazyLock<Vec<u32>> = LazyLock::new(|| {
    let mut table = vec![0u32; 0x10000];
    for line in T2S.lines() {
        let mut cs = line.split_whitespace().map(|w| w.chars());
        if let (Some(mut t), Some(mut s)) = (cs.next(), cs.next()) {
            if let (Some(t), Some(s)) = (t.next(), s.next()) {
                if (t as u32) < 0x10000 {
                    table[t as usize] = s as u32;
                }
            }
        }
    }
    table
});

/// True for CJK ideographs (the characters a Chinese query is made of).
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2EBEF}'
        | '\u{3007}')
}

/// True for CJK punctuation and full-width forms (used where "between CJK" matters).
pub fn is_cjk_punct(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303F}' | '\u{FF00}'..='\u{FFEF}' | '“' | '”' | '‘' | '’' | '…' | '—' | '·')
}

/// Characters that carry no searchable text: whitespace, zero-width marks, BOM, soft hyphen,
/// controls, and quotation and book-title marks — a clerk types 五型政府 for “五型”政府 and
/// 信访条例 for 《信访条例》.
pub fn is_ignorable(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(
            c,
            '\u{200B}'
                ..='\u{200F}'
                    | '\u{2060}'
                    | '\u{FEFF}'
                    | '\u{00AD}'
                    | '“'
                    | '”'
                    | '‘'
                    | '’'
                    | '"'
                    | '＂'
                    | '「'
                    | '」'
                    | '『'
                    | '』'
                    | '《'
                    | '》'
                    | '〈'
                    | '〉'
        )
}

/// Folds one character for matching. One char in, one char out, so positions never shift:
/// full-width ASCII becomes ASCII (（２０２０） = (2020)), letters are lower-cased, traditional
/// characters become simplified (國 = 国).
pub fn fold(c: char) -> char {
    if (c as u32) >= 0x3400 && (c as u32) < 0x10000 {
        let s = T2S_TABLE[c as usize];
        if s != 0 {
            return char::from_u32(s).unwrap_or(c);
        }
    }
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    };
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    if c.is_uppercase() {
        let mut lower = c.to_lowercase();
        if let (Some(l), None) = (lower.next(), lower.next()) {
            return l;
        }
    }
    c
}

/// The match stream of a text: folded characters without ignorable ones.
pub fn stream(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| !is_ignorable(*c))
        .map(fold)
        .collect()
}

/// Removes whitespace runs that touch a CJK character or CJK punctuation on either side
/// (`2020 年` → `2020年`, `作 风` → `作风`), keeps it between Latin words, and collapses the rest
/// to one space.
pub fn squeeze_spaces(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() || c == '\u{3000}' {
            let start = i;
            while i < chars.len() && (chars[i].is_whitespace() || chars[i] == '\u{3000}') {
                i += 1;
            }
            let prev = if start > 0 {
                Some(chars[start - 1])
            } else {
                None
            };
            let next = chars.get(i).copied();
            let cjkish = |c: Option<char>| c.is_some_and(|c| is_cjk(c) || is_cjk_punct(c));
            if prev.is_some() && next.is_some() && !cjkish(prev) && !cjkish(next) {
                out.push(' ');
            }
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_is_one_to_one() {
        assert_eq!(stream("（２０２０）ＥＭＳ 免费"), stream("(2020)ems免费"));
        assert_eq!(fold('Ａ'), 'a');
        assert_eq!(fold('中'), '中');
        assert_eq!(stream("國務院辦公廳關於"), stream("国务院办公厅关于"));
        assert_eq!(fold('赣'), '赣');
        assert_eq!(stream("“五型”政府《信访条例》"), stream("五型政府信访条例"));
    }

    #[test]
    fn squeeze_drops_spaces_next_to_cjk_only() {
        assert_eq!(squeeze_spaces("2020 年 全省“五型”"), "2020年全省“五型”");
        assert_eq!(squeeze_spaces("EMS  express"), "EMS express");
        assert_eq!(squeeze_spaces("  作 风  "), "作风");
    }
}
