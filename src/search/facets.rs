//! Facet counts over the whole matching set, read from fast fields in one pass.
//!
//! The region facet is a tree: each node counts the articles attributed to it or below it,
//! so a parent's count is its own articles plus its children's. Only the [`REGION_NODES`]
//! largest nodes are returned (a parent never counts less than its child, so they always form
//! a tree); each node says how many of its children were left out.

use rustc_hash::FxHashMap;

use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::index::CATEGORIES;
use crate::ingest::Kind;
use crate::lexicon;

/// How many region nodes a response carries at most: a common word matches articles of
/// thousands of places, and a facet of all of them would outweigh the hits many times.
pub const REGION_NODES: usize = 100;

/// Years counted: 1900 + 0..YEARS.
const FIRST_YEAR: u64 = 1900;
const YEARS: usize = 256;

/// Raw counts, mergeable across segments.
#[derive(Debug, Clone)]
pub struct Counts {
    region: FxHashMap<u64, u64>,
    year: Box<[u64; YEARS]>,
    category: [u64; 6],
    kind: [u64; 3],
}

impl Default for Counts {
    fn default() -> Self {
        Counts {
            region: FxHashMap::default(),
            year: Box::new([0; YEARS]),
            category: [0; 6],
            kind: [0; 3],
        }
    }
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
            for (o, v) in out.year.iter_mut().zip(c.year.iter()) {
                *o += v;
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
            if let Some(y) = (date / 10_000).checked_sub(FIRST_YEAR) {
                if let Some(n) = self.counts.year.get_mut(y as usize) {
                    *n += 1;
                }
            }
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

impl FacetSegment {
    /// The counts so far, leaving zero behind (to count a doc-id range at a time).
    pub fn take(&mut self) -> Counts {
        std::mem::take(&mut self.counts)
    }
}

impl Counts {
    /// Adds `other` with each count multiplied by `factor` (an estimate from a sample).
    pub fn add_scaled(&mut self, other: &Counts, factor: f64) {
        let scale = |n: u64| (n as f64 * factor).round() as u64;
        for (&k, &v) in &other.region {
            *self.region.entry(k).or_default() += scale(v);
        }
        for (o, &v) in self.year.iter_mut().zip(other.year.iter()) {
            *o += scale(v);
        }
        for (o, &v) in self.category.iter_mut().zip(other.category.iter()) {
            *o += scale(v);
        }
        for (o, &v) in self.kind.iter_mut().zip(other.kind.iter()) {
            *o += scale(v);
        }
    }

    /// Articles per year, oldest first.
    pub fn years(&self) -> impl DoubleEndedIterator<Item = (u64, u64)> + '_ {
        self.year
            .iter()
            .enumerate()
            .map(|(i, &n)| (FIRST_YEAR + i as u64, n))
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
    /// Children with matching articles left out of `children` (only the largest nodes of the
    /// whole tree are returned); filter by this node to see them.
    pub more: u64,
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
    /// Top-level regions with matching articles left out of `region`.
    pub region_more: u64,
    pub category: Vec<NameCount>,
    pub year: Vec<YearCount>,
    pub kind: Vec<NameCount>,
}

impl Counts {
    /// Shapes raw counts into the response's facets.
    pub fn facets(&self) -> Facets {
        let g = lexicon::gazetteer();
        // Each node counts its subtree; depth breaks ties so a parent sorts before its child.
        let mut totals: FxHashMap<u64, (u64, usize)> = FxHashMap::default();
        for (&node, &n) in &self.region {
            let path = g.ancestors(node);
            let depth = path.len();
            for (i, a) in path.into_iter().enumerate() {
                totals.entry(a).or_insert((0, depth - i)).0 += n;
            }
        }
        let mut order: Vec<(u64, u64, usize)> =
            totals.iter().map(|(&id, &(n, d))| (id, n, d)).collect();
        order.sort_unstable_by_key(|&(id, n, d)| (std::cmp::Reverse(n), d, id));
        let kept: FxHashMap<u64, u64> = order
            .iter()
            .take(REGION_NODES)
            .map(|&(id, n, _)| (id, n))
            .collect();
        let mut children: FxHashMap<Option<u64>, Vec<u64>> = FxHashMap::default();
        let mut more: FxHashMap<u64, u64> = FxHashMap::default();
        let mut region_more = 0;
        for &id in totals.keys() {
            let parent = g
                .get(id)
                .and_then(|u| u.parent)
                .filter(|p| totals.contains_key(p));
            if kept.contains_key(&id) {
                children.entry(parent).or_default().push(id);
            } else if let Some(p) = parent {
                *more.entry(p).or_default() += 1;
            } else {
                region_more += 1;
            }
        }
        fn build(
            id: u64,
            kept: &FxHashMap<u64, u64>,
            children: &FxHashMap<Option<u64>, Vec<u64>>,
            more: &FxHashMap<u64, u64>,
        ) -> RegionNode {
            let unit = lexicon::gazetteer().get(id);
            let mut kids: Vec<RegionNode> = children
                .get(&Some(id))
                .map(|ids| {
                    ids.iter()
                        .map(|&c| build(c, kept, children, more))
                        .collect()
                })
                .unwrap_or_default();
            kids.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(&b.code)));
            RegionNode {
                name: unit.map(|u| u.name.clone()).unwrap_or_default(),
                code: unit.map(|u| u.code.clone()).unwrap_or_default(),
                count: kept[&id],
                children: kids,
                more: more.get(&id).copied().unwrap_or(0),
            }
        }
        let mut region: Vec<RegionNode> = children
            .get(&None)
            .map(|ids| {
                ids.iter()
                    .map(|&id| build(id, &kept, &children, &more))
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
        let year: Vec<YearCount> = self
            .year
            .iter()
            .enumerate()
            .filter(|(_, &count)| count > 0)
            .map(|(i, &count)| YearCount {
                year: FIRST_YEAR + i as u64,
                count,
            })
            .collect();
        let kind = (0..3)
            .filter(|&i| self.kind[i] > 0)
            .map(|i| NameCount {
                name: Kind::from_code(i as u64).as_str().to_string(),
                count: self.kind[i],
            })
            .collect();
        Facets {
            region,
            region_more,
            category,
            year,
            kind,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count_nodes(nodes: &[RegionNode]) -> usize {
        nodes.iter().map(|n| 1 + count_nodes(&n.children)).sum()
    }

    #[test]
    fn region_tree_keeps_the_largest_nodes_and_says_what_it_left_out() {
        let g = lexicon::gazetteer();
        // Every unit of the gazetteer gets articles: far more nodes than a response carries.
        let mut c = Counts::default();
        for (i, u) in g.units().iter().enumerate() {
            c.region.insert(u.id, 1 + (i as u64 % 7));
        }
        c.year[2020 - FIRST_YEAR as usize] = 3;
        let f = c.facets();
        assert_eq!(count_nodes(&f.region), REGION_NODES);
        assert_eq!(
            f.year,
            [YearCount {
                year: 2020,
                count: 3
            }]
        );
        // A node counts its whole subtree: its own articles plus those of every child, kept or not.
        fn check(n: &RegionNode, c: &Counts) {
            let g = lexicon::gazetteer();
            let id = g
                .units()
                .iter()
                .find(|u| u.code == n.code && u.name == n.name)
                .unwrap()
                .id;
            let subtree: u64 = g
                .units()
                .iter()
                .filter(|u| g.is_within(u.id, id))
                .map(|u| c.region.get(&u.id).copied().unwrap_or(0))
                .sum();
            assert_eq!(n.count, subtree, "{}", n.name);
            let children = g.units().iter().filter(|u| u.parent == Some(id)).count() as u64;
            assert_eq!(n.children.len() as u64 + n.more, children, "{}", n.name);
            for k in &n.children {
                assert!(k.count <= n.count);
                check(k, c);
            }
        }
        for n in &f.region {
            check(n, &c);
        }
        let roots = g.units().iter().filter(|u| u.parent.is_none()).count() as u64;
        assert_eq!(f.region.len() as u64 + f.region_more, roots);
        // Small results keep every node.
        let mut small = Counts::default();
        let town = g.units().iter().find(|u| u.name == "金龙镇").unwrap();
        small.region.insert(town.id, 2);
        let f = small.facets();
        assert_eq!(count_nodes(&f.region), g.ancestors(town.id).len());
        assert_eq!(f.region[0].name, "江西省");
        assert_eq!(f.region_more, 0);
    }
}
