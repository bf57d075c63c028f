//! Snippets: the passage with the densest matches, cut at sentence boundaries, HTML-escaped,
//! with every occurrence of a query term wrapped in `<mark>`.
//!
//! Matching uses the same character fold as the index, across line breaks and stray spaces,
//! so whatever matched the query is what gets highlighted.

use crate::chars::{marked, matches};

/// Target snippet length in characters.
pub const SNIPPET_CHARS: usize = 140;

/// Every occurrence of a term: `(start, end, term index)`, char indices into `text`, sorted.
fn occurrences(text: &str, terms: &[String]) -> Vec<(usize, usize, usize)> {
    let stream = marked(text);
    let mut found = Vec::new();
    for (k, term) in terms.iter().enumerate() {
        let t = marked(term);
        if t.is_empty() || t.len() > stream.len() {
            continue;
        }
        for (s, w) in stream.windows(t.len()).enumerate() {
            if w[0].c == t[0].c && matches(w, &t) {
                found.push((stream[s].index, stream[s + t.len() - 1].index + 1, k));
            }
        }
    }
    found.sort_unstable();
    found
}

/// Character spans `[start, end)` (indices into `text.chars()`) where any term occurs,
/// overlapping ones merged.
pub fn match_spans(text: &str, terms: &[String]) -> Vec<(usize, usize)> {
    merge(&occurrences(text, terms))
}

fn merge(found: &[(usize, usize, usize)]) -> Vec<(usize, usize)> {
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for &(s, e, _) in found {
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

/// The best passage of `text` for `terms`, of which the first `literal` were typed (the rest are
/// synonyms): the sentence with the most distinct typed terms, then the most distinct terms,
/// then the most matches, grown with its neighbours. Linear in the text.
pub fn snippet(text: &str, terms: &[String], literal: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let found = occurrences(text, terms);
    let spans = merge(&found);
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
    // One sweep: each occurrence counts for the sentence it starts in.
    let mut best = (0usize, (0usize, 0usize, 0usize));
    let mut seen: Vec<bool> = vec![false; terms.len()];
    let mut occ = found.iter().peekable();
    for (idx, &(s, e)) in sentences.iter().enumerate() {
        seen.iter_mut().for_each(|x| *x = false);
        let mut count = 0;
        while let Some(&&(os, _, k)) = occ.peek() {
            if os >= e {
                break;
            }
            if os >= s {
                seen[k] = true;
                count += 1;
            }
            occ.next();
        }
        let typed = seen.iter().take(literal).filter(|x| **x).count();
        let all = seen.iter().filter(|x| **x).count();
        if (typed, all, count) > best.1 {
            best = (idx, (typed, all, count));
        }
    }
    let best = best.0;
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
    // A long sentence: a window around its first match.
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
            1,
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
        let s = snippet(&text, &["网上信访".into()], 1);
        assert!(s.contains("<mark>网上信访</mark>很好"), "{s}");
        assert!(s.chars().count() < 400);
    }

    #[test]
    fn typed_terms_beat_synonyms() {
        let text = "第一句讲网上信访。第二句讲一键维权。";
        let s = snippet(text, &["一键维权".into(), "网上信访".into()], 1);
        assert!(
            s.starts_with("第一句") && s.contains("<mark>一键维权</mark>"),
            "{s}"
        );
        let text = format!(
            "{}。第二句讲一键维权。{}。",
            "前".repeat(300),
            "后".repeat(300)
        );
        let s = snippet(&text, &["一键维权".into(), "网上信访".into()], 1);
        assert!(s.contains("<mark>一键维权</mark>"), "{s}");
    }

    #[test]
    fn folded_matches() {
        assert_eq!(match_spans("ＥＭＳ寄送", &["ems".into()]), vec![(0, 3)]);
    }
}
