//! Analysis: the two token channels every text field is indexed with.
//!
//! - **bigram** (`zh_bigram`): the folded character stream (whitespace dropped) cut into
//!   overlapping character pairs at *sequential* positions, plus the last character alone. A
//!   query string of n ≥ 2 characters is the phrase of its n−1 pairs, which matches exactly where
//!   the stream contains it, like grep; one character is a prefix lookup over the term
//!   dictionary (every character starts a pair, or is the trailing single). A pair across a
//!   quotation mark or a wide gap is in its [`SOFT`] form: a match never begins or ends there.
//!   tantivy's `NgramTokenizer` puts every gram at position 0, so it cannot do this.
//! - **words** (`zh_words`): jieba search-mode words over the folded text, with the shipped
//!   place names and 政务 terms as user words; used for BM25 ranking, never for matching.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer, TokenizerManager};

use crate::chars::{fold, is_cjk};
use crate::lexicon;

/// Name of the bigram tokenizer in the index's tokenizer manager.
pub const BIGRAM: &str = "zh_bigram";
/// Name of the word tokenizer.
pub const WORDS: &str = "zh_words";

/// Name of the boundary tokenizer (see [`EdgeTokenizer`]).
pub const EDGE: &str = "zh_edge";
/// Separates the two sides of a boundary in an edge value, and marks the pair that straddles it.
pub const EDGE_MARK: char = '\u{E000}';

/// Registers the tokenizers with an index's manager.
pub fn register(manager: &TokenizerManager) {
    manager.register(BIGRAM, BigramTokenizer);
    manager.register(WORDS, WordTokenizer);
    manager.register(EDGE, EdgeTokenizer);
}

/// Tokenizes a boundary window `left EDGE_MARK right` into the pairs of `left + right` at
/// sequential positions, the pair straddling the boundary prefixed with [`EDGE_MARK`]. A query
/// matches it only through a variant whose marked pair is that one: only strings that cross.
#[derive(Clone, Copy, Default)]
pub struct EdgeTokenizer;

impl Tokenizer for EdgeTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        let (left, right) = text.split_once(EDGE_MARK).unwrap_or((text, ""));
        let l = crate::chars::stream(left);
        let r = crate::chars::stream(right);
        let all: Vec<char> = l.iter().chain(r.iter()).copied().collect();
        let tokens = all
            .windows(2)
            .enumerate()
            .map(|(pos, w)| {
                let mut s = String::with_capacity(12);
                if pos + 1 == l.len() {
                    s.push(EDGE_MARK);
                }
                s.push(w[0]);
                s.push(w[1]);
                Token {
                    offset_from: 0,
                    offset_to: text.len(),
                    position: pos,
                    text: s,
                    position_length: 1,
                }
            })
            .collect();
        VecTokenStream { tokens, next: 0 }
    }
}

/// The phrases a string must match in an edge field: one per place the boundary could fall
/// inside it (its pairs with pair `j` marked). Empty for strings that cannot cross.
pub fn edge_variants(query: &str) -> Vec<Vec<String>> {
    // Boundary windows are tokenized without soft gaps.
    let grams: Vec<String> = grams(query)
        .into_iter()
        .map(|g| g.replace(SOFT, ""))
        .collect();
    if grams.is_empty() || grams[0].chars().count() < 2 {
        return Vec::new();
    }
    (0..grams.len())
        .map(|j| {
            let mut v = grams.clone();
            v[j] = format!("{EDGE_MARK}{}", v[j]);
            v
        })
        .collect()
}

/// Tokens computed up front and replayed.
pub struct VecTokenStream {
    tokens: Vec<Token>,
    next: usize,
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }
    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

/// See the module doc.
#[derive(Clone, Copy, Default)]
pub struct BigramTokenizer;

impl Tokenizer for BigramTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        let chars = crate::chars::marked(text);
        let end = |m: &crate::chars::Marked| {
            m.byte + text[m.byte..].chars().next().map_or(0, char::len_utf8)
        };
        let mut tokens = Vec::with_capacity(chars.len());
        for (pos, w) in chars.windows(2).enumerate() {
            tokens.push(Token {
                offset_from: w[0].byte,
                offset_to: end(&w[1]),
                position: pos,
                text: pair(w[0].c, w[1].c, w[1].soft),
                position_length: 1,
            });
        }
        if let Some(m) = chars.last() {
            tokens.push(Token {
                offset_from: m.byte,
                offset_to: end(m),
                position: chars.len() - 1,
                text: m.c.to_string(),
                position_length: 1,
            });
        }
        VecTokenStream { tokens, next: 0 }
    }
}

/// Ends the term of a pair whose characters a soft gap separates (`chars::Marked::soft`): a
/// phrase's first and last pair are read in their plain form, so a match never begins or ends
/// across a quotation or book-title mark, while pairs inside may be either (`query::occurs`).
/// After the characters, so a one-character query's prefix range still holds the pair.
pub const SOFT: char = '\u{E001}';

fn pair(a: char, b: char, soft: bool) -> String {
    let mut s = String::with_capacity(9);
    s.push(a);
    s.push(b);
    if soft {
        s.push(SOFT);
    }
    s
}

/// The bigram terms a query string must match as a phrase, or for one character that
/// character alone (to be matched as a prefix). Empty when the string has no text. A pair the
/// query itself writes across a quotation or book-title mark is in its soft form.
pub fn grams(query: &str) -> Vec<String> {
    let chars = crate::chars::marked(query);
    match chars.len() {
        0 => Vec::new(),
        1 => vec![chars[0].c.to_string()],
        _ => chars
            .windows(2)
            .map(|w| pair(w[0].c, w[1].c, w[1].soft))
            .collect(),
    }
}

/// See the module doc.
#[derive(Clone, Copy, Default)]
pub struct WordTokenizer;

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        let tokens = words(text)
            .into_iter()
            .enumerate()
            .map(|(position, (offset_from, offset_to, text))| Token {
                offset_from,
                offset_to,
                position,
                text,
                position_length: 1,
            })
            .collect();
        VecTokenStream { tokens, next: 0 }
    }
}

/// jieba search-mode words of a text as (byte start, byte end, folded word), skipping
/// punctuation and whitespace. Offsets point into the original text.
pub fn words(text: &str) -> Vec<(usize, usize, String)> {
    // Fold char by char, remembering where each folded char came from.
    let mut folded = String::with_capacity(text.len());
    let mut origin: Vec<usize> = Vec::with_capacity(text.len() + 1);
    for (i, c) in text.char_indices() {
        let f = fold(c);
        for _ in 0..f.len_utf8() {
            origin.push(i);
        }
        folded.push(f);
    }
    origin.push(text.len());
    lexicon::jieba()
        .cut_for_search(&folded, true)
        .into_iter()
        .filter(|t| t.word.chars().any(|c| c.is_alphanumeric() || is_cjk(c)))
        .map(|t| (origin[t.byte_start], origin[t.byte_end], t.word.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(tok: &mut impl Tokenizer, text: &str) -> Vec<(String, usize)> {
        let mut out = Vec::new();
        let mut ts = tok.token_stream(text);
        while let Some(t) = ts.next() {
            out.push((t.text.clone(), t.position));
        }
        out
    }

    #[test]
    fn bigrams_have_sequential_positions_across_whitespace() {
        let t = tokens(&mut BigramTokenizer, "作\n\n风 Ａ");
        assert_eq!(
            t,
            vec![("作风".into(), 0), ("风a".into(), 1), ("a".into(), 2)]
        );
        assert_eq!(grams("作 风建设"), vec!["作风", "风建", "建设"]);
        assert_eq!(grams(" 风 "), vec!["风"]);
        assert!(grams("  ").is_empty());
    }

    #[test]
    fn edges_match_only_crossing_strings() {
        let t = tokens(&mut EdgeTokenizer, &format!("甲乙{EDGE_MARK}丙丁"));
        assert_eq!(
            t,
            vec![
                ("甲乙".into(), 0),
                (format!("{EDGE_MARK}乙丙"), 1),
                ("丙丁".into(), 2)
            ]
        );
        let v = edge_variants("乙丙丁");
        assert_eq!(v.len(), 2);
        assert_eq!(v[0], vec![format!("{EDGE_MARK}乙丙"), "丙丁".to_string()]);
        assert!(edge_variants("乙").is_empty());
    }

    #[test]
    fn words_skip_punctuation_and_keep_offsets() {
        let text = "推出“政务快递免费寄送”服务，ＥＭＳ寄递";
        let w = words(text);
        assert!(w.iter().any(|(_, _, s)| s == "政务快递"), "{w:?}");
        assert!(w.iter().any(|(_, _, s)| s == "ems"), "{w:?}");
        for (from, to, _) in &w {
            assert!(text.is_char_boundary(*from) && text.is_char_boundary(*to));
        }
        assert!(!w.iter().any(|(_, _, s)| s == "“"));
    }
}
