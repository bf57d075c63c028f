//! Suggestions as the user types, and "did you mean" for queries that find nothing.
//!
//! Completions come from the corpus's own vocabulary (`index::vocab`: practice names, title
//! words, titles, 文号), read as prefix ranges of the `phrase` term dictionary with their
//! document frequency, plus gazetteer places that have articles. A query of ASCII letters is read
//! as pinyin (`wsxf`, `ganfutong`) against `phrase_py` and the places' pinyin. Ranking: articles
//! containing the entry, plus recent successful searches of the same text.

use std::collections::HashMap;
use std::sync::LazyLock;

use rustc_hash::FxHashMap;

use serde::Serialize;
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

use crate::index::vocab::{self, SEP};
use crate::index::Fields;
use crate::lexicon;

/// Largest number of suggestions.
pub const MAX_SUGGEST: usize = 20;
/// Terms read per segment for one prefix: a one-character prefix of a big corpus has many
/// completions; the terms stream at about a microsecond each, and the first 1,500 hold the
/// frequent short ones (names and words sort before the titles that extend them).
const SCAN: usize = 1_500;
/// Title words whose count in the text is looked up (the most frequent in titles).
const WORD_RECOUNT: usize = 300;

/// One suggestion.
#[derive(Debug, Serialize, Clone, PartialEq, utoipa::ToSchema)]
pub struct Suggestion {
    pub text: String,
    /// practice (a name in quotes), word (from titles), title, number (文号), place, recent.
    pub kind: String,
    /// Articles containing it (for a place: articles at or below it; for recent: its hits).
    pub count: u64,
}

/// The `/api/suggest` response.
#[derive(Debug, Serialize, Clone, utoipa::ToSchema)]
pub struct Suggestions {
    pub suggestions: Vec<Suggestion>,
}

/// The exclusive upper bound of a byte prefix range.
fn upper(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut up = prefix.to_vec();
    while let Some(last) = up.pop() {
        if last < 0xff {
            up.push(last + 1);
            return Some(up);
        }
    }
    None
}

/// Terms of `field` starting with `prefix`, with document frequencies summed over segments.
fn prefix_terms(
    searcher: &Searcher,
    field: Field,
    prefix: &str,
    limit: usize,
) -> Vec<(String, u64)> {
    let mut out: FxHashMap<String, u64> = FxHashMap::default();
    let Some(up) = upper(prefix.as_bytes()) else {
        return Vec::new();
    };
    for seg in searcher.segment_readers() {
        let Ok(inv) = seg.inverted_index(field) else {
            continue;
        };
        let Ok(mut stream) = inv
            .terms()
            .range()
            .ge(prefix.as_bytes())
            .lt(&up)
            .into_stream()
        else {
            continue;
        };
        let mut n = 0;
        while n < limit && stream.advance() {
            if let Ok(k) = std::str::from_utf8(stream.key()) {
                *out.entry(k.to_string()).or_default() += stream.value().doc_freq as u64;
            }
            n += 1;
        }
    }
    out.into_iter().collect()
}

/// A gazetteer unit with its pinyin keys.
struct Place {
    name: String,
    id: u64,
}

/// Places, and (key, index into places) sorted by key; keys are names, full pinyin, initials.
type PlaceIndex = (Vec<Place>, Vec<(String, usize)>);

static PLACES: LazyLock<PlaceIndex> = LazyLock::new(|| {
    let g = lexicon::gazetteer();
    let mut places = Vec::new();
    let mut keys = Vec::new();
    for u in g.units() {
        let i = places.len();
        keys.push((u.name.clone(), i));
        if let Some((full, initials)) = vocab::pinyin_keys(&u.name) {
            keys.push((full, i));
            keys.push((initials, i));
        }
        places.push(Place {
            name: u.name.clone(),
            id: u.id,
        });
    }
    keys.sort();
    (places, keys)
});

fn place_matches(
    searcher: &Searcher,
    fields: &Fields,
    prefix: &str,
    limit: usize,
) -> Vec<Suggestion> {
    let (places, keys) = &*PLACES;
    let start = keys.partition_point(|(k, _)| k.as_str() < prefix);
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (k, i) in &keys[start..] {
        if !k.starts_with(prefix) || out.len() >= limit {
            break;
        }
        if !seen.insert(*i) {
            continue;
        }
        let p = &places[*i];
        let count = searcher
            .doc_freq(&Term::from_field_u64(fields.region, p.id))
            .unwrap_or(0);
        if count > 0 {
            out.push(Suggestion {
                text: p.name.clone(),
                kind: "place".into(),
                count,
            });
        }
    }
    out
}

/// Suggestions for what the user has typed so far. `recent` maps queries that found something
/// to how often they were searched.
pub fn suggest(
    searcher: &Searcher,
    fields: &Fields,
    prefix: &str,
    size: usize,
    recent: &HashMap<String, (u64, u64)>,
) -> Vec<Suggestion> {
    let prefix = prefix.trim();
    if prefix.is_empty() {
        return Vec::new();
    }
    let pinyin = prefix.chars().all(|c| c.is_ascii_alphabetic());
    let mut best: FxHashMap<String, Suggestion> = FxHashMap::default();
    // Terms are `text\u{1}kind`, or `pinyin\u{1}text\u{1}kind` in the pinyin field.
    let (field, key) = if pinyin {
        (fields.phrase_py, prefix.to_ascii_lowercase())
    } else {
        (fields.phrase, prefix.to_string())
    };
    for (term, df) in prefix_terms(searcher, field, &key, SCAN) {
        let Some((head, kind)) = term.rsplit_once(SEP) else {
            continue;
        };
        let text = head.rsplit(SEP).next().unwrap_or(head);
        if let Some(k) = kind.chars().next().and_then(vocab::Kind::from_code) {
            add(
                &mut best,
                Suggestion {
                    text: text.to_string(),
                    kind: k.as_str().into(),
                    count: df,
                },
            );
        }
    }
    for p in place_matches(searcher, fields, &key, 50) {
        add(&mut best, p);
    }
    if !pinyin {
        for (q, &(uses, hits)) in recent {
            if q.starts_with(prefix) && q != prefix && !best.contains_key(q) && uses > 0 {
                add(
                    &mut best,
                    Suggestion {
                        text: q.clone(),
                        kind: "recent".into(),
                        count: hits,
                    },
                );
            }
        }
    }
    best.remove(prefix);
    let mut best: Vec<Suggestion> = best.into_values().collect();
    // A title word's count is the articles whose text has it, not only their titles: looked
    // up for the words that already rank among the first few hundred.
    if best.len() > WORD_RECOUNT {
        best.select_nth_unstable_by(WORD_RECOUNT, |a, b| b.count.cmp(&a.count));
    }
    for sug in best
        .iter_mut()
        .take(WORD_RECOUNT)
        .filter(|s| s.kind == "word")
    {
        if let Ok(n) = searcher.doc_freq(&Term::from_field_text(fields.text_w, &sug.text)) {
            sug.count = sug.count.max(n);
        }
    }
    let score = |s: &Suggestion| -> f64 {
        let uses = recent.get(&s.text).map_or(0, |r| r.0) as f64;
        // Frequency dominates; each recent use counts like a few more articles; titles (long,
        // unique) come after names and words of the same frequency.
        (s.count as f64 + 1.0).ln() + 0.7 * (uses + 1.0).ln() - 0.3 * rank_kind(&s.kind) as f64
    };
    // Keys computed once per suggestion (a short prefix has thousands of candidates).
    let mut keyed: Vec<(f64, usize, Suggestion)> = best
        .into_iter()
        .map(|s| (score(&s), s.text.chars().count(), s))
        .collect();
    let order = |a: &(f64, usize, Suggestion), b: &(f64, usize, Suggestion)| {
        b.0.total_cmp(&a.0)
            .then(a.1.cmp(&b.1))
            .then(a.2.text.cmp(&b.2.text))
    };
    let size = size.min(MAX_SUGGEST);
    if keyed.len() > size {
        keyed.select_nth_unstable_by(size, order);
        keyed.truncate(size);
    }
    keyed.sort_by(order);
    keyed.into_iter().map(|(_, _, s)| s).collect()
}

/// The same text as several kinds: keep the most telling kind and the largest count.
fn add(best: &mut FxHashMap<String, Suggestion>, s: Suggestion) {
    match best.get_mut(&s.text) {
        Some(e) => {
            e.count = e.count.max(s.count);
            if rank_kind(&s.kind) < rank_kind(&e.kind) {
                e.kind = s.kind;
            }
        }
        None => {
            best.insert(s.text.clone(), s);
        }
    }
}

fn rank_kind(kind: &str) -> u8 {
    match kind {
        "practice" => 0,
        "place" => 1,
        "word" => 2,
        "number" => 3,
        "recent" => 4,
        _ => 5,
    }
}

/// Every vocabulary text with its document frequency (practice names, words and places):
/// the candidates for "did you mean".
pub fn vocabulary(searcher: &Searcher, fields: &Fields) -> Vec<(String, u64)> {
    let mut all: HashMap<String, u64> = HashMap::new();
    for seg in searcher.segment_readers() {
        let Ok(inv) = seg.inverted_index(fields.phrase) else {
            continue;
        };
        let Ok(mut stream) = inv.terms().stream() else {
            continue;
        };
        while stream.advance() {
            let Ok(k) = std::str::from_utf8(stream.key()) else {
                continue;
            };
            if let Some((text, kind)) = k.rsplit_once(SEP) {
                if matches!(kind, "p" | "w") {
                    *all.entry(text.to_string()).or_default() += stream.value().doc_freq as u64;
                }
            }
        }
    }
    let (places, _) = &*PLACES;
    for p in places {
        if let Ok(n) = searcher.doc_freq(&Term::from_field_u64(fields.region, p.id)) {
            if n > 0 {
                *all.entry(p.name.clone()).or_default() += n;
            }
        }
    }
    all.into_iter().collect()
}

/// Levenshtein distance over chars, giving up above 1.
fn within_one(a: &[char], b: &[char]) -> bool {
    match a.len() as isize - b.len() as isize {
        0 => a.iter().zip(b).filter(|(x, y)| x != y).count() <= 1,
        1 | -1 => {
            let (long, short) = if a.len() > b.len() { (a, b) } else { (b, a) };
            let i = long
                .iter()
                .zip(short)
                .position(|(x, y)| x != y)
                .unwrap_or(short.len());
            long[i + 1..] == short[i..]
        }
        _ => false,
    }
}

/// Known texts one edit away from `term` (a typo in one character, one missing or extra),
/// most frequent first. Terms shorter than 3 characters have too many neighbours to guess.
pub fn corrections(term: &str, vocab: &[(String, u64)]) -> Vec<(String, u64)> {
    let t: Vec<char> = term.chars().collect();
    if t.len() < 3 {
        return Vec::new();
    }
    let mut out: Vec<(String, u64)> = vocab
        .iter()
        .filter(|(v, _)| {
            let n = v.chars().count();
            n + 1 >= t.len() && n <= t.len() + 1 && v != term
        })
        .filter(|(v, _)| within_one(&t, &v.chars().collect::<Vec<_>>()))
        .cloned()
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out.truncate(5);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_edit() {
        let c = |s: &str| s.chars().collect::<Vec<_>>();
        assert!(within_one(&c("网上信访"), &c("网上信仿")));
        assert!(within_one(&c("网上信访"), &c("网信访")));
        assert!(within_one(&c("网上信访"), &c("网上上信访")));
        assert!(!within_one(&c("网上信访"), &c("网下信仿")));
        let vocab = vec![("网上信访".to_string(), 3), ("网上办理".to_string(), 9)];
        assert_eq!(corrections("网上信仿", &vocab)[0].0, "网上信访");
        assert!(corrections("信仿", &vocab).is_empty());
    }

    #[test]
    fn prefix_upper_bound() {
        assert_eq!(upper(b"ab").unwrap(), b"ac");
        assert_eq!(upper("网".as_bytes()).unwrap().len(), 3);
    }
}
