//! The query language and the tantivy query built from it.
//!
//! Syntax (read forgivingly, never an error): whitespace = AND; `"..."` exact phrase (an
//! unbalanced quote runs to the end); `-词` excludes; `A OR B`; `title:词` matches titles only.
//!
//! Each term must occur exactly as typed (bigram phrase over the match values or the document
//! header, like grep); it is scored by word-level BM25 on title and text (jieba words of the
//! term), with title matches weighted up.

use std::ops::Bound;

use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, EnableScoring, InvertedIndexRangeQuery,
    Occur, PhraseQuery, Query, TermQuery, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

use crate::analysis;
use crate::index::Fields;
use crate::ingest::meta;
use crate::lexicon;

/// One searchable piece of the query.
#[derive(Clone, Debug, PartialEq)]
pub struct Atom {
    pub text: String,
    pub title_only: bool,
    /// Typed in quotes: exact, never expanded.
    pub quoted: bool,
    /// Added by synonym expansion (lower weight), not typed.
    pub expansion: bool,
}

/// A parsed query: groups that must all match (each an OR of atoms), and exclusions.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Parsed {
    pub groups: Vec<Vec<Atom>>,
    pub excluded: Vec<Atom>,
}

impl Parsed {
    /// The terms as typed.
    pub fn terms(&self) -> Vec<String> {
        self.groups
            .iter()
            .flatten()
            .filter(|a| !a.expansion)
            .map(|a| a.text.clone())
            .collect()
    }
    /// The synonyms the query was expanded with.
    pub fn expanded(&self) -> Vec<String> {
        self.groups
            .iter()
            .flatten()
            .filter(|a| a.expansion)
            .map(|a| a.text.clone())
            .collect()
    }
}

const MAX_QUERY_CHARS: usize = 500;
const MAX_ATOMS: usize = 32;

fn clean(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || c.is_whitespace())
        .take(MAX_QUERY_CHARS)
        .collect()
}

/// Splits `-` and `title:` (or `标题:`/`标题：`) prefixes off a token: (negated, title only, rest).
fn split_prefix(token: &str) -> (bool, bool, &str) {
    let (negated, rest) = match token.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, token),
    };
    for p in ["title:", "title：", "标题:", "标题："] {
        if let Some(r) = rest.strip_prefix(p) {
            return (negated, true, r);
        }
    }
    (negated, false, rest)
}

/// Splits an unquoted token into its prefix (`-`, `title:`, …) and its text.
fn split_token(token: &str) -> (String, String) {
    let rest = split_prefix(token).2;
    (
        token[..token.len() - rest.len()].to_string(),
        rest.to_string(),
    )
}

/// Parses the query syntax (see the module doc).
pub fn parse(q: &str) -> Parsed {
    let q = clean(q);
    // Lexing: (prefix, text, quoted). A prefix typed right before a quote (`-"…"`,
    // `title:"…"`) belongs to the quoted text; inside quotes everything is text.
    let mut tokens: Vec<(String, String, bool)> = Vec::new();
    let mut cur = String::new();
    let mut prefix = String::new();
    let mut in_quote = false;
    for c in q.chars() {
        if c == '"' || c == '＂' {
            if in_quote {
                tokens.push((std::mem::take(&mut prefix), std::mem::take(&mut cur), true));
            } else if split_prefix(&cur).2.is_empty() {
                prefix = std::mem::take(&mut cur);
            } else {
                let (p, t) = split_token(&std::mem::take(&mut cur));
                tokens.push((p, t, false));
            }
            in_quote = !in_quote;
        } else if c.is_whitespace() && !in_quote {
            if !cur.is_empty() {
                let (p, t) = split_token(&std::mem::take(&mut cur));
                tokens.push((p, t, false));
            }
        } else {
            cur.push(c);
        }
    }
    if in_quote {
        tokens.push((prefix, cur, true));
    } else if !cur.is_empty() {
        let (p, t) = split_token(&cur);
        tokens.push((p, t, false));
    }

    let mut parsed = Parsed::default();
    let mut pending_or = false;
    for (prefix, raw, quoted) in tokens {
        if !quoted && prefix.is_empty() && raw == "OR" {
            pending_or = !parsed.groups.is_empty();
            continue;
        }
        let (negated, title_only, _) = split_prefix(&prefix);
        let text = raw.as_str();
        let text = text.trim();
        if analysis::grams(text).is_empty() {
            continue;
        }
        let atom = Atom {
            text: text.to_string(),
            title_only,
            quoted,
            expansion: false,
        };
        if parsed.groups.len() + parsed.excluded.len() >= MAX_ATOMS {
            break;
        }
        if negated {
            parsed.excluded.push(atom);
        } else if pending_or {
            parsed.groups.last_mut().expect("checked").push(atom);
        } else {
            parsed.groups.push(vec![atom]);
        }
        pending_or = false;
    }
    // Synonyms join their term's group as alternatives (weighted down in `atom_query`).
    for group in &mut parsed.groups {
        let mut extra = Vec::new();
        for atom in group.iter().filter(|a| !a.quoted) {
            for syn in lexicon::synonyms(&atom.text) {
                if !group
                    .iter()
                    .chain(extra.iter())
                    .any(|a: &Atom| &a.text == syn)
                {
                    extra.push(Atom {
                        text: syn.clone(),
                        title_only: atom.title_only,
                        quoted: false,
                        expansion: true,
                    });
                }
            }
        }
        group.extend(extra);
    }
    parsed
}

/// Articles where `text` occurs: in the article (scored a little), in its document's header
/// (scored very little), or across one of its boundaries (see `ingest::Edge`).
pub fn matches(f: &Fields, text: &str) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![
        (
            Occur::Should,
            Box::new(BoostQuery::new(occurs(f.bi, text), BIGRAM_BOOST)),
        ),
        (
            Occur::Should,
            Box::new(BoostQuery::new(occurs(f.header_bi, text), HEADER_BOOST)),
        ),
    ];
    // A string crossing into or out of the article: one phrase per place the boundary could fall.
    let variants = analysis::edge_variants(text);
    // A window holds EDGE characters on each side: longer strings cannot be inside it.
    let fits = variants
        .first()
        .is_some_and(|v| v.len() < 2 * crate::ingest::EDGE);
    for field in f.edge.into_iter().filter(|_| fits) {
        for variant in &variants {
            let terms: Vec<Term> = variant
                .iter()
                .map(|g| Term::from_field_text(field, g))
                .collect();
            let q: Box<dyn Query> = if terms.len() == 1 {
                Box::new(TermQuery::new(terms[0].clone(), IndexRecordOption::Basic))
            } else {
                Box::new(PhraseQuery::new(terms))
            };
            clauses.push((
                Occur::Should,
                Box::new(ConstScoreQuery::new(q, HEADER_BOOST)),
            ));
        }
    }
    Box::new(BooleanQuery::new(clauses))
}

/// The query matching where `text` occurs exactly in `field` (a bigram-channel field).
pub fn occurs(field: Field, text: &str) -> Box<dyn Query> {
    let grams = analysis::grams(text);
    let terms: Vec<Term> = grams
        .iter()
        .map(|g| Term::from_field_text(field, g))
        .collect();
    match grams.as_slice() {
        [] => Box::new(EmptyQuery),
        [one] if one.chars().count() == 1 => {
            // One character: every term that starts with it (a pair, or a run's last char).
            let c = one.chars().next().expect("one char");
            // The next scalar value after `c` (skipping the surrogate gap); none after the last.
            let next = match c {
                '\u{D7FF}' => Some('\u{E000}'),
                _ => char::from_u32(c as u32 + 1),
            };
            let upper = next.map_or(Bound::Unbounded, |n| {
                Bound::Excluded(Term::from_field_text(field, &n.to_string()))
            });
            Box::new(InvertedIndexRangeQuery::new(
                Bound::Included(Term::from_field_text(field, one)),
                upper,
            ))
        }
        [_] => Box::new(TermQuery::new(
            terms[0].clone(),
            IndexRecordOption::WithFreqs,
        )),
        [_, _] => Box::new(PhraseQuery::new(terms)),
        _ => Box::new(Chain { terms }),
    }
}

/// The phrase of three or more pairs, read as every other pair and the last: position p holds
/// the pair of characters p and p+1, so pairs at p and p+2 fix the one between them, and the
/// phrase matches exactly where the full chain would while reading about half the posting
/// lists. (Values of a field are separated by a position gap, so no pair of one value lines up
/// with the next one's.)
///
/// Soft gaps (`analysis::SOFT`): the first and last pair are read in their plain form, so a
/// match never begins or ends across a quotation mark; an inner pair may be either, so the
/// cover steps over inner positions whose soft form the index holds, and reads both forms
/// where it cannot (two such positions side by side). A pair the query itself writes soft is
/// always read.
#[derive(Clone, Debug)]
struct Chain {
    terms: Vec<Term>,
}

/// Cap on the phrases read for inner positions whose two forms must both be tried.
const CHAIN_VARIANTS: usize = 8;

impl Query for Chain {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let last = self.terms.len() - 1;
        let text = |t: &Term| t.value().as_str().unwrap_or_default().to_string();
        let typed_soft = |p: usize| text(&self.terms[p]).ends_with(analysis::SOFT);
        let soft_form = |p: usize| {
            Term::from_field_text(
                self.terms[p].field(),
                &format!("{}{}", text(&self.terms[p]), analysis::SOFT),
            )
        };
        // Inner positions that may hold either form here (never the ends, never typed soft).
        let mut either = vec![false; last + 1];
        if let Some(searcher) = scoring.searcher() {
            for (p, e) in either.iter_mut().enumerate().take(last).skip(1) {
                *e = !typed_soft(p) && searcher.doc_freq(&soft_form(p))? > 0;
            }
        }
        let mut variants: Vec<Vec<(usize, Term)>> = vec![vec![(0, self.terms[0].clone())]];
        let mut at = 0;
        while at < last {
            let next = if at + 2 <= last && !typed_soft(at + 1) && !either[at + 2] {
                at + 2
            } else {
                at + 1
            };
            let plain = self.terms[next].clone();
            if either[next] && variants.len() * 2 <= CHAIN_VARIANTS {
                let soft = soft_form(next);
                let mut doubled = Vec::with_capacity(variants.len() * 2);
                for v in variants {
                    let mut w = v.clone();
                    w.push((next, soft.clone()));
                    doubled.push(w);
                    let mut v = v;
                    v.push((next, plain.clone()));
                    doubled.push(v);
                }
                variants = doubled;
            } else {
                for v in &mut variants {
                    v.push((next, plain.clone()));
                }
            }
            at = next;
        }
        if variants.len() == 1 {
            let v = variants.pop().expect("one variant");
            return PhraseQuery::new_with_offset(v).weight(scoring);
        }
        let phrases: Vec<Box<dyn Query>> = variants
            .into_iter()
            .map(|v| Box::new(PhraseQuery::new_with_offset(v)) as Box<dyn Query>)
            .collect();
        BooleanQuery::union(phrases).weight(scoring)
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for t in &self.terms {
            visitor(t, true);
        }
    }
}

/// Weight of a word match in the title relative to the text.
const TITLE_WORD_BOOST: f32 = 3.0;
/// Score for the whole term appearing in the title (constant: a phrase's BM25 would grow with
/// its length, letting a long synonym outweigh the term as typed).
const TITLE_PHRASE_SCORE: f32 = 8.0;
/// Weight of the bigram channel's own score (it only decides ties among word scores).
const BIGRAM_BOOST: f32 = 0.3;
/// Weight of a match in the document header or across a boundary.
const HEADER_BOOST: f32 = 0.05;
/// Weight of a word in the article's lead sentence.
const LEAD_WORD_BOOST: f32 = 1.5;
/// Weight of a synonym relative to the term as typed.
const EXPANSION_BOOST: f32 = 0.25;
/// Score for bearing the 文号 the query is (above any word or phrase score of a citation).
const OWN_NUMBER_SCORE: f32 = 100.0;
/// Bonus for two query terms within this many characters of each other.
const NEAR_SLOP: u32 = 30;
const NEAR_BOOST: f32 = 2.0;

fn atom_query(f: &Fields, atom: &Atom) -> Box<dyn Query> {
    let q = literal_query(f, atom);
    if atom.expansion {
        Box::new(BoostQuery::new(q, EXPANSION_BOOST))
    } else {
        q
    }
}

fn literal_query(f: &Fields, atom: &Atom) -> Box<dyn Query> {
    let title_match = occurs(f.title_bi, &atom.text);
    if atom.title_only {
        return title_match;
    }
    let mut must = matches(f, &atom.text);
    if let Some(key) = meta::whole_number(&atom.text) {
        // A 文号 typed whole: the document that bears it comes before those that cite it, and
        // is found even where its text prints the number in another form (第9号, 9號).
        let own = TermQuery::new(
            Term::from_field_text(f.number, &key),
            IndexRecordOption::Basic,
        );
        must = Box::new(BooleanQuery::new(vec![
            (Occur::Should, must),
            (
                Occur::Should,
                Box::new(ConstScoreQuery::new(Box::new(own), OWN_NUMBER_SCORE)),
            ),
        ]));
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![
        (Occur::Must, must),
        (
            Occur::Should,
            Box::new(ConstScoreQuery::new(title_match, TITLE_PHRASE_SCORE)),
        ),
    ];
    for (term, boost) in word_terms(f, &atom.text) {
        let q = TermQuery::new(term, IndexRecordOption::WithFreqs);
        clauses.push((Occur::Should, Box::new(BoostQuery::new(Box::new(q), boost))));
    }
    Box::new(BooleanQuery::new(clauses))
}

/// The word-channel terms of an unquoted or quoted atom with their weights: each distinct
/// jieba word in the title, the text and the lead sentence.
fn word_terms(f: &Fields, text: &str) -> Vec<(Term, f32)> {
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for (_, _, w) in analysis::words(text) {
        if seen.contains(&w) {
            continue;
        }
        for (field, boost) in [
            (f.title_w, TITLE_WORD_BOOST),
            (f.text_w, 1.0),
            (f.lead_w, LEAD_WORD_BOOST),
        ] {
            out.push((Term::from_field_text(field, &w), boost));
        }
        seen.push(w);
    }
    out
}

/// What a pruned top-k needs to know of the query [`build`] makes: its word-channel terms
/// (a pure disjunction, which tantivy runs with block-max WAND) and an upper bound of
/// everything else it scores (phrases, header, boundaries, the constant title bonus): an
/// article scores at most its word score plus `rest_bound`.
pub struct Plan {
    pub words: BooleanQuery,
    pub rest_bound: f32,
    /// The term in the title, when few titles can hold it: those articles can be scored
    /// first, and the constant title bonus (`title_bonus`) left out of every other's bound.
    pub title: Option<Box<dyn Query>>,
    pub title_bonus: f32,
}

/// Titles holding the term up to which they are scored before pruning the rest.
const TITLE_TIER: u64 = 20_000;

/// BM25's saturation: a term scores less than `idf · (1 + k1)` times its boost.
const BM25_MAX: f32 = 1.0 + 1.2;

/// The [`Plan`] of a query of one term (the common case, and the one it pays for: measured
/// at 1M articles, synonyms and further terms loosen the bound until pruning costs more than
/// scoring everything). `df` gives a term's document frequency, `n` the number of articles
/// (deleted ones included: a larger idf keeps the bound an upper bound).
pub fn plan(f: &Fields, parsed: &Parsed, df: &dyn Fn(&Term) -> u64, n: u64) -> Option<Plan> {
    // tantivy's BM25 idf.
    let idf = |t: &Term| -> f32 {
        let d = df(t).min(n);
        (1.0 + ((n - d) as f32 + 0.5) / (d as f32 + 0.5))
            .ln()
            .max(0.0)
    };
    let [group] = parsed.groups.as_slice() else {
        return None;
    };
    let [atom] = group.as_slice() else {
        return None;
    };
    // A 文号 is rare, and its own-number bonus is not in the bound.
    if atom.title_only || meta::whole_number(&atom.text).is_some() {
        return None;
    }
    let grams = analysis::grams(&atom.text);
    // The most a bigram-channel match of the term in `field` can score (see `occurs`).
    let occurs_max = |field: Field| -> f32 {
        match grams.as_slice() {
            [] => 0.0,
            [one] if one.chars().count() == 1 => 1.0,
            _ => {
                BM25_MAX
                    * grams
                        .iter()
                        .map(|g| idf(&Term::from_field_text(field, g)))
                        .sum::<f32>()
            }
        }
    };
    // Mirrors `literal_query` and `matches`.
    let edges = analysis::edge_variants(&atom.text);
    let fits = edges
        .first()
        .is_some_and(|v| v.len() < 2 * crate::ingest::EDGE);
    let edge_clauses = if fits { f.edge.len() * edges.len() } else { 0 };
    let rest_bound = TITLE_PHRASE_SCORE
        + BIGRAM_BOOST * occurs_max(f.bi)
        + HEADER_BOOST * occurs_max(f.header_bi)
        + HEADER_BOOST * edge_clauses as f32;
    let words: Vec<(Occur, Box<dyn Query>)> = word_terms(f, &atom.text)
        .into_iter()
        .map(|(term, boost)| {
            let q = TermQuery::new(term, IndexRecordOption::WithFreqs);
            (
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(q), boost)) as Box<dyn Query>,
            )
        })
        .collect();
    // A title holds the term only if it holds each of its pairs.
    let title_df = grams
        .iter()
        .map(|g| df(&Term::from_field_text(f.title_bi, g)))
        .min()
        .unwrap_or(u64::MAX);
    (!words.is_empty()).then(|| Plan {
        words: BooleanQuery::new(words),
        rest_bound,
        title: (title_df <= TITLE_TIER).then(|| occurs(f.title_bi, &atom.text)),
        title_bonus: TITLE_PHRASE_SCORE,
    })
}

/// About how many articles can match at most (by the document frequencies of the terms'
/// pairs; boundary matches left out): a guide for choosing how to search, not a count.
pub fn match_bound(f: &Fields, parsed: &Parsed, df: &dyn Fn(&Term) -> u64) -> u64 {
    let atom_bound = |a: &Atom| -> u64 {
        let grams = analysis::grams(&a.text);
        if grams.len() == 1 && grams[0].chars().count() == 1 {
            return u64::MAX;
        }
        let fields: &[Field] = if a.title_only {
            &[f.title_bi]
        } else {
            &[f.bi, f.header_bi]
        };
        fields
            .iter()
            .map(|&field| {
                grams
                    .iter()
                    .map(|g| df(&Term::from_field_text(field, g)))
                    .min()
                    .unwrap_or(0)
            })
            .fold(0u64, u64::saturating_add)
    };
    parsed
        .groups
        .iter()
        .map(|g| g.iter().map(atom_bound).fold(0u64, u64::saturating_add))
        .min()
        .unwrap_or(u64::MAX)
}

/// The first pair of each group's first atom: proximity is scored between neighbours.
fn near_pairs(parsed: &Parsed) -> Vec<String> {
    parsed
        .groups
        .iter()
        .filter_map(|g| {
            analysis::grams(&g[0].text)
                .into_iter()
                .next()
                .filter(|x| x.chars().count() == 2)
        })
        .collect()
}

/// The tantivy query for a parsed query plus filter clauses (which do not score).
/// `None` groups and no filters means "everything".
pub fn build(f: &Fields, parsed: &Parsed, filters: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for group in &parsed.groups {
        let q: Box<dyn Query> = if group.len() == 1 {
            atom_query(f, &group[0])
        } else {
            Box::new(BooleanQuery::new(
                group
                    .iter()
                    .map(|a| (Occur::Should, atom_query(f, a)))
                    .collect(),
            ))
        };
        clauses.push((Occur::Must, q));
    }
    // Terms close together score over scattered ones: a sloppy phrase of each pair's first pairs.
    let firsts = near_pairs(parsed);
    for pair in firsts.windows(2) {
        for (a, b) in [(&pair[0], &pair[1]), (&pair[1], &pair[0])] {
            let mut near = PhraseQuery::new(vec![
                Term::from_field_text(f.bi, a),
                Term::from_field_text(f.bi, b),
            ]);
            near.set_slop(NEAR_SLOP);
            clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(near), NEAR_BOOST)),
            ));
        }
    }
    for atom in &parsed.excluded {
        let q: Box<dyn Query> = if atom.title_only {
            occurs(f.title_bi, &atom.text)
        } else {
            matches(f, &atom.text)
        };
        clauses.push((Occur::MustNot, q));
    }
    let positive = !parsed.groups.is_empty() || !filters.is_empty();
    for filter in filters {
        clauses.push((
            Occur::Must,
            Box::new(tantivy::query::ConstScoreQuery::new(filter, 0.0)),
        ));
    }
    if !positive {
        clauses.push((Occur::Must, Box::new(tantivy::query::AllQuery)));
    }
    Box::new(BooleanQuery::new(clauses))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn atoms(q: &str) -> Vec<Vec<String>> {
        parse(q)
            .groups
            .iter()
            .map(|g| {
                g.iter()
                    .filter(|a| !a.expansion)
                    .map(|a| a.text.clone())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn syntax() {
        assert_eq!(
            atoms("网上信访 一键维权"),
            vec![vec!["网上信访"], vec!["一键维权"]]
        );
        assert_eq!(
            atoms("\"政务 公开\" 章贡"),
            vec![vec!["政务 公开"], vec!["章贡"]]
        );
        assert_eq!(
            atoms("赣服通 OR 一网通办"),
            vec![vec!["赣服通", "一网通办"]]
        );
        let p = parse("政务 -章贡区 title:十县百乡");
        assert_eq!(p.excluded[0].text, "章贡区");
        assert!(p.groups[1][0].title_only);
    }

    #[test]
    fn synonyms_expand_unquoted_terms_only() {
        let p = parse("放管服");
        assert_eq!(p.terms(), ["放管服"]);
        assert!(p.expanded().contains(&"简政放权".to_string()));
        assert!(parse("\"放管服\"").expanded().is_empty());
        assert!(parse("-放管服").expanded().is_empty());
    }

    #[test]
    fn prefixes_before_quotes() {
        let p = parse("title:\"政务 公开\" -\"章贡 区\" 标题：十县百乡");
        assert_eq!(p.groups[0][0].text, "政务 公开");
        assert!(p.groups[0][0].title_only && p.groups[0][0].quoted);
        assert_eq!(p.excluded[0].text, "章贡 区");
        assert!(p.groups[1][0].title_only);
        assert_eq!(p.groups[1][0].text, "十县百乡");
    }

    #[test]
    fn forgiving() {
        assert_eq!(atoms("\"未闭合 引号"), vec![vec!["未闭合 引号"]]);
        assert_eq!(atoms("- OR 信访 OR"), vec![vec!["信访"]]);
        assert!(parse("\u{0}\u{7}  \"\" -").groups.is_empty());
        assert_eq!(atoms("\"-\""), vec![vec!["-"]]);
        assert_eq!(atoms("\"title:x\""), vec![vec!["title:x"]]);
        assert!(
            parse(&"长".repeat(100_000)).groups[0][0]
                .text
                .chars()
                .count()
                <= MAX_QUERY_CHARS
        );
    }
}
