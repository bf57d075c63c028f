//! Search: validated requests → tantivy queries → ranked hits with snippets and facets.
//!
//! [`Engine`] is what front ends (API, CLI) hold: it reads through a reloading `IndexReader`
//! and never waits for the writer.

pub mod facets;
pub mod query;
pub mod snippet;
pub mod suggest;
pub mod topk;

use std::collections::HashMap;
use std::ops::Bound;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, EmptyQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Index, IndexReader, Order, ReloadPolicy, Term};

use crate::error::{Error, Result};
use crate::index::{Fields, HitMeta, StoredAll, StoredHit, StoredMeta, CATEGORIES};
use crate::ingest::{meta, Document, Kind};
use crate::lexicon;

pub use facets::Facets;

/// Largest page size.
pub const MAX_SIZE: usize = 100;
/// Deepest result reachable by paging.
pub const MAX_WINDOW: usize = 10_000;

/// Query parameters as they arrive (HTTP query string or CLI flags); all optional strings.
#[derive(Debug, Default, Clone, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct Params {
    /// The query: words separated by spaces must all occur; `"a phrase"`; `-word` excludes;
    /// `A OR B`; `title:词` (or `标题：词`) matches in titles only. Empty: browse by date.
    pub q: Option<String>,
    /// Region name or code at any level (江西省, 赣州市, 章贡区, 金龙镇, 360702): the region and
    /// everything below it.
    pub region: Option<String>,
    /// Earliest date, `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub date_from: Option<String>,
    /// Latest date, `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub date_to: Option<String>,
    /// One year, `YYYY`.
    pub year: Option<String>,
    /// 五型 categories, comma separated: 忠诚型 创新型 担当型 服务型 过硬型 (or 1–5).
    pub category: Option<String>,
    /// `notice`, `bulletin` or `other`.
    pub kind: Option<String>,
    /// 文号, brackets in any style (赣府发[2012]8号 = 赣府发〔2012〕8号).
    pub number: Option<String>,
    /// Words of the issuing body's name.
    pub issuer: Option<String>,
    /// Department (信访局, 市信访局, 赣州市信访局).
    pub department: Option<String>,
    /// `relevance` (default with a query) or `date` (default without).
    pub sort: Option<String>,
    /// Offset of the first hit (default 0); `from + size` ≤ 10000.
    pub from: Option<String>,
    /// Hits per page, 1–100 (default 10).
    pub size: Option<String>,
    /// `false` skips facet counting.
    pub facets: Option<String>,
    /// `false` skips snippets.
    pub snippets: Option<String>,
}

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Relevance,
    Date,
}

/// A validated request.
#[derive(Debug, Clone)]
pub struct Request {
    pub parsed: query::Parsed,
    pub filters: Filters,
    pub sort: Sort,
    pub from: usize,
    pub size: usize,
    pub facets: bool,
    pub snippets: bool,
}

/// Validated filters.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub region: Option<String>,
    pub date_from: Option<u64>,
    pub date_to: Option<u64>,
    pub category: Vec<u64>,
    pub kind: Option<Kind>,
    pub number: Option<String>,
    pub issuer: Option<String>,
    pub department: Option<String>,
}

fn bad(msg: impl Into<String>) -> Error {
    Error::BadRequest(msg.into())
}

fn nonempty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD` → yyyymmdd, as the first (`end = false`) or last day.
fn parse_date(name: &str, v: &str, end: bool) -> Result<u64> {
    let parts: Vec<&str> = v.split(['-', '/', '.']).collect();
    let num = |s: &str, lo: u64, hi: u64| s.parse::<u64>().ok().filter(|n| (lo..=hi).contains(n));
    let err = || {
        bad(format!(
            "{name} must be YYYY, YYYY-MM or YYYY-MM-DD, got {v:?}"
        ))
    };
    let y = parts
        .first()
        .filter(|p| p.len() == 4)
        .and_then(|p| num(p, 1000, 9999))
        .ok_or_else(err)?;
    let (m, d) = match parts.len() {
        1 => (if end { 12 } else { 1 }, if end { 31 } else { 1 }),
        2 => (
            num(parts[1], 1, 12).ok_or_else(err)?,
            if end { 31 } else { 1 },
        ),
        3 => {
            let m = num(parts[1], 1, 12).ok_or_else(err)?;
            (m, num(parts[2], 1, days_in_month(y, m)).ok_or_else(err)?)
        }
        _ => return Err(err()),
    };
    Ok(y * 10_000 + m * 100 + d)
}

fn days_in_month(y: u64, m: u64) -> u64 {
    match m {
        2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn parse_bool(name: &str, v: &Option<String>) -> Result<bool> {
    match nonempty(v).map(str::to_ascii_lowercase).as_deref() {
        None | Some("true") | Some("1") | Some("yes") | Some("on") => Ok(true),
        Some("false") | Some("0") | Some("no") | Some("off") => Ok(false),
        Some(o) => Err(bad(format!("{name} must be true or false, got {o:?}"))),
    }
}

fn parse_usize(name: &str, v: &Option<String>, default: usize) -> Result<usize> {
    match nonempty(v) {
        None => Ok(default),
        Some(s) => s
            .parse()
            .map_err(|_| bad(format!("{name} must be a non-negative integer, got {s:?}"))),
    }
}

impl Request {
    /// Validates parameters; every mistake is a [`Error::BadRequest`] naming the parameter.
    pub fn from_params(p: &Params) -> Result<Request> {
        let parsed = query::parse(p.q.as_deref().unwrap_or(""));
        let from = parse_usize("from", &p.from, 0)?;
        let size = parse_usize("size", &p.size, 10)?;
        if !(1..=MAX_SIZE).contains(&size) {
            return Err(bad(format!(
                "size must be between 1 and {MAX_SIZE}, got {size}"
            )));
        }
        if from.checked_add(size).is_none_or(|end| end > MAX_WINDOW) {
            return Err(bad(format!("from + size must be at most {MAX_WINDOW}")));
        }
        let mut f = Filters {
            region: nonempty(&p.region).map(str::to_string),
            number: nonempty(&p.number).map(str::to_string),
            issuer: nonempty(&p.issuer).map(str::to_string),
            department: nonempty(&p.department).map(str::to_string),
            ..Filters::default()
        };
        if let Some(r) = &f.region {
            if lexicon::gazetteer().resolve(r).is_empty() {
                return Err(bad(format!(
                    "unknown region {r:?}: give a name (江西省, 赣州市, 章贡区, 金龙镇) or a code (360702)"
                )));
            }
        }
        if let Some(v) = nonempty(&p.date_from) {
            f.date_from = Some(parse_date("date_from", v, false)?);
        }
        if let Some(v) = nonempty(&p.date_to) {
            f.date_to = Some(parse_date("date_to", v, true)?);
        }
        if let Some(v) = nonempty(&p.year) {
            if v.len() != 4 || v.parse::<u32>().is_err() {
                return Err(bad(format!("year must be YYYY, got {v:?}")));
            }
            let (lo, hi) = (parse_date("year", v, false)?, parse_date("year", v, true)?);
            f.date_from = Some(f.date_from.map_or(lo, |d| d.max(lo)));
            f.date_to = Some(f.date_to.map_or(hi, |d| d.min(hi)));
        }
        if let Some(v) = nonempty(&p.category) {
            for c in v
                .split([',', '，'])
                .map(str::trim)
                .filter(|c| !c.is_empty())
            {
                let code = CATEGORIES
                    .iter()
                    .position(|x| *x == c || x.trim_end_matches('型') == c)
                    .map(|i| i as u64 + 1)
                    .or_else(|| c.parse::<u64>().ok().filter(|n| (1..=5).contains(n)))
                    .ok_or_else(|| {
                        bad(format!(
                            "category must be one of {}, got {c:?}",
                            CATEGORIES.join(" ")
                        ))
                    })?;
                f.category.push(code);
            }
        }
        if let Some(v) = nonempty(&p.kind) {
            f.kind = Some(Kind::parse(v).ok_or_else(|| {
                bad(format!("kind must be notice, bulletin or other, got {v:?}"))
            })?);
        }
        let browse = parsed.groups.is_empty();
        let sort = match nonempty(&p.sort) {
            None => {
                if browse {
                    Sort::Date
                } else {
                    Sort::Relevance
                }
            }
            Some("relevance") => Sort::Relevance,
            Some("date") => Sort::Date,
            Some(o) => return Err(bad(format!("sort must be relevance or date, got {o:?}"))),
        };
        Ok(Request {
            parsed,
            filters: f,
            sort,
            from,
            size,
            facets: parse_bool("facets", &p.facets)?,
            snippets: parse_bool("snippets", &p.snippets)?,
        })
    }
}

/// One hit: the article's and its document's fields, a snippet and the score.
#[derive(Debug, Serialize, Clone, utoipa::ToSchema)]
pub struct Hit {
    #[serde(flatten)]
    pub meta: HitMeta,
    pub snippet: String,
    pub score: f32,
}

/// What the query was understood as.
#[derive(Debug, Serialize, Clone, utoipa::ToSchema)]
pub struct QueryInfo {
    pub terms: Vec<String>,
    pub excluded: Vec<String>,
    pub expanded: Vec<String>,
}

/// A search response.
#[derive(Debug, Serialize, Clone, utoipa::ToSchema)]
pub struct Response {
    /// Matching articles; an estimate when `approximate`.
    pub total: usize,
    /// `total` and the facet counts are estimates from a sample of the matches (only when
    /// very many articles match); the hits are exact either way.
    pub approximate: bool,
    pub took_ms: f64,
    pub query: QueryInfo,
    pub hits: Vec<Hit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<Facets>,
    /// Only when nothing was found: the closest query that finds something (never applied).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub did_you_mean: Option<DidYouMean>,
}

/// A query that finds something, offered when the typed one finds nothing.
#[derive(Debug, Serialize, Clone, utoipa::ToSchema)]
pub struct DidYouMean {
    pub q: String,
    pub total: usize,
}

/// Articles like one article (`/api/articles/{id}/similar`).
#[derive(Debug, Serialize, Clone, utoipa::ToSchema)]
pub struct Similar {
    pub took_ms: f64,
    /// The article's distinctive words the match was made on, most telling first.
    pub terms: Vec<String>,
    pub hits: Vec<Hit>,
}

/// Queries that found something: text → (times searched, hits last time).
pub type Recent = HashMap<String, (u64, u64)>;
/// Known texts with their document frequencies.
type Vocabulary = Arc<Vec<(String, u64)>>;

/// The did-you-mean vocabulary, built on first use and then rebuilt beside the searches when the
/// index has changed: one builder at a time, at most every [`VOCAB_REFRESH`]. A build reads every
/// vocabulary term (0.8 s at 1M articles); rebuilding it for each new reader generation made
/// every zero-hit search under a live watcher pay for it, several at once (a new file took 14 s
/// to show up at 1M under load, its first searches having no hits). A suggestion built a few
/// files ago is still checked against the current index before it is offered.
#[derive(Default)]
struct VocabCache {
    /// The vocabulary, the reader generation it was read from, and when.
    current: Option<(Vocabulary, u64, Instant)>,
    building: bool,
}

const VOCAB_REFRESH: std::time::Duration = std::time::Duration::from_secs(30);
const RECENT_CAP: usize = 10_000;

/// Words that say nothing about which practice an article describes: the genre's formula.
const BOILERPLATE: &[&str] = &[
    "五型",
    "政府",
    "工作",
    "建设",
    "推进",
    "推动",
    "开展",
    "加强",
    "持续",
    "全面",
    "进一步",
    "简报",
    "领导",
    "小组",
    "办公室",
    "全市",
    "全县",
    "全区",
    "全省",
    "我市",
    "我县",
    "我区",
    "切实",
    "积极",
    "不断",
    "有效",
    "坚持",
    "落实",
    "实现",
    "提升",
    "提高",
    "一是",
    "二是",
    "三是",
    "四是",
    "五是",
    "同时",
    "通过",
    "进行",
    "有关",
    "相关",
    "目前",
    "今年",
    "以来",
    "忠诚",
    "创新",
    "担当",
    "服务型",
    "过硬",
    "创新型",
    "担当型",
    "忠诚型",
    "过硬型",
    "根据",
    "原则",
    "无法",
    "过去",
    "不同",
    "变成",
    "减少",
    "推出",
    "出台",
    "每月",
    "计划",
    "更加",
    "国家",
    "学习",
    "平均",
    "全局",
    "主义",
    "政治",
    "实处",
    "狠抓",
    "确保",
    "围绕",
    "着力",
    "深入",
    "充分",
    "发挥",
    "作用",
    "要求",
    "取得",
    "成效",
    "明显",
    "以上",
    "以下",
    "及时",
    "主动",
    "不断",
    "共计",
    "累计",
    "其中",
    "已经",
    "部门",
    "单位",
    "工作人员",
];

/// Read access to the index.
#[derive(Clone)]
pub struct Engine {
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
    /// Recent successful queries, for ranking suggestions.
    pub recent: Arc<Mutex<Recent>>,
    /// The "did you mean" vocabulary (see [`VocabCache`]).
    vocab: Arc<Mutex<VocabCache>>,
    /// When a matching set counts as large (see [`topk`]).
    pub pruning: topk::Pruning,
}

pub(crate) fn dated(top: Vec<(Option<u64>, DocAddress)>) -> Vec<(f32, DocAddress)> {
    top.into_iter().map(|(_, a)| (0.0, a)).collect()
}

impl Engine {
    /// An engine over `index`; the reader is reloaded by the writer after each commit.
    pub fn new(index: Index, fields: Fields) -> anyhow::Result<Engine> {
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Engine {
            index,
            reader,
            fields,
            recent: Arc::default(),
            vocab: Arc::default(),
            pruning: topk::Pruning::default(),
        })
    }

    fn filter_queries(&self, f: &Filters) -> Vec<Box<dyn Query>> {
        let fl = &self.fields;
        let mut out: Vec<Box<dyn Query>> = Vec::new();
        let term_u64 = |field, v: u64| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_u64(field, v),
                IndexRecordOption::Basic,
            ))
        };
        let any = |qs: Vec<Box<dyn Query>>| -> Box<dyn Query> {
            if qs.is_empty() {
                Box::new(EmptyQuery)
            } else {
                Box::new(BooleanQuery::new(
                    qs.into_iter().map(|q| (Occur::Should, q)).collect(),
                ))
            }
        };
        if let Some(r) = &f.region {
            let units = lexicon::gazetteer().resolve(r);
            out.push(any(units
                .iter()
                .map(|u| term_u64(fl.region, u.id))
                .collect()));
        }
        if f.date_from.is_some() || f.date_to.is_some() {
            let lo = f.date_from.unwrap_or(1);
            let hi = f.date_to.unwrap_or(99_991_231);
            out.push(Box::new(RangeQuery::new(
                Bound::Included(Term::from_field_u64(fl.date, lo.max(1))),
                Bound::Included(Term::from_field_u64(fl.date, hi)),
            )));
        }
        if !f.category.is_empty() {
            out.push(any(f
                .category
                .iter()
                .map(|&c| term_u64(fl.category, c))
                .collect()));
        }
        if let Some(k) = f.kind {
            out.push(term_u64(fl.kind, k.code()));
        }
        if let Some(n) = &f.number {
            out.push(Box::new(TermQuery::new(
                Term::from_field_text(fl.number, &meta::number_key(n)),
                IndexRecordOption::Basic,
            )));
        }
        if let Some(i) = &f.issuer {
            out.push(query::occurs(fl.issuer_bi, i));
        }
        if let Some(d) = &f.department {
            // 信访局, 市信访局 and 赣州市信访局 all name the department 信访局.
            let mut names = vec![
                d.clone(),
                d.trim_start_matches(['省', '市', '县', '区']).to_string(),
            ];
            let chars: Vec<char> = d.chars().collect();
            for n in (2..chars.len().min(12)).rev() {
                let prefix: String = chars[..n].iter().collect();
                if !lexicon::gazetteer().resolve(&prefix).is_empty() {
                    names.push(chars[n..].iter().collect());
                    break;
                }
            }
            names.retain(|n| !n.is_empty());
            names.dedup();
            out.push(any(names
                .iter()
                .map(|n| {
                    Box::new(TermQuery::new(
                        Term::from_field_text(fl.department, n),
                        IndexRecordOption::Basic,
                    )) as Box<dyn Query>
                })
                .collect()));
        }
        out
    }

    /// Runs a search.
    pub fn search(&self, req: &Request) -> Result<Response> {
        let t0 = Instant::now();
        let searcher = self.reader.searcher();
        let filters = self.filter_queries(&req.filters);
        let filtered = !filters.is_empty();
        let q = query::build(&self.fields, &req.parsed, filters);
        let (addrs, total, exact, counts) =
            self.top_and_counts(&searcher, q.as_ref(), req, filtered)?;
        // Typed terms first, then synonyms: the snippet prefers sentences with typed ones.
        let mut terms = req.parsed.terms();
        let literal = terms.len();
        terms.extend(req.parsed.expanded());
        let mut hits = Vec::with_capacity(addrs.len());
        for (score, addr) in addrs {
            let (meta, snippet) = if req.snippets {
                let s: StoredHit = searcher.doc(addr)?;
                (s.meta, snippet::snippet(&s.text, &terms, literal))
            } else {
                let s: StoredMeta = searcher.doc(addr)?;
                (s.meta, String::new())
            };
            hits.push(Hit {
                meta,
                snippet,
                score,
            });
        }
        let q_text = req.parsed.terms().join(" ");
        let did_you_mean = if total == 0 && !q_text.is_empty() {
            self.did_you_mean(&searcher, req)
        } else {
            None
        };
        if total > 0 && !q_text.is_empty() && q_text.chars().count() <= 40 {
            let mut recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
            if recent.len() >= RECENT_CAP && !recent.contains_key(&q_text) {
                recent.retain(|_, (uses, _)| *uses > 1);
                if recent.len() >= RECENT_CAP {
                    recent.clear();
                }
            }
            let e = recent.entry(q_text).or_default();
            e.0 += 1;
            e.1 = total as u64;
        }
        Ok(Response {
            did_you_mean,
            total,
            approximate: !exact,
            took_ms: (t0.elapsed().as_secs_f64() * 1000.0 * 100.0).round() / 100.0,
            query: QueryInfo {
                terms: req.parsed.terms(),
                excluded: req.parsed.excluded.iter().map(|a| a.text.clone()).collect(),
                expanded: req.parsed.expanded(),
            },
            hits,
            facets: counts.map(|c| c.facets()),
        })
    }

    /// The page of hits, the total, whether it is exact, and the facets. A query with a large
    /// matching set is counted from a sample and its top k found without scoring every match
    /// (see [`topk`]); whatever that cannot prove exact is evaluated in full.
    #[allow(clippy::type_complexity)]
    fn top_and_counts(
        &self,
        searcher: &tantivy::Searcher,
        q: &dyn Query,
        req: &Request,
        filtered: bool,
    ) -> Result<(Vec<(f32, DocAddress)>, usize, bool, Option<facets::Counts>)> {
        let k = req.from + req.size;
        let top = TopDocs::with_limit(req.size).and_offset(req.from);
        let by_date = || {
            TopDocs::with_limit(req.size)
                .and_offset(req.from)
                .order_by_u64_field("date", Order::Desc)
        };
        // WAND walks the word terms' whole posting lists: a filter would make it check far
        // more candidates than the filtered set holds.
        let exact_up_to = self.pruning.exact_up_to;
        let df = |t: &Term| searcher.doc_freq(t).unwrap_or(0);
        let large = !req.parsed.groups.is_empty()
            && query::match_bound(&self.fields, &req.parsed, &df) > exact_up_to as u64;
        let plan = match req.sort {
            Sort::Relevance if large && !filtered => {
                let n = searcher
                    .segment_readers()
                    .iter()
                    .map(|r| r.max_doc() as u64)
                    .sum();
                query::plan(&self.fields, &req.parsed, &df, n)
            }
            _ => None,
        };
        let prunable = plan.is_some() || (large && req.sort == Sort::Date);
        if prunable {
            // The date order needs the years even when no facets are asked for.
            let with_counts = req.facets || req.sort == Sort::Date;
            let sample = topk::sample(searcher, q, with_counts, self.pruning.quota)?;
            let counts = |c: Option<facets::Counts>| c.filter(|_| req.facets);
            if sample.exact {
                let addrs = match req.sort {
                    Sort::Relevance => searcher.search(q, &top.order_by_score())?,
                    Sort::Date => dated(searcher.search(q, &by_date())?),
                };
                return Ok((addrs, sample.total, true, counts(sample.counts)));
            }
            // A few thousand matches are cheaper to count exactly than to prune.
            let found = match (&plan, &sample.counts) {
                _ if sample.total <= exact_up_to => None,
                (Some(plan), _) => topk::top_by_words(searcher, q, plan, k)?,
                (None, Some(all)) => topk::newest(searcher, q, all, k)?,
                _ => None,
            };
            if let Some(found) = found {
                let addrs = found.into_iter().skip(req.from).collect();
                return Ok((addrs, sample.total, false, counts(sample.counts)));
            }
        }
        Ok(match (req.sort, req.facets) {
            (Sort::Relevance, true) => {
                let (t, c, f) =
                    searcher.search(q, &(top.order_by_score(), Count, facets::FacetCollector))?;
                (t, c, true, Some(f))
            }
            (Sort::Relevance, false) => {
                let (t, c) = searcher.search(q, &(top.order_by_score(), Count))?;
                (t, c, true, None)
            }
            (Sort::Date, true) => {
                let (t, c, f) = searcher.search(q, &(by_date(), Count, facets::FacetCollector))?;
                (dated(t), c, true, Some(f))
            }
            (Sort::Date, false) => {
                let (t, c) = searcher.search(q, &(by_date(), Count))?;
                (dated(t), c, true, None)
            }
        })
    }

    /// For a query that found nothing: replace one typed term by a known name one edit away
    /// (the most frequent that makes the whole query find something).
    fn did_you_mean(&self, searcher: &tantivy::Searcher, req: &Request) -> Option<DidYouMean> {
        let vocab = self.vocabulary(searcher);
        let typed: Vec<String> = req.parsed.terms();
        for (i, term) in typed.iter().enumerate() {
            for (candidate, _) in suggest::corrections(term, &vocab) {
                let mut fixed = typed.clone();
                fixed[i] = candidate;
                let q = fixed.join(" ");
                let mut r = req.clone();
                r.parsed = query::parse(&q);
                let built = query::build(&self.fields, &r.parsed, self.filter_queries(&r.filters));
                let n = searcher.search(&built, &Count).ok()?;
                if n > 0 {
                    return Some(DidYouMean { q, total: n });
                }
            }
        }
        None
    }

    /// The did-you-mean vocabulary (see [`VocabCache`]).
    fn vocabulary(&self, searcher: &tantivy::Searcher) -> Vocabulary {
        let generation = searcher.generation().generation_id();
        let mut cache = self.vocab.lock().unwrap_or_else(PoisonError::into_inner);
        let Some((words, built_from, built)) = cache.current.clone() else {
            // First use: built under the lock, so concurrent first uses wait for one build.
            let words = Arc::new(suggest::vocabulary(searcher, &self.fields));
            cache.current = Some((words.clone(), generation, Instant::now()));
            return words;
        };
        if built_from != generation && built.elapsed() >= VOCAB_REFRESH && !cache.building {
            cache.building = true;
            let (shared, searcher, fields) = (self.vocab.clone(), searcher.clone(), self.fields);
            let spawned = std::thread::Builder::new()
                .name("zhengsou-vocabulary".into())
                .spawn(move || {
                    let words = Arc::new(suggest::vocabulary(&searcher, &fields));
                    *shared.lock().unwrap_or_else(PoisonError::into_inner) = VocabCache {
                        current: Some((words, generation, Instant::now())),
                        building: false,
                    };
                });
            if spawned.is_err() {
                cache.building = false;
            }
        }
        words
    }

    /// Completions of what the user typed so far.
    pub fn suggest(&self, prefix: &str, size: usize) -> Vec<suggest::Suggestion> {
        let searcher = self.reader.searcher();
        let recent = self
            .recent
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        suggest::suggest(&searcher, &self.fields, prefix, size, &recent)
    }

    /// Articles about the same practice: more-like-this on the article's distinctive words
    /// (tf × idf of its title and text words; place names, the genre's formula words and words
    /// in half the corpus weigh nothing), optionally within a region and outside its document.
    pub fn similar(
        &self,
        id: &str,
        size: usize,
        filters: &Filters,
        exclude_same_doc: bool,
    ) -> Result<Similar> {
        let t0 = Instant::now();
        let not_found = || Error::NotFound(format!("no article with id {id:?}"));
        let (doc_id, _) = id.rsplit_once('-').ok_or_else(not_found)?;
        let doc = self.document(doc_id).map_err(|_| not_found())?;
        let article = doc
            .articles
            .iter()
            .find(|a| a.id == id)
            .ok_or_else(not_found)?;
        let searcher = self.reader.searcher();
        let n_docs = searcher.num_docs().max(1) as f64;
        let g = lexicon::gazetteer();
        // Distinctive against general Chinese (jieba's TF-IDF with its general-corpus IDF), then
        // against this corpus: a word in every article of the index tells nothing either.
        static TFIDF: std::sync::LazyLock<jieba_rs::TfIdf> =
            std::sync::LazyLock::new(jieba_rs::TfIdf::default);
        let body = format!("{0}。{0}。{1}", article.title, article.text);
        let pos: Vec<String> = ["n", "nz", "vn", "v", "l", "i", "nt", "eng", "x"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let keywords = {
            use jieba_rs::KeywordExtract;
            let folded: String = body.chars().map(crate::chars::fold).collect();
            TFIDF.extract_keywords(lexicon::jieba(), &folded, 60, pos)
        };
        let mut weighted: Vec<(String, f64)> = keywords
            .into_iter()
            .filter_map(|k| {
                let w = k.keyword;
                if w.chars().count() < 2
                    || !w.chars().any(|c| ('\u{3400}'..='\u{9fff}').contains(&c))
                    || BOILERPLATE.contains(&w.as_str())
                    || g.is_name(&w)
                    || !g.resolve(&w).is_empty()
                {
                    return None;
                }
                let df = searcher
                    .doc_freq(&Term::from_field_text(self.fields.text_w, &w))
                    .ok()? as f64;
                if df < 2.0 || df >= n_docs {
                    // Only in this article (nothing to find) or in all of them (no signal).
                    return None;
                }
                Some((w, k.weight * (1.0 + (n_docs / df).ln())))
            })
            .collect();
        weighted.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        weighted.truncate(20);
        let mut hits = Vec::new();
        let terms: Vec<String> = weighted.iter().map(|(w, _)| w.clone()).collect();
        if !weighted.is_empty() {
            let mut like: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for (w, weight) in &weighted {
                for (field, boost) in [(self.fields.text_w, 1.0), (self.fields.title_w, 1.5)] {
                    like.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(
                            Box::new(TermQuery::new(
                                Term::from_field_text(field, w),
                                IndexRecordOption::WithFreqs,
                            )),
                            (*weight * boost) as f32,
                        )),
                    ));
                }
            }
            let mut clauses: Vec<(Occur, Box<dyn Query>)> =
                vec![(Occur::Must, Box::new(BooleanQuery::new(like)))];
            for f in self.filter_queries(filters) {
                clauses.push((Occur::Must, Box::new(BoostQuery::new(f, 0.0))));
            }
            let exclude = if exclude_same_doc {
                Term::from_field_text(self.fields.doc_id, &doc.doc_id)
            } else {
                Term::from_field_text(self.fields.id, id)
            };
            clauses.push((
                Occur::MustNot,
                Box::new(TermQuery::new(exclude, IndexRecordOption::Basic)),
            ));
            let q = BooleanQuery::new(clauses);
            let top = searcher.search(&q, &TopDocs::with_limit(size * 3 + 10).order_by_score())?;
            let mut scored = Vec::with_capacity(top.len());
            for (score, addr) in top {
                let s: StoredHit = searcher.doc(addr)?;
                // The same article filed twice is not another county's practice.
                if s.meta.id == id || s.text == article.text {
                    continue;
                }
                // A long notice shares some words with everything: one practice is what is asked
                // for, so matches are weighed against length (past a typical article's).
                let len = s.text.chars().count() as f32;
                scored.push((score / (len / 1500.0).max(1.0).sqrt(), s));
            }
            scored.sort_by(|a, b| b.0.total_cmp(&a.0));
            for (score, s) in scored.into_iter().take(size) {
                let snippet = snippet::snippet(&s.text, &terms, terms.len());
                hits.push(Hit {
                    meta: s.meta,
                    snippet,
                    score,
                });
            }
        }
        Ok(Similar {
            took_ms: (t0.elapsed().as_secs_f64() * 1000.0 * 100.0).round() / 100.0,
            terms,
            hits,
        })
    }

    /// The document with this id, as ingest understood it (articles' texts come from their
    /// hits, where they are stored once).
    pub fn document(&self, doc_id: &str) -> Result<Document> {
        let searcher = self.reader.searcher();
        let q = TermQuery::new(
            Term::from_field_text(self.fields.doc_id, doc_id),
            IndexRecordOption::Basic,
        );
        let addrs = searcher.search(&q, &tantivy::collector::DocSetCollector)?;
        let mut body: Option<String> = None;
        let mut texts: HashMap<String, String> = HashMap::new();
        for addr in addrs {
            let s: StoredAll = searcher.doc(addr)?;
            if s.doc.is_some() {
                body = s.doc;
            }
            texts.insert(s.meta.id, s.text);
        }
        let body =
            body.ok_or_else(|| Error::NotFound(format!("no document with id {doc_id:?}")))?;
        crate::index::document_text(&body, texts).map_err(Error::Internal)
    }

    /// (documents, articles) currently searchable.
    pub fn counts(&self) -> (usize, usize) {
        crate::index::writer::counts(&self.reader.searcher(), &self.fields)
    }
}
