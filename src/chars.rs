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
/// 信访条例 for 《信访条例》 (the marks leave a soft gap: [`is_soft_mark`]).
pub fn is_ignorable(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(
            c,
            '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
        )
        || is_soft_mark(c)
}

/// Quotation and book-title marks: dropped from the match stream like whitespace (五型政府 finds
/// “五型”政府), but a match may not begin or end across one: 例规 is not in 《条例》规定, 者是
/// is not in “经营者”是指.
pub fn is_soft_mark(c: char) -> bool {
    matches!(
        c,
        '“' | '”'
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

/// One character of the match stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Marked {
    /// Byte offset of the source character in the text.
    pub byte: usize,
    /// Char index of the source character in the text.
    pub index: usize,
    /// The folded character.
    pub c: char,
    /// A *soft gap* precedes it: the characters dropped since the previous stream character
    /// hold a quotation or book-title mark, or, on one line, an ideographic space or two spaces
    /// (a heading's 第三章　制定, a table's columns). Line breaks and single spaces are not
    /// soft: a PDF breaks words across them.
    pub soft: bool,
}

/// The match stream of `text` with where each character came from and its gap (see [`Marked`]).
pub fn marked(text: &str) -> Vec<Marked> {
    let mut out = Vec::with_capacity(text.len() / 2);
    let (mut mark, mut wide, mut newline, mut spaces) = (false, false, false, 0);
    for (index, (byte, c)) in text.char_indices().enumerate() {
        if !is_ignorable(c) {
            out.push(Marked {
                byte,
                index,
                c: match_char(c),
                soft: mark || (wide && !newline),
            });
            (mark, wide, newline, spaces) = (false, false, false, 0);
            continue;
        }
        match c {
            '\n' | '\r' | '\u{2028}' | '\u{2029}' => newline = true,
            '\u{3000}' => wide = true,
            ' ' | '\t' | '\u{A0}' => {
                spaces += 1;
                wide |= spaces >= 2;
                continue;
            }
            c if is_soft_mark(c) => mark = true,
            _ => {}
        }
        spaces = 0;
    }
    out
}

/// Whether `needle` (a query's marked stream) occurs in `hay` as the bigram channel matches it:
/// the characters in order, the first and last pair not across a soft gap (unless the query
/// has one there too), any gap inside, and a soft gap wherever the query typed one.
pub fn occurs(hay: &[Marked], needle: &[Marked]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| matches(w, needle))
}

/// Whether `window` (as long as `needle`) is an occurrence of it, by the rule of [`occurs`].
pub fn matches(window: &[Marked], needle: &[Marked]) -> bool {
    let n = needle.len();
    window.len() == n
        && window.iter().zip(needle).all(|(h, q)| h.c == q.c)
        && (1..n).all(|k| {
            if needle[k].soft {
                window[k].soft
            } else {
                !(window[k].soft && (k == 1 || k == n - 1))
            }
        })
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
        // Ideographs have no case: skip the Unicode case tables (2 % of indexing).
        if is_cjk(c) {
            return c;
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

/// A character as the match stream holds it: folded, and every bracket shape one bracket, so
/// 赣府厅字[2020]9号, (2020) and 【2020】 find 赣府厅字〔2020〕9号 (a 文号's 〔〕 is rarely on a
/// keyboard, and portals reprint it with whatever they have). Not part of [`fold`]: ingest rules
/// read the folded line and tell 〔2019〕 from 【要闻】.
pub fn match_char(c: char) -> char {
    match fold(c) {
        '[' | '【' | '〔' | '﹝' | '〖' | '〘' => '(',
        ']' | '】' | '〕' | '﹞' | '〗' | '〙' => ')',
        c => c,
    }
}

/// The match stream of a text: folded characters without ignorable ones.
pub fn stream(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| !is_ignorable(*c))
        .map(match_char)
        .collect()
}

/// Removes whitespace runs that touch a CJK character or CJK punctuation on either side
/// (`2020 年` → `2020年`, `作 风` → `作风`) unless it is wide (`第三章　制定`: one ideographic
/// space), keeps it between Latin words, and collapses the rest to one space.
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
            let run = &chars[start..i];
            // A wide gap on one line (第三章　制定) is layout, not a PDF's stray space: kept as
            // one ideographic space, so it stays a soft gap (see `Marked::soft`).
            let wide = !run.iter().any(|c| matches!(c, '\n' | '\r'))
                && (run.contains(&'\u{3000}')
                    || run
                        .windows(2)
                        .any(|w| w.iter().all(|c| matches!(c, ' ' | '\t'))));
            if prev.is_some() && next.is_some() {
                if !cjkish(prev) && !cjkish(next) {
                    out.push(' ');
                } else if wide {
                    out.push('\u{3000}');
                }
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
    fn soft_gaps_are_quotation_marks_and_wide_spaces_on_a_line() {
        let soft = |t: &str| -> String {
            marked(t)
                .iter()
                .map(|m| if m.soft { '^' } else { m.c })
                .collect()
        };
        assert_eq!(soft("推进“五型”政府"), "推进^型^府");
        assert_eq!(soft("《条例》规定"), "^例^定");
        assert_eq!(soft("第三章　制定 法规"), "第三章^定法规");
        assert_eq!(soft("第六章  制定"), "第六章^定");
        // Line breaks (a PDF's, with Markdown's trailing spaces) and single spaces are not.
        assert_eq!(soft("刑  \n\n事 责任"), "刑事责任");
    }

    #[test]
    fn matches_do_not_begin_or_end_across_a_soft_gap() {
        let has = |hay: &str, q: &str| occurs(&marked(hay), &marked(q));
        assert!(has("推进“五型”政府建设", "五型政府"));
        assert!(has("推进“五型”政府建设", "推进五型政府建设"));
        assert!(!has("推进“五型”政府建设", "型政府"));
        assert!(!has("推进“五型”政府建设", "进五型"));
        assert!(!has("依照《条例》规定", "例规"));
        assert!(has("依照《条例》规定", "条例规定"));
        assert!(has("依照《条例》规定", "例》规"));
        assert!(!has("依照条例规定", "例》规"));
        assert!(!has("“旅游经营者”是指", "者是"));
        assert!(has("追究刑\n\n事责任", "刑事责任"));
        assert!(has("x", "") && has("《法》", "法"));
    }

    #[test]
    fn bracket_shapes_match_alike() {
        let key = |s: &str| stream(s).into_iter().collect::<String>();
        for typed in [
            "赣府厅字[2020]9号",
            "赣府厅字(2020)9号",
            "赣府厅字（2020）9号",
            "赣府厅字【2020】9号",
            "赣府厅字［2020］9号",
            "赣府厅字﹝2020﹞9号",
        ] {
            assert_eq!(key(typed), key("赣府厅字〔2020〕9号"), "{typed}");
        }
        // The fold itself keeps them apart, for the ingest rules.
        assert_ne!(fold('〔'), fold('【'));
    }

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
        assert_eq!(squeeze_spaces("第三章　制定  法规"), "第三章　制定　法规");
    }
}
