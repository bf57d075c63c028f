//! Searching a matching set too large to score and count in full (a common word in a
//! million articles): counts and facets from a stratified sample of the matches, and the
//! top k by block-max WAND over the word channel, each candidate checked and scored by the
//! whole query. The hits are always exact; counts and facets say when they are estimates.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::ops::Bound;

use rustc_hash::FxHashSet;
use tantivy::collector::{Collector, SegmentCollector, TopDocs};
use tantivy::query::{BooleanQuery, ConstScoreQuery, EnableScoring, Occur, Query, RangeQuery};
use tantivy::{DocAddress, DocId, DocSet, Order, Score, Searcher, Term, TERMINATED};

use super::facets::{Counts, FacetCollector};
use super::query::Plan;

/// Doc-id ranges a segment's matches are sampled from. Files are indexed in folder order,
/// which is often date order, so a prefix of the matches would be one year's.
const STRATA: u32 = 32;

/// When a search counts from a sample and prunes its top k.
#[derive(Debug, Clone, Copy)]
pub struct Pruning {
    /// Matching sets up to about this size (by the sample) are counted and ranked in full.
    pub exact_up_to: usize,
    /// Matches examined per doc-id range before the rest of it is estimated: 64 gives about
    /// 2,000 per search, a sampling error of about 2 % on counts.
    pub quota: u32,
}

impl Default for Pruning {
    fn default() -> Self {
        Pruning {
            exact_up_to: 5_000,
            quota: 64,
        }
    }
}

/// Candidates scored by the whole query before pruning is given up as not paying (measured
/// at 1M articles: a proven top 10 took from 500 to 23,000 checks; the fallback scores every
/// match, so a hopeless walk must stop early).
const CHECKS: usize = 5_000;

/// Counts (and facets) of the matching set.
pub struct Sample {
    pub total: usize,
    /// Every match was seen: `total` and the facets are exact.
    pub exact: bool,
    pub counts: Option<Counts>,
}

/// Counts the matches of `q` (unscored) in [`STRATA`] doc-id ranges per segment, up to
/// `quota` matches each; a range whose quota fills is extrapolated from the part seen.
pub fn sample(
    searcher: &Searcher,
    q: &dyn Query,
    facets: bool,
    quota: u32,
) -> tantivy::Result<Sample> {
    let weight = q.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let mut total = 0.0f64;
    let mut exact = true;
    let mut counts = facets.then(Counts::default);
    for (ord, reader) in searcher.segment_readers().iter().enumerate() {
        let max_doc = reader.max_doc();
        if max_doc == 0 {
            continue;
        }
        let alive = reader.alive_bitset();
        let mut scorer = weight.scorer(reader, 1.0)?;
        let mut collector = match facets {
            true => Some(FacetCollector.for_segment(ord as u32, reader)?),
            false => None,
        };
        let strata = STRATA.min(max_doc.div_ceil(quota)).max(1);
        for s in 0..strata {
            let start = (max_doc as u64 * s as u64 / strata as u64) as DocId;
            let end = (max_doc as u64 * (s as u64 + 1) / strata as u64) as DocId;
            let mut doc = scorer.doc();
            if doc < start {
                doc = scorer.seek(start);
            }
            let mut seen = 0u32;
            let mut last = start;
            while doc < end {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    seen += 1;
                    if let Some(c) = collector.as_mut() {
                        c.collect(doc, 0.0);
                    }
                    if seen == quota {
                        last = doc;
                        break;
                    }
                }
                doc = scorer.advance();
            }
            let factor = if seen == quota && last + 1 < end {
                exact = false;
                (end - start) as f64 / (last + 1 - start) as f64
            } else {
                1.0
            };
            total += seen as f64 * factor;
            if let (Some(c), Some(out)) = (collector.as_mut(), counts.as_mut()) {
                out.add_scaled(&c.take(), factor);
            }
            if doc == TERMINATED {
                break;
            }
        }
    }
    Ok(Sample {
        total: total.round() as usize,
        exact,
        counts,
    })
}

#[derive(PartialEq)]
struct Entry(Score, DocAddress);
impl Eq for Entry {}
impl Ord for Entry {
    // The heap's top is the worst entry: the lowest score, then the highest address.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .0
            .partial_cmp(&self.0)
            .unwrap_or(Ordering::Equal)
            .then(self.1.cmp(&other.1))
    }
}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The best `k` matches of `q` by its score, found by block-max WAND over `plan.words`:
/// a document can only enter the top k when its word score exceeds the k-th best score
/// minus `plan.rest_bound`, so only those candidates are checked and scored by `q`.
/// `None` when that cannot prove the result exact (fewer than k word matches, or a k-th
/// score that an article without any word match could reach): then score everything.
pub fn top_by_words(
    searcher: &Searcher,
    q: &dyn Query,
    plan: &Plan,
    k: usize,
) -> tantivy::Result<Option<Vec<(Score, DocAddress)>>> {
    if k == 0 {
        return Ok(None);
    }
    let mut heap: BinaryHeap<Entry> = BinaryHeap::with_capacity(k + 1);
    let push = |heap: &mut BinaryHeap<Entry>, entry: Entry| {
        if heap.len() < k {
            heap.push(entry);
        } else if heap.peek().is_some_and(|worst| entry < *worst) {
            heap.pop();
            heap.push(entry);
        }
    };
    let mut rest = plan.rest_bound;
    // Articles with the term in their title, scored first: every other one lacks the bonus.
    let mut titled = FxHashSet::default();
    if let Some(title) = &plan.title {
        let tier = BooleanQuery::new(vec![
            (Occur::Must, q.box_clone()),
            (
                Occur::Must,
                Box::new(ConstScoreQuery::new(title.box_clone(), 0.0)),
            ),
        ]);
        // Their top k: a titled article outside it that WAND meets again cannot enter.
        for (score, addr) in searcher.search(&tier, &TopDocs::with_limit(k).order_by_score())? {
            titled.insert(addr);
            push(&mut heap, Entry(score, addr));
        }
        rest -= plan.title_bonus;
    }
    // Float sums in another order may differ in the last bits.
    let rest = rest + rest.abs() * 1e-4 + 1e-4;
    let words = plan
        .words
        .weight(EnableScoring::enabled_from_searcher(searcher))?;
    let full = q.weight(EnableScoring::enabled_from_searcher(searcher))?;
    let mut checked = 0usize;
    for (ord, reader) in searcher.segment_readers().iter().enumerate() {
        let alive = reader.alive_bitset();
        let mut scorer = full.scorer(reader, 1.0)?;
        let floor = |heap: &BinaryHeap<Entry>| match heap.peek() {
            Some(worst) if heap.len() == k => worst.0 - rest,
            _ => Score::MIN,
        };
        let mut threshold = floor(&heap);
        words.for_each_pruning(threshold, reader, &mut |doc, _| {
            if alive.is_some_and(|a| a.is_deleted(doc)) {
                return threshold;
            }
            checked += 1;
            if checked > CHECKS {
                // Not pruning: the bound is too loose for these scores. Stop the walk.
                return Score::MAX;
            }
            if scorer.doc() < doc {
                scorer.seek(doc);
            }
            let addr = DocAddress::new(ord as u32, doc);
            if scorer.doc() == doc && !titled.contains(&addr) {
                push(&mut heap, Entry(scorer.score(), addr));
                threshold = floor(&heap);
            }
            threshold
        })?;
    }
    let proven =
        checked <= CHECKS && heap.len() == k && heap.peek().is_some_and(|worst| worst.0 > rest);
    if !proven {
        return Ok(None);
    }
    // `into_sorted_vec` is ascending by `Ord`, i.e. best first.
    Ok(Some(
        heap.into_sorted_vec()
            .into_iter()
            .map(|Entry(s, a)| (s, a))
            .collect(),
    ))
}

/// The newest `k` matches of `q` without sorting the whole matching set: only the years that
/// (by the sampled counts) hold twice that many matches. Exact, since every article of those
/// years is considered and every other one is older; `None` when they held fewer than `k`.
pub fn newest(
    searcher: &Searcher,
    q: &dyn Query,
    counts: &Counts,
    k: usize,
) -> tantivy::Result<Option<Vec<(Score, DocAddress)>>> {
    let mut covered = 0;
    let mut since = None;
    for (year, n) in counts.years().rev() {
        covered += n;
        if n > 0 && covered >= 2 * k as u64 {
            since = Some(year);
            break;
        }
    }
    let Some(year) = since else {
        return Ok(None);
    };
    let date = searcher.schema().get_field("date")?;
    let recent = BooleanQuery::new(vec![
        (Occur::Must, q.box_clone()),
        (
            Occur::Must,
            Box::new(RangeQuery::new(
                Bound::Included(Term::from_field_u64(date, year * 10_000)),
                Bound::Unbounded,
            )),
        ),
    ]);
    let top = searcher.search(
        &recent,
        &TopDocs::with_limit(k).order_by_u64_field("date", Order::Desc),
    )?;
    Ok((top.len() == k).then(|| super::dated(top)))
}
