//! Facet counts over the whole matching set, read from fast fields in one pass.
//!
//! The region facet is a tree: each node counts the articles attributed to it or below it,
//! so a parent's count is its own articles plus its children's.

use std::collections::HashMap;

use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::index::CATEGORIES;
use crate::ingest::Kind;
use crate::lexicon;

/// Raw counts, mergeable across segments.
#[derive(Default, Debug, Clone)]
pub struct Counts {
    region: HashMap<u64, u64>,
    year: HashMap<u64, u64>,
    category: [u64; 6],
    kind: [u64; 3],
}

/// Counts region nodes, years, categories and kinds of every matching article.
pub struct FacetCollector;

pub struct FacetSegment {
    region: Column<u64>,
    date: Column<u64>,
    category: Column<u64>,
    kind: Column<u64>,
    counts: Counts,
}

impl Collector for FacetCollector {
    type Fruit = Counts;
    type Child = FacetSegment;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<FacetSegment> {
        let ff = segment.fast_fields();
        Ok(FacetSegment {
            region: ff.u64("region_node")?,
            date: ff.u64("date")?,
            category: ff.u64("category")?,
            kind: ff.u64("kind")?,
            counts: Counts::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Counts>) -> tantivy::Result<Counts> {
        let mut out = Counts::default();
        for c in fruits {
            for (k, v) in c.region {
                *out.region.entry(k).or_default() += v;
            }
            for (k, v) in c.year {
                *out.year.entry(k).or_default() += v;
            }
            for i in 0..6 {
                out.category[i] += c.category[i];
            }
            for i in 0..3 {
                out.kind[i] += c.kind[i];
            }
        }
        Ok(out)
    }
}

impl SegmentCollector for FacetSegment {
    type Fruit = Counts;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(node) = self.region.first(doc).filter(|&n| n != 0) {
            *self.counts.region.entry(node).or_default() += 1;
        }
        if let Some(date) = self.date.first(doc).filter(|&d| d != 0) {
            *self.counts.year.entry(date / 10_000).or_default() += 1;
        }
        for c in self.category.values_for_doc(doc) {
            if (c as usize) < 6 {
                self.counts.category[c as usize] += 1;
            }
        }
        if let Some(k) = self.kind.first(doc) {
            self.counts.kind[(k as usize).min(2)] += 1;
        }
    }

    fn harvest(self) -> Counts {
        self.counts
    }
}

/// A node of the region tree.
#[derive(Debug, Serialize, Clone, PartialEq, utoipa::ToSchema)]
pub struct RegionNode {
    pub name: String,
    pub code: String,
    pub count: u64,
    #[schema(no_recursion)]
    pub children: Vec<RegionNode>,
}

#[derive(Debug, Serialize, Clone, PartialEq, utoipa::ToSchema)]
pub struct NameCount {
    pub name: String,
    pub count: u64,
}

#[derive(Debug, Serialize, Clone, PartialEq, utoipa::ToSchema)]
pub struct YearCount {
    pub year: u64,
    pub count: u64,
}

/// The facets of a response.
#[derive(Debug, Serialize, Clone, PartialEq, utoipa::ToSchema)]
pub struct Facets {
    pub region: Vec<RegionNode>,
    pub category: Vec<NameCount>,
    pub year: Vec<YearCount>,
    pub kind: Vec<NameCount>,
}

impl Counts {
    /// Shapes raw counts into the response's facets.
    pub fn facets(&self) -> Facets {
        let g = lexicon::gazetteer();
        let mut totals: HashMap<u64, u64> = HashMap::new();
        for (&node, &n) in &self.region {
            for a in g.ancestors(node) {
                *totals.entry(a).or_default() += n;
            }
        }
        let mut children: HashMap<Option<u64>, Vec<u64>> = HashMap::new();
        for &id in totals.keys() {
            let parent = g
                .get(id)
                .and_then(|u| u.parent)
                .filter(|p| totals.contains_key(p));
            children.entry(parent).or_default().push(id);
        }
        fn build(
            id: u64,
            totals: &HashMap<u64, u64>,
            children: &HashMap<Option<u64>, Vec<u64>>,
        ) -> RegionNode {
            let unit = lexicon::gazetteer().get(id);
            let mut kids: Vec<RegionNode> = children
                .get(&Some(id))
                .map(|ids| ids.iter().map(|&c| build(c, totals, children)).collect())
                .unwrap_or_default();
            kids.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(&b.code)));
            RegionNode {
                name: unit.map(|u| u.name.clone()).unwrap_or_default(),
                code: unit.map(|u| u.code.clone()).unwrap_or_default(),
                count: totals[&id],
                children: kids,
            }
        }
        let mut region: Vec<RegionNode> = children
            .get(&None)
            .map(|ids| {
                ids.iter()
                    .map(|&id| build(id, &totals, &children))
                    .collect()
            })
            .unwrap_or_default();
        region.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(&b.code)));

        let category = CATEGORIES
            .iter()
            .enumerate()
            .filter(|(i, _)| self.category[i + 1] > 0)
            .map(|(i, name)| NameCount {
                name: name.to_string(),
                count: self.category[i + 1],
            })
            .collect();
        let mut year: Vec<YearCount> = self
            .year
            .iter()
            .map(|(&year, &count)| YearCount { year, count })
            .collect();
        year.sort_by_key(|y| y.year);
        let kind = (0..3)
            .filter(|&i| self.kind[i] > 0)
            .map(|i| NameCount {
                name: Kind::from_code(i as u64).as_str().to_string(),
                count: self.kind[i],
            })
            .collect();
        Facets {
            region,
            category,
            year,
            kind,
        }
    }
}
