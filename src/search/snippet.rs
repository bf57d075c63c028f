//! Snippets: the passage with the densest matches, cut at sentence boundaries, HTML-escaped,
//! with every occurrence of a query term wrapped in `<mark>`.
//!
//! Matching uses the same character fold as the index, across line breaks and stray spaces,
//! so whatever matched the query is what gets highlighted.

use crate::chars::{fold, is_ignorable};

/// Target snippet length in characters.
pub const SNIPPET_CHARS: usize = 140;

/// Character spans `[start, end)` (indices into `text.chars()`) where any term occurs.
pub fn match_spans(text: &str, terms: &[String]) -> Vec<(usize, usize)> {
    // The folded stream with, for each stream char, its char index in `text`.
    let stream: Vec<(usize, char)> = text
        .chars()
        .enumerate()
        .filter(|(_, c)| !is_ignorable(*c))
        .map(|(i, c)| (i, fold(c)))
        .collect();
    let mut spans = Vec::new();
    for term in terms {
        let t: Vec<char> = crate::chars::stream(term);
        if t.is_empty() || t.len() > stream.len() {
            continue;
        }
        for s in 0..=stream.len() - t.len() {
            if stream[s..s + t.len()]
                .iter()
                .map(|(_, c)| *c)
                .eq(t.iter().copied())
            {
                spans.push((stream[s].0, stream[s + t.len() - 1].0 + 1));
            }
        }
    }
    spans.sort_unstable();
    // Merge overlapping spans.
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (s, e) in spans {
        match merged.last_mut() {
            Some(last) if s < last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

fn is_sentence_end(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '；' | '!' | '?' | ';' | '\n')
}

/// Escapes text for HTML.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// `chars[range]` escaped, with spans marked.
pub fn highlight(chars: &[char], from: usize, to: usize, spans: &[(usize, usize)]) -> String {
    let mut out = String::new();
    let mut i = from;
    for &(s, e) in spans {
        let (s, e) = (s.max(from), e.min(to));
        if s >= e || s < i {
            continue;
        }
        out.push_str(&escape(&chars[i..s].iter().collect::<String>()));
        out.push_str("<mark>");
        out.push_str(&escape(&chars[s..e].iter().collect::<String>()));
        out.push_str("</mark>");
        i = e;
    }
    if i < to {
        out.push_str(&escape(&chars[i..to].iter().collect::<String>()));
    }
    out
}

/// The best passage of `text` for `terms`.
pub fn snippet(text: &str, terms: &[String]) -> String {
    let chars: Vec<char> = text.chars().collect();
    let spans = match_spans(text, terms);
    // Sentences as char ranges.
    let mut sentences = Vec::new();
    let mut start = 0;
    for (i, &c) in chars.iter().enumerate() {
        if is_sentence_end(c) {
            sentences.push((start, i + 1));
            start = i + 1;
        }
    }
    if start < chars.len() {
        sentences.push((start, chars.len()));
    }
    if sentences.is_empty() {
        return String::new();
    }
    let folded_terms: Vec<Vec<char>> = terms.iter().map(|t| crate::chars::stream(t)).collect();
    let score = |(s, e): (usize, usize)| -> (usize, usize) {
        let inside: Vec<&(usize, usize)> =
            spans.iter().filter(|(a, b)| *a >= s && *b <= e).collect();
        let distinct = folded_terms
            .iter()
            .filter(|t| {
                inside.iter().any(|(a, b)| {
                    crate::chars::stream(&chars[*a..*b].iter().collect::<String>())
                        .windows(t.len().max(1))
                        .any(|w| w == t.as_slice())
                })
            })
            .count();
        (distinct, inside.len())
    };
    let best = (0..sentences.len())
        .max_by(|&a, &b| {
            score(sentences[a])
                .cmp(&score(sentences[b]))
                .then(b.cmp(&a))
        })
        .unwrap_or(0);
    let (mut from, mut to) = sentences[best];
    let (mut lo, mut hi) = (best, best);
    // Grow with neighbouring sentences while there is room.
    while to - from < SNIPPET_CHARS {
        let next = sentences
            .get(hi + 1)
            .filter(|n| n.1 - from <= SNIPPET_CHARS);
        let prev = lo
            .checked_sub(1)
            .map(|p| sentences[p])
            .filter(|p| to - p.0 <= SNIPPET_CHARS);
        if let Some(&(_, e)) = next {
            hi += 1;
            to = e;
        } else if let Some((s, _)) = prev {
            lo -= 1;
            from = s;
        } else {
            break;
        }
    }
    // A single long sentence: centre a window on its first match.
    let mut prefix = "";
    let mut suffix = "";
    if to - from > SNIPPET_CHARS * 2 {
        let first = spans
            .iter()
            .find(|(s, _)| *s >= from && *s < to)
            .map_or(from, |s| s.0);
        let start = first.saturating_sub(SNIPPET_CHARS / 3).max(from);
        let end = (start + SNIPPET_CHARS).min(to);
        if start > from {
            prefix = "…";
        }
        if end < to {
            suffix = "…";
        }
        from = start;
        to = end;
    }
    while from < to && chars[from].is_whitespace() {
        from += 1;
    }
    while to > from && chars[to - 1].is_whitespace() {
        to -= 1;
    }
    format!("{prefix}{}{suffix}", highlight(&chars, from, to, &spans))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_and_escapes() {
        let s = snippet(
            "前言。<script>alert(1)</script>推出“政务快\n递”服务。后记。",
            &["政务快递".into()],
        );
        assert!(s.contains("<mark>政务快\n递</mark>"), "{s}");
        assert!(s.contains("&lt;script&gt;"), "{s}");
        assert!(!s.contains("<script>"));
    }

    #[test]
    fn picks_the_densest_sentence() {
        let text = format!(
            "{}。网上信访很好，网上信访占比高。{}。",
            "无关".repeat(80),
            "其他".repeat(80)
        );
        let s = snippet(&text, &["网上信访".into()]);
        assert!(s.contains("<mark>网上信访</mark>很好"), "{s}");
        assert!(s.chars().count() < 400);
    }

    #[test]
    fn folded_matches() {
        assert_eq!(match_spans("ＥＭＳ寄送", &["ems".into()]), vec![(0, 3)]);
    }
}
