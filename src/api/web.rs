//! The search page staff use: server-rendered HTML (works without JavaScript and on old
//! browsers), enhanced by `assets/app.js` (no reloads, loading states), and the embeddable
//! `widget.js`. All state lives in the URL, so links can be shared and back/forward work.
//!
//! Every piece of document text goes through maud's escaping; the only pre-escaped HTML is what
//! `search::snippet` builds (escaped text plus `<mark>`). The CSP forbids inline scripts, so even
//! an escaping bug could not run a document's `<script>`.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::AppState;
use crate::error::Error;
use crate::index::HitMeta;
use crate::ingest::{Article, Document, Kind};
use crate::lexicon;
use crate::search::{self, facets::RegionNode, snippet, Params, Request, Response as Found};

/// Results per page.
const PAGE: usize = 10;

const CSS: &str = include_str!("assets/app.css");
const APP_JS: &str = include_str!("assets/app.js");
const WIDGET_JS: &str = include_str!("assets/widget.js");

/// Scripts only from this server; inline styles are allowed for the histogram bars' heights.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                   img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; \
                   frame-ancestors 'self'";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(search_page))
        .route("/a/{id}", get(article_page))
        .route(
            "/static/app.css",
            get(|| asset(CSS, "text/css; charset=utf-8")),
        )
        .route(
            "/static/app.js",
            get(|| asset(APP_JS, "text/javascript; charset=utf-8")),
        )
        .route(
            "/widget.js",
            get(|| asset(WIDGET_JS, "text/javascript; charset=utf-8")),
        )
}

async fn asset(body: &'static str, ctype: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, ctype),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        body,
    )
        .into_response()
}

fn page(status: StatusCode, markup: Markup) -> Response {
    let mut r = (status, markup).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}

fn layout(title: &str, params: &Params, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                link rel="icon" href="data:,";
                link rel="stylesheet" href="/static/app.css";
                script src="/static/app.js" defer {}
            }
            body {
                a.skip href="#results" { "跳到搜索结果" }
                header.top {
                    a.brand href="/" { "政搜" }
                    (search_form(params))
                }
                (body)
                footer.foot {
                    "政搜 · 政策文件与工作简报检索 · "
                    a href="/api/docs" { "接口文档" }
                }
            }
        }
    }
}

/// The parameters a page's URL carries, in URL order: the query, the filters, sort and page.
const PAGE_STATE: [&str; 12] = [
    "q",
    "region",
    "year",
    "date_from",
    "date_to",
    "category",
    "kind",
    "number",
    "issuer",
    "department",
    "sort",
    "from",
];

/// The field of `p` holding the page-state parameter `name`.
fn state_mut<'a>(p: &'a mut Params, name: &str) -> Option<&'a mut Option<String>> {
    Some(match name {
        "q" => &mut p.q,
        "region" => &mut p.region,
        "year" => &mut p.year,
        "date_from" => &mut p.date_from,
        "date_to" => &mut p.date_to,
        "category" => &mut p.category,
        "kind" => &mut p.kind,
        "number" => &mut p.number,
        "issuer" => &mut p.issuer,
        "department" => &mut p.department,
        "sort" => &mut p.sort,
        "from" => &mut p.from,
        _ => return None,
    })
}

/// The page-state parameters of `p` that are set, in URL order.
fn state(p: &Params) -> Vec<(&'static str, String)> {
    let mut p = p.clone();
    PAGE_STATE
        .into_iter()
        .filter_map(|k| {
            let v = state_mut(&mut p, k)?.take()?;
            (!v.trim().is_empty()).then_some((k, v))
        })
        .collect()
}

/// The search box; active filters ride along as hidden fields, so a new query keeps them.
fn search_form(p: &Params) -> Markup {
    let hidden: Vec<(&str, String)> = state(p)
        .into_iter()
        .filter(|(k, _)| !matches!(*k, "q" | "from"))
        .collect();
    html! {
        form #search role="search" action="/" method="get" {
            label.sr for="q" { "搜索做法、地名或文号" }
            input #q type="search" name="q" value=(p.q.as_deref().unwrap_or(""))
                placeholder="做法、地名或文号，如：网上信访" autocomplete="off"
                aria-autocomplete="list" aria-controls="suggest" aria-expanded="false"
                enterkeyhint="search";
            ul #suggest role="listbox" hidden {}
            span #hidden-filters {
                @for (name, v) in hidden {
                    input type="hidden" name=(name) value=(v);
                }
            }
            button type="submit" { "搜索" }
        }
    }
}

/// `/?…` for these parameters with `changes` applied (`None` removes one); paging restarts
/// unless `from` is among the changes.
pub fn url(p: &Params, changes: &[(&str, Option<&str>)]) -> String {
    let mut p = p.clone();
    p.from = None;
    p.size = None;
    p.facets = None;
    p.snippets = None;
    for (k, v) in changes {
        if let Some(field) = state_mut(&mut p, k) {
            *field = v.map(str::to_string);
        }
    }
    let qs = serde_urlencoded::to_string(state(&p)).unwrap_or_default();
    if qs.is_empty() {
        "/".into()
    } else {
        format!("/?{qs}")
    }
}

pub fn kind_label(k: Kind) -> &'static str {
    match k {
        Kind::Notice => "政策文件",
        Kind::Bulletin => "工作简报",
        Kind::Other => "其他",
    }
}

fn article_url(id: &str, q: Option<&str>) -> String {
    match q.filter(|q| !q.trim().is_empty()) {
        Some(q) => format!(
            "/a/{id}?{}",
            serde_urlencoded::to_string([("q", q)]).unwrap_or_default()
        ),
        None => format!("/a/{id}"),
    }
}

/// The name a region filter shows: the unit's name for a code, the value itself otherwise.
fn region_label(v: &str) -> String {
    let units = lexicon::gazetteer().resolve(v);
    match units.as_slice() {
        [u] => u.name.clone(),
        _ => v.to_string(),
    }
}

/// The value a facet link filters by: the name when it is unambiguous, else the code.
fn region_value(node: &RegionNode) -> String {
    if lexicon::gazetteer().resolve(&node.name).len() == 1 {
        node.name.clone()
    } else {
        node.code.clone()
    }
}

async fn search_page(
    State(s): State<AppState>,
    params: Result<Query<Params>, QueryRejection>,
) -> Response {
    let mut p = match params {
        Ok(Query(p)) => p,
        Err(e) => {
            let p = Params::default();
            let body = results_main(&p, None, Some(&format!("网址参数有误：{}", e.body_text())));
            return page(StatusCode::BAD_REQUEST, layout("政搜", &p, body));
        }
    };
    p.size = Some(PAGE.to_string());
    p.facets = None;
    p.snippets = None;
    let title = match p.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        Some(q) => format!("{q} - 政搜"),
        None => "政搜 · 政策文件与工作简报检索".to_string(),
    };
    let req = match Request::from_params(&p) {
        Ok(r) => r,
        Err(e) => {
            let body = results_main(&p, None, Some(&format!("请求有误：{e}")));
            return page(StatusCode::BAD_REQUEST, layout(&title, &p, body));
        }
    };
    let engine = s.engine.clone();
    let found = tokio::task::spawn_blocking(move || engine.search(&req)).await;
    match found {
        Ok(Ok(found)) => page(
            StatusCode::OK,
            layout(&title, &p, results_main(&p, Some(&found), None)),
        ),
        Ok(Err(Error::BadRequest(m))) => page(
            StatusCode::BAD_REQUEST,
            layout(&title, &p, results_main(&p, None, Some(&m))),
        ),
        other => {
            if let Ok(Err(e)) = other {
                tracing::error!("search page: {e}");
            }
            page(
                StatusCode::INTERNAL_SERVER_ERROR,
                layout(
                    &title,
                    &p,
                    results_main(&p, None, Some("服务器内部错误，请稍后重试。")),
                ),
            )
        }
    }
}

/// The part of the page that changes with each search (`#main`; app.js swaps it).
fn results_main(p: &Params, found: Option<&Found>, error: Option<&str>) -> Markup {
    html! {
        main #main {
            p #status.status role="status" aria-live="polite" {}
            @if let Some(e) = error {
                div.banner.error role="alert" { (e) }
            }
            div.layout {
                @let labels = active_labels(p);
                @let facets = found.and_then(|f| f.facets.as_ref()).filter(|f| !(f.region.is_empty() && f.year.is_empty() && f.category.is_empty() && f.kind.is_empty()));
                @if facets.is_some() || !labels.is_empty() {
                    details #filters.filters open {
                        summary {
                            "筛选条件"
                            @if !labels.is_empty() {
                                span.on { "（已选：" (labels.iter().map(|(l, _)| l.as_str()).collect::<Vec<_>>().join("、")) "）" }
                            }
                        }
                        aside aria-label="筛选" {
                            (active_filters(p))
                            @if let Some(f) = facets {
                                (facet_panel(p, f))
                            }
                        }
                    }
                } @else {
                    div {}
                }
                section #results.results aria-labelledby="summary" {
                    @if let Some(found) = found {
                        (result_list(p, found))
                    }
                }
            }
        }
    }
}

fn active_filters(p: &Params) -> Markup {
    let chips = active_labels(p);
    if chips.is_empty() {
        return html! {};
    }
    let q = p.q.as_deref();
    html! {
        div.active {
            h2 { "已选条件" }
            ul.chips {
                @for (label, href) in &chips {
                    li { a.chip.removable href=(href) title="去掉这个条件" aria-label=(format!("去掉筛选 {label}")) { (label) span aria-hidden="true" { " ×" } } }
                }
            }
            @if chips.len() > 1 {
                a.clear href=(url(&Params { q: q.map(str::to_string), ..Params::default() }, &[])) { "清除全部条件" }
            }
        }
    }
}

/// Each active filter as (label, the URL without it).
fn active_labels(p: &Params) -> Vec<(String, String)> {
    let mut chips: Vec<(String, String)> = Vec::new();
    if let Some(r) = nonempty(&p.region) {
        chips.push((
            format!("地区：{}", region_label(r)),
            url(p, &[("region", None)]),
        ));
    }
    if let Some(y) = nonempty(&p.year) {
        chips.push((format!("年份：{y}"), url(p, &[("year", None)])));
    }
    if let Some(d) = nonempty(&p.date_from) {
        chips.push((format!("起：{d}"), url(p, &[("date_from", None)])));
    }
    if let Some(d) = nonempty(&p.date_to) {
        chips.push((format!("止：{d}"), url(p, &[("date_to", None)])));
    }
    if let Some(c) = nonempty(&p.category) {
        chips.push((format!("类别：{c}"), url(p, &[("category", None)])));
    }
    if let Some(k) = nonempty(&p.kind) {
        let label = match Kind::parse(k) {
            Some(kind) => kind_label(kind),
            None => k,
        };
        chips.push((format!("类型：{label}"), url(p, &[("kind", None)])));
    }
    for (name, v, label) in [
        ("number", &p.number, "文号"),
        ("issuer", &p.issuer, "发文单位"),
        ("department", &p.department, "部门"),
    ] {
        if let Some(v) = nonempty(v) {
            chips.push((format!("{label}：{v}"), url(p, &[(name, None)])));
        }
    }
    chips
}

fn nonempty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn facet_panel(p: &Params, f: &search::Facets) -> Markup {
    let max_year = f.year.iter().map(|y| y.count).max().unwrap_or(1).max(1);
    let active_region = nonempty(&p.region).map(|r| {
        lexicon::gazetteer()
            .resolve(r)
            .iter()
            .map(|u| u.code.clone())
            .collect::<Vec<_>>()
    });
    html! {
        @if !f.region.is_empty() {
            section.facet {
                h2 { "地区" }
                ul.tree {
                    @for n in &f.region { (region_node(p, n, 0, active_region.as_deref())) }
                    @if f.region_more > 0 { li.more { "另有 " (f.region_more) " 个地区" } }
                }
            }
        }
        @if !f.year.is_empty() {
            section.facet {
                h2 { "年份" }
                ol.years {
                    @for y in &f.year {
                        @let ys = y.year.to_string();
                        @let h = (y.count * 100 / max_year).max(4);
                        li {
                            a href=(url(p, &[("year", Some(&ys))])) title=(format!("{} 年：{} 条", y.year, y.count))
                                aria-current=[(nonempty(&p.year) == Some(ys.as_str())).then_some("true")] {
                                @if f.year.len() <= 12 { span.n { (y.count) } }
                                span.bar style=(format!("height:{h}%")) {}
                                span.y { @if y.year == 0 { "无" } @else if f.year.len() <= 6 { (y.year) } @else { (format!("{:02}", y.year % 100)) } }
                                span.sr { (format!("{} 年 {} 条", y.year, y.count)) }
                            }
                        }
                    }
                }
            }
        }
        @if !f.category.is_empty() {
            section.facet {
                h2 { "“五型”类别" }
                ul.list {
                    @for c in &f.category {
                        li { a href=(url(p, &[("category", Some(&c.name))])) aria-current=[(nonempty(&p.category) == Some(c.name.as_str())).then_some("true")] { (c.name) } span.count { (c.count) } }
                    }
                }
            }
        }
        @if !f.kind.is_empty() {
            section.facet {
                h2 { "文件类型" }
                ul.list {
                    @for k in &f.kind {
                        @let label = match Kind::parse(&k.name) { Some(kind) => kind_label(kind), None => k.name.as_str() };
                        li { a href=(url(p, &[("kind", Some(&k.name))])) aria-current=[(nonempty(&p.kind) == Some(k.name.as_str())).then_some("true")] { (label) } span.count { (k.count) } }
                    }
                }
            }
        }
    }
}

fn region_node(p: &Params, n: &RegionNode, depth: usize, active: Option<&[String]>) -> Markup {
    let href = url(p, &[("region", Some(&region_value(n)))]);
    let current = active.is_some_and(|a| a.contains(&n.code));
    // Open the first levels, and the path down to the active region.
    let contains_active = |n: &RegionNode| -> bool {
        fn walk(n: &RegionNode, a: &[String]) -> bool {
            a.contains(&n.code) || n.children.iter().any(|c| walk(c, a))
        }
        active.is_some_and(|a| n.children.iter().any(|c| walk(c, a)))
    };
    let link = html! {
        a href=(href) aria-current=[current.then_some("true")] { (n.name) }
        " " span.count { (n.count) }
    };
    html! {
        li {
            @if n.children.is_empty() {
                (link)
            } @else {
                details open[depth == 0 || current || contains_active(n)] {
                    summary { (link) }
                    ul {
                        @for c in &n.children { (region_node(p, c, depth + 1, active)) }
                        @if n.more > 0 { li.more { "另有 " (n.more) " 个，筛选“" (n.name) "”可见更多" } }
                    }
                }
            }
        }
    }
}

fn result_list(p: &Params, found: &Found) -> Markup {
    let from = nonempty(&p.from)
        .and_then(|f| f.parse::<usize>().ok())
        .unwrap_or(0);
    let q = nonempty(&p.q);
    let sort_date = match nonempty(&p.sort) {
        Some(s) => s == "date",
        None => q.is_none(),
    };
    html! {
        div.summary {
            h2 #summary tabindex="-1" {
                @if q.is_some() && found.approximate { "找到约 " strong { (found.total) } " 篇文章（数量与分面为抽样估计）" }
                @else if q.is_some() { "找到 " strong { (found.total) } " 篇文章" }
                @else { "最新文章（共 " (found.total) " 篇）" }
            }
            span.took { "用时 " (format!("{:.1}", found.took_ms)) " 毫秒" }
            @if found.total > 1 {
                span.sort {
                    "排序："
                    @if q.is_some() {
                        a href=(url(p, &[("sort", Some("relevance"))])) aria-current=[(!sort_date).then_some("true")] { "相关度" }
                        " "
                    }
                    a href=(url(p, &[("sort", Some("date"))])) aria-current=[sort_date.then_some("true")] { "日期" }
                }
            }
            @if !found.query.expanded.is_empty() {
                p.expanded { "同时搜索了近义说法：" (found.query.expanded.join("、")) }
            }
        }
        @if found.hits.is_empty() {
            (empty_state(p, found))
        } @else {
            ol.hits start=(from + 1) {
                @for h in &found.hits { (hit(&h.meta, &h.snippet, q)) }
            }
            (pager(p, from, found.total))
        }
    }
}

fn empty_state(p: &Params, found: &Found) -> Markup {
    let filtered = [
        &p.region,
        &p.year,
        &p.date_from,
        &p.date_to,
        &p.category,
        &p.kind,
        &p.number,
        &p.issuer,
        &p.department,
    ]
    .iter()
    .any(|v| nonempty(v).is_some());
    html! {
        div.empty {
            @if found.total > 0 {
                p { "这一页没有结果了。" a href=(url(p, &[])) { "回到第一页" } }
            } @else {
                p.big {
                    @if let Some(q) = nonempty(&p.q) { "没有找到包含“" (q) "”的文章。" }
                    @else { "没有符合条件的文章。" }
                }
                @if let Some(d) = &found.did_you_mean {
                    p.dym { "您是不是要找：" a href=(url(p, &[("q", Some(&d.q))])) { (d.q) } "（" (d.total) " 篇）" }
                }
                @if filtered {
                    p { "试试去掉左侧（手机上为“筛选条件”里）的部分筛选条件，或" a href=(url(&Params { q: p.q.clone(), ..Params::default() }, &[])) { "在全部文件中搜索" } "。" }
                } @else {
                    p { "请检查错别字，或换一个说法：用做法的简称、地名或文号试试。多个词用空格分开表示同时包含。" }
                }
            }
        }
    }
}

fn hit(m: &HitMeta, snippet_html: &str, q: Option<&str>) -> Markup {
    let path: Vec<&str> = m
        .region
        .as_deref()
        .map_or(Vec::new(), |r| r.split('/').collect());
    html! {
        li.hit {
            h3 { a href=(article_url(&m.id, q)) { (if m.title.is_empty() { &m.doc_title } else { &m.title }) } }
            p.where {
                @if let Some(l) = &m.locality { span.place { (l) } }
                @if path.len() > 1 { span.path { (path.join(" › ")) } }
                @if let Some(d) = &m.department { span.dept { (d) } }
                @if let Some(d) = &m.date { time datetime=(d) { (d) } }
            }
            @if !snippet_html.is_empty() {
                p.snippet { (PreEscaped(snippet_html)) }
            }
            p.source {
                span.kind { (kind_label(m.kind)) }
                " " (m.doc_title)
                @if let Some(n) = &m.number { " " span.num { (n) } }
                @if let Some(i) = m.issue { " " span.num { "第" (i) "期" } }
            }
            @if !m.categories.is_empty() {
                ul.chips.cats { @for c in &m.categories { li.chip.cat { (c) } } }
            }
        }
    }
}

fn pager(p: &Params, from: usize, total: usize) -> Markup {
    let reachable = total.min(search::MAX_WINDOW);
    let pages = reachable.div_ceil(PAGE);
    if pages <= 1 {
        return html! {};
    }
    let cur = from / PAGE;
    let at = |page: usize| {
        let f = (page * PAGE).to_string();
        url(p, &[("from", if page == 0 { None } else { Some(&f) })])
    };
    let lo = cur.saturating_sub(3);
    let hi = (lo + 7).min(pages);
    html! {
        nav.pager aria-label="翻页" {
            @if cur > 0 { a rel="prev" href=(at(cur - 1)) { "‹ 上一页" } }
            @for i in lo..hi {
                @if i == cur { span aria-current="page" { (i + 1) } }
                @else { a href=(at(i)) { (i + 1) } }
            }
            @if cur + 1 < pages { a rel="next" href=(at(cur + 1)) { "下一页 ›" } }
        }
    }
}

#[derive(serde::Deserialize, Default)]
struct ArticleParams {
    q: Option<String>,
}

async fn article_page(
    State(s): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    params: Result<Query<ArticleParams>, QueryRejection>,
) -> Response {
    let q = params.ok().and_then(|Query(p)| p.q);
    let p = Params {
        q: q.clone(),
        ..Params::default()
    };
    let not_found = |p: &Params| {
        page(
            StatusCode::NOT_FOUND,
            layout(
                "找不到这篇文章 - 政搜",
                p,
                html! { main #main { div.banner.error role="alert" { "找不到这篇文章：它可能已被删除或更新。" a href=(url(p, &[])) { "回到搜索" } } } },
            ),
        )
    };
    let Ok(Path(id)) = id else {
        return not_found(&p);
    };
    let Some((doc_id, _)) = id.rsplit_once('-') else {
        return not_found(&p);
    };
    if doc_id.is_empty() || doc_id.len() > 64 || !doc_id.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return not_found(&p);
    }
    let engine = s.engine.clone();
    let doc_id = doc_id.to_string();
    let doc = tokio::task::spawn_blocking(move || engine.document(&doc_id)).await;
    let doc = match doc {
        Ok(Ok(d)) => d,
        Ok(Err(Error::NotFound(_))) => return not_found(&p),
        _ => {
            return page(
                StatusCode::INTERNAL_SERVER_ERROR,
                layout(
                    "政搜",
                    &p,
                    html! { main #main { div.banner.error role="alert" { "服务器内部错误，请稍后重试。" } } },
                ),
            )
        }
    };
    let Some(article) = doc.articles.iter().find(|a| a.id == id) else {
        return not_found(&p);
    };
    let title = format!("{} - 政搜", display_title(article, &doc));
    let engine = s.engine.clone();
    let article_id = article.id.clone();
    let similar = tokio::task::spawn_blocking(move || {
        engine.similar(&article_id, 6, &search::Filters::default(), true)
    })
    .await
    .ok()
    .and_then(|r| r.ok())
    .map(|s| s.hits)
    .unwrap_or_default();
    page(
        StatusCode::OK,
        layout(
            &title,
            &p,
            article_main(&doc, article, q.as_deref(), &similar),
        ),
    )
}

fn display_title<'a>(a: &'a Article, d: &'a Document) -> &'a str {
    if a.title.is_empty() {
        &d.title
    } else {
        &a.title
    }
}

fn article_main(doc: &Document, a: &Article, q: Option<&str>, similar: &[search::Hit]) -> Markup {
    let parsed = search::query::parse(q.unwrap_or(""));
    let mut terms = parsed.terms();
    terms.extend(parsed.expanded());
    let chars: Vec<char> = a.text.chars().collect();
    let spans = snippet::match_spans(&a.text, &terms);
    // One <p> per line of the text; a highlight across a line break is split in two.
    let mut paragraphs = Vec::new();
    let mut start = 0;
    for (i, c) in chars
        .iter()
        .enumerate()
        .chain(std::iter::once((chars.len(), &'\n')))
    {
        if *c == '\n' {
            if chars[start..i].iter().any(|c| !c.is_whitespace()) {
                paragraphs.push(snippet::highlight(&chars, start, i, &spans));
            }
            start = i + 1;
        }
    }
    let path: Vec<&str> = a
        .region
        .as_deref()
        .map_or(Vec::new(), |r| r.split('/').collect());
    let back = url(
        &Params {
            q: q.map(str::to_string),
            ..Params::default()
        },
        &[],
    );
    let others: Vec<&Article> = doc.articles.iter().filter(|o| o.id != a.id).collect();
    html! {
        main #main.article-page {
            p #status.status role="status" aria-live="polite" {}
            nav.back { a #back href=(back) { "‹ 返回搜索结果" } }
            div.article-layout {
                article #results {
                    h1 { (display_title(a, doc)) }
                    p.where {
                        @if let Some(l) = &a.locality { span.place { (l) } }
                        @if path.len() > 1 { span.path { (path.join(" › ")) } }
                        @if let Some(d) = &a.department { span.dept { (d) } }
                        @if let Some(d) = &doc.date { time datetime=(d) { (d) } }
                    }
                    @if !a.categories.is_empty() {
                        ul.chips.cats {
                            @for c in &a.categories {
                                li.chip.cat title=(format!("依据：{}", a.category_evidence.join("；"))) { (c) }
                            }
                        }
                    }
                    @if !spans.is_empty() {
                        p.found { "本文有 " (spans.len()) " 处与搜索词“" (q.unwrap_or("")) "”" @if !parsed.expanded().is_empty() { "或其近义说法" } "相符，已用底色标出。" }
                    }
                    div.body { @for para in &paragraphs { p { (PreEscaped(para)) } } }
                    @if !similar.is_empty() {
                        section.similar aria-labelledby="similar-h" {
                            h2 #similar-h { "相似做法" }
                            p.hint { "其他地方、其他文件中与本文做法相近的文章：" }
                            ol {
                                @for h in similar {
                                    li {
                                        a href=(article_url(&h.meta.id, None)) { (if h.meta.title.is_empty() { &h.meta.doc_title } else { &h.meta.title }) }
                                        p.where {
                                            @if let Some(l) = &h.meta.locality { span.place { (l) } }
                                            @if let Some(d) = &h.meta.date { time datetime=(d) { (d) } }
                                            span { (h.meta.doc_title) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                aside.docinfo aria-label="所属文件" {
                    h2 { "所属文件" }
                    dl {
                        dt { "标题" } dd { (doc.title) }
                        dt { "类型" } dd { (kind_label(doc.kind)) }
                        @if let Some(n) = &doc.number { dt { "文号" } dd { (n) } }
                        @if let Some(i) = doc.issue { dt { "期号" } dd { "第" (i) "期" } }
                        @if let Some(i) = &doc.issuer { dt { "发文单位" } dd { (i) } }
                        @if let Some(d) = &doc.date { dt { "日期" } dd { (d) } }
                        @if let Some(r) = &doc.region { dt { "地区" } dd { (r.replace('/', " › ")) } }
                        dt { "文件" } dd.file { (doc.source) }
                    }
                    a.button href=(format!("/api/documents/{}/raw", doc.doc_id)) target="_blank" rel="noopener" { "查看原文件（新窗口）" }
                    @if !others.is_empty() {
                        h2 { "本期其他文章" }
                        ol.others {
                            @for o in others {
                                li {
                                    a href=(article_url(&o.id, q)) { (display_title(o, doc)) }
                                    @if let Some(l) = &o.locality { " " span.place { (l) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_keep_state_and_reset_paging() {
        let p = Params {
            q: Some("网上信访".into()),
            region: Some("赣州市".into()),
            from: Some("20".into()),
            size: Some("10".into()),
            ..Params::default()
        };
        let u = url(&p, &[("year", Some("2019"))]);
        assert_eq!(
            u,
            "/?q=%E7%BD%91%E4%B8%8A%E4%BF%A1%E8%AE%BF&region=%E8%B5%A3%E5%B7%9E%E5%B8%82&year=2019"
        );
        assert_eq!(url(&Params::default(), &[]), "/");
        assert!(url(&p, &[("from", Some("10"))]).ends_with("&from=10"));
    }

    #[test]
    fn document_text_is_escaped() {
        let m = HitMeta {
            id: "a-0".into(),
            doc_id: "a".into(),
            source: "x.txt".into(),
            title: "<script>alert(1)</script>".into(),
            doc_title: "<img src=x onerror=alert(1)>".into(),
            kind: Kind::Other,
            date: None,
            issue: None,
            number: None,
            issuer: None,
            locality: None,
            region: None,
            region_code: None,
            department: None,
            categories: vec![],
        };
        let html = hit(&m, "", None).into_string();
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"));
    }
}
