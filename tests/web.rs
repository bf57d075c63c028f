//! The search page, article view, original files, admin routes, CORS and the OpenAPI
//! description, over HTTP against the real server (the browser itself is in `browser.rs`).

mod util;

use std::collections::HashMap;
use std::time::Duration;

use util::{enc, wait_until, Server, Workspace, PATIENCE};

struct Got {
    status: u16,
    headers: HashMap<String, String>,
    body: String,
}

fn fetch(s: &Server, method: &str, path: &str, headers: &[(&str, &str)]) -> Got {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    let url = format!("{}{}", s.base, path);
    let mut resp = match method {
        "POST" => {
            let mut r = agent.post(&url);
            for (k, v) in headers {
                r = r.header(*k, *v);
            }
            r.send_empty()
        }
        _ => {
            let mut r = agent.get(&url);
            for (k, v) in headers {
                r = r.header(*k, *v);
            }
            r.call()
        }
    }
    .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    let headers = resp
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_ascii_lowercase(),
                v.to_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let status = resp.status().as_u16();
    let body = resp.body_mut().read_to_string().unwrap_or_default();
    Got {
        status,
        headers,
        body,
    }
}

fn get(s: &Server, path: &str) -> Got {
    fetch(s, "GET", path, &[])
}

#[test]
fn search_page_renders_results_facets_and_state() {
    let ws = Workspace::with_seeds();
    let s = Server::start(&ws);

    let home = get(&s, "/");
    assert_eq!(home.status, 200);
    assert!(home.headers["content-type"].starts_with("text/html"));
    assert!(home.headers["content-security-policy"].contains("script-src 'self'"));
    assert!(home.body.contains(r#"<form id="search""#));
    assert!(home.body.contains("最新文章"), "bare / browses newest");

    let page = get(&s, &format!("/?q={}", enc("网上信访")));
    assert_eq!(page.status, 200);
    let b = &page.body;
    assert!(b.contains(r#"value="网上信访""#), "the box keeps the query");
    assert!(b.contains("<mark>网上信访</mark>"), "highlighted snippet");
    assert!(b.contains("市信访局") || b.contains("信访"), "{b}");
    assert!(b.contains("找到 <strong>"), "a total");
    assert!(b.contains("毫秒"), "time taken");
    for facet in ["地区", "年份", "文件类型"] {
        assert!(b.contains(&format!("<h2>{facet}</h2>")), "{facet} facet");
    }
    // Facet links carry the query and add a filter: the state lives in the URL.
    assert!(b.contains(&format!("/?q={}&amp;region=", enc("网上信访"))));
    assert!(b.contains("&amp;year=2019"));
    // Article links carry the query for highlighting.
    assert!(b.contains(&format!("?q={}", enc("网上信访"))));

    // A filtered view shows the filter as a removable chip and keeps it in the form.
    let filtered = get(&s, &format!("/?region={}", enc("南昌市")));
    assert_eq!(filtered.status, 200);
    assert!(filtered.body.contains("地区：南昌市"));
    assert!(filtered
        .body
        .contains(r#"<input type="hidden" name="region" value="南昌市">"#));
    assert!(filtered.body.contains("红谷滩区"));
    assert!(
        !filtered.body.contains("瑞金市推出"),
        "赣州 articles filtered out"
    );

    // Paging: 10 per page, a next link with from=10.
    let many = get(&s, &format!("/?q={}", enc("政府")));
    assert!(many.body.contains("from=10"), "a pager");
    let p2 = get(&s, &format!("/?q={}&from=10", enc("政府")));
    assert!(p2.body.contains(r#"<ol class="hits" start="11">"#));

    // Sort by date is a link; an unknown sort is a 400 page in Chinese, not a crash.
    assert!(many.body.contains("sort=date"));
    let bad = get(&s, &format!("/?q={}&sort=nonsense", enc("政府")));
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("请求有误"), "{}", bad.body);
    let bad_region = get(&s, &format!("/?region={}", enc("不存在县")));
    assert_eq!(bad_region.status, 400);

    // No results: a plain-Chinese empty state suggesting to drop filters.
    let none = get(
        &s,
        &format!("/?q={}&region={}", enc("网上信访"), enc("南昌市")),
    );
    assert_eq!(none.status, 200);
    assert!(none.body.contains("没有找到包含“网上信访”的文章"));
    assert!(none.body.contains("在全部文件中搜索"));

    for (path, ctype) in [
        ("/static/app.css", "text/css"),
        ("/static/app.js", "text/javascript"),
        ("/widget.js", "text/javascript"),
    ] {
        let a = get(&s, path);
        assert_eq!(a.status, 200, "{path}");
        assert!(a.headers["content-type"].starts_with(ctype), "{path}");
    }
}

#[test]
fn article_view_highlights_and_lists_its_bulletin() {
    let ws = Workspace::with_seeds();
    let s = Server::start(&ws);
    let v = s.search(&[("q", "政务快递")]);
    let hit = &v["hits"][0];
    let id = hit["id"].as_str().unwrap();
    let doc_id = hit["doc_id"].as_str().unwrap();
    let page = get(&s, &format!("/a/{id}?q={}", enc("政务快递")));
    assert_eq!(page.status, 200);
    let b = &page.body;
    assert!(
        b.contains("<h1>瑞金市推出“政务快递免费寄送”服务</h1>"),
        "{b}"
    );
    assert!(b.contains("<mark>政务快递免费寄送</mark>") || b.contains("<mark>政务快递</mark>"));
    assert!(b.contains("本期其他文章"));
    assert!(b.contains("章贡区"), "another article of the same bulletin");
    assert!(b.contains(&format!("/api/documents/{doc_id}/raw")));
    assert!(b.contains("第15期"));
    let missing = get(&s, "/a/0000000000000000-3");
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("找不到这篇文章"));
    assert_eq!(get(&s, "/a/..%2F..%2Fetc%2Fpasswd").status, 404);
}

#[test]
fn document_text_is_always_escaped() {
    let ws = Workspace::empty();
    std::fs::write(
        ws.docs().join("xss.txt"),
        "关于<script>alert('pwned')</script>网上信访工作的通知\n\n\
         各县（市、区）人民政府：\n\
         为做好网上信访工作，现将<img src=x onerror=alert(1)>有关事项通知如下。\
         一、网上信访要<b>及时</b>受理。\n\n江西省信访局\n2021年3月1日\n",
    )
    .unwrap();
    let s = Server::start(&ws);
    let v = s.search(&[("q", "网上信访")]);
    assert_eq!(v["total"], 1, "{v}");
    let id = v["hits"][0]["id"].as_str().unwrap().to_string();
    for path in [
        format!("/?q={}", enc("网上信访")),
        format!("/?q={}", enc("onerror")),
        format!("/a/{id}?q={}", enc("网上信访")),
    ] {
        let page = get(&s, &path);
        assert_eq!(page.status, 200, "{path}");
        let b = &page.body;
        assert!(
            !b.contains("<script>alert"),
            "{path}: raw script tag in\n{b}"
        );
        assert!(!b.contains("<img src=x"), "{path}: raw img tag");
        assert!(!b.contains("<b>及时"), "{path}: raw markup");
        assert!(
            b.contains("&lt;script&gt;") || b.contains("&lt;img"),
            "{path}: the markup is shown as text"
        );
    }
}

#[test]
fn raw_files_are_served_safely_and_never_from_outside() {
    let ws = Workspace::with_seeds();
    std::fs::write(
        ws.docs().join("page.html"),
        "<html><head><title>关于网上信访的通知</title><script>alert(1)</script></head>\
         <body><h1>关于网上信访的通知</h1><p>为做好网上信访工作，现通知如下。</p></body></html>",
    )
    .unwrap();
    // A symlink inside the folder pointing outside it: indexed (it is in the folder), but its
    // original must not be served, or the docs folder would expose any file on the machine.
    let outside = ws.dir.path().join("outside.txt");
    std::fs::write(
        &outside,
        "秘密文件：关于外部目录的通知。这是不应通过原文件接口读取的内容。",
    )
    .unwrap();
    std::os::unix::fs::symlink(&outside, ws.docs().join("link.txt")).unwrap();
    let s = Server::start(&ws);

    let v = s.search(&[("q", "政务快递")]);
    let doc_id = v["hits"][0]["doc_id"].as_str().unwrap();
    let txt = get(&s, &format!("/api/documents/{doc_id}/raw"));
    assert_eq!(txt.status, 200);
    assert_eq!(txt.headers["content-type"], "text/plain; charset=utf-8");
    assert_eq!(txt.headers["x-content-type-options"], "nosniff");
    assert!(txt.body.contains("政务快递免费寄送"));
    let seed =
        std::fs::read_to_string(ws.docs().join(v["hits"][0]["source"].as_str().unwrap())).unwrap();
    assert_eq!(txt.body, seed, "the original bytes");

    let html_doc = s.search(&[("q", "网上信访"), ("kind", "notice")]);
    let html_hit = html_doc["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["source"] == "page.html")
        .expect("the html page is indexed");
    let page = get(
        &s,
        &format!(
            "/api/documents/{}/raw",
            html_hit["doc_id"].as_str().unwrap()
        ),
    );
    assert_eq!(page.status, 200);
    assert!(page.headers["content-type"].starts_with("text/html"));
    assert!(
        page.headers["content-security-policy"].starts_with("sandbox"),
        "a saved page runs sandboxed, without scripts"
    );

    let secret = s.search(&[("q", "外部目录")]);
    if let Some(h) = secret["hits"].as_array().unwrap().first() {
        let r = get(
            &s,
            &format!("/api/documents/{}/raw", h["doc_id"].as_str().unwrap()),
        );
        assert_eq!(r.status, 404, "{}", r.body);
        assert!(!r.body.contains("秘密文件"));
    }
    for path in [
        "/api/documents/..%2F..%2F..%2Fetc%2Fpasswd/raw",
        "/api/documents/%2Fetc%2Fpasswd/raw",
        "/api/documents/../../etc/passwd/raw",
        "/api/documents/0123456789abcdef/raw",
    ] {
        let r = get(&s, path);
        assert_eq!(r.status, 404, "{path}");
        assert!(r.body.contains("\"error\""), "{path}: JSON error");
        assert!(!r.body.contains("root:"), "{path}");
    }
}

#[test]
fn admin_routes_need_the_key() {
    let ws = Workspace::with_seeds();
    let off = Server::start(&ws);
    let r = fetch(&off, "POST", "/api/admin/reindex", &[]);
    assert_eq!(r.status, 403);
    assert!(r.body.contains("--admin-key"));
    drop(off);

    let s = Server::start_with(&ws, &["--admin-key", "s3cret-key"]);
    let none = get(&s, "/api/admin/stats");
    assert_eq!(none.status, 401);
    assert_eq!(none.headers["www-authenticate"], "Bearer");
    let wrong = fetch(
        &s,
        "GET",
        "/api/admin/stats",
        &[("Authorization", "Bearer nope")],
    );
    assert_eq!(wrong.status, 401);
    let auth = [("Authorization", "Bearer s3cret-key")];
    let stats = fetch(&s, "GET", "/api/admin/stats", &auth);
    assert_eq!(stats.status, 200, "{}", stats.body);
    let v: serde_json::Value = serde_json::from_str(&stats.body).unwrap();
    assert_eq!(v["documents"], 5);
    assert!(v["bytes_on_disk"].as_u64().unwrap() > 0);
    let before = v["processed"].as_u64().unwrap();

    let re = fetch(&s, "POST", "/api/admin/reindex", &auth);
    assert_eq!(re.status, 202, "{}", re.body);
    // Every file is read again (processed grows by 5), and the corpus stays searchable.
    let done = wait_until(PATIENCE, || {
        let v: serde_json::Value =
            serde_json::from_str(&fetch(&s, "GET", "/api/admin/stats", &auth).body).unwrap();
        v["processed"].as_u64().unwrap() >= before + 5 && v["writer"]["pending"] == 0
    });
    assert!(done, "reindex finished");
    assert_eq!(s.search(&[("q", "政务快递")])["total"], 1);
    // GET on a POST route is a JSON 405.
    assert_eq!(get(&s, "/api/admin/reindex").status, 405);
}

#[test]
fn cors_is_configurable_for_the_read_only_api() {
    let ws = Workspace::with_seeds();
    let any = Server::start(&ws);
    let r = fetch(
        &any,
        "GET",
        "/api/search?q=x",
        &[("Origin", "https://portal.example")],
    );
    assert_eq!(r.headers["access-control-allow-origin"], "*");
    drop(any);

    let s = Server::start_with(
        &ws,
        &[
            "--cors-origin",
            "https://portal.example",
            "--admin-key",
            "k",
        ],
    );
    let ok = fetch(
        &s,
        "GET",
        "/api/search?q=x",
        &[("Origin", "https://portal.example")],
    );
    assert_eq!(
        ok.headers["access-control-allow-origin"],
        "https://portal.example"
    );
    let other = fetch(
        &s,
        "GET",
        "/api/search?q=x",
        &[("Origin", "https://evil.example")],
    );
    assert!(!other.headers.contains_key("access-control-allow-origin"));
    let admin = fetch(
        &s,
        "GET",
        "/api/admin/stats",
        &[
            ("Origin", "https://portal.example"),
            ("Authorization", "Bearer k"),
        ],
    );
    assert!(
        !admin.headers.contains_key("access-control-allow-origin"),
        "admin routes are not cross-origin"
    );
}

#[test]
fn openapi_describes_the_api() {
    let ws = Workspace::with_seeds();
    let s = Server::start(&ws);
    let (status, spec) = s.get("/api/openapi.json");
    assert_eq!(status, 200);
    assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
    for p in [
        "/api/search",
        "/api/health",
        "/api/documents/{doc_id}",
        "/api/documents/{doc_id}/raw",
    ] {
        assert!(spec["paths"].get(p).is_some(), "{p}");
    }
    // The described hit fields are the ones a real response has.
    let hit = &s.search(&[("q", "政务快递")])["hits"][0];
    let described = &spec["components"]["schemas"]["HitMeta"]["properties"];
    for key in hit.as_object().unwrap().keys() {
        if key != "snippet" && key != "score" {
            assert!(described.get(key).is_some(), "hit field {key} undocumented");
        }
    }
    let docs = get(&s, "/api/docs");
    assert_eq!(docs.status, 200);
    assert!(docs.body.contains("GET /api/search"));
    assert!(docs.body.contains("<code>region</code>"));
}

/// `name{labels} value` lines of a Prometheus text body, keyed by everything before the value.
fn samples(body: &str) -> HashMap<String, f64> {
    body.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (k, v) = l.rsplit_once(' ').unwrap();
            (k.to_string(), v.parse().unwrap())
        })
        .collect()
}

#[test]
fn metrics_count_requests_per_route_and_follow_the_index() {
    let ws = Workspace::with_seeds();
    let s = Server::start(&ws);
    let first = get(&s, "/metrics");
    assert_eq!(first.status, 200);
    assert!(
        first.headers["content-type"].starts_with("text/plain; version=0.0.4"),
        "{:?}",
        first.headers
    );
    let before = samples(&first.body);
    assert_eq!(before["zhengsou_documents"], 5.0, "{}", first.body);
    assert_eq!(before["zhengsou_articles"], 22.0);
    assert_eq!(before["zhengsou_pending_files"], 0.0);
    assert_eq!(before["zhengsou_ready"], 1.0);
    assert!(before["zhengsou_index_size_bytes"] > 100_000.0);
    let commits = before["zhengsou_commit_duration_seconds_count"];
    assert!(commits >= 1.0, "{}", first.body);

    for path in [
        &format!("/api/search?q={}", enc("网上信访")),
        &format!("/api/search?q={}", enc("赣服通")),
        "/api/search?size=999",
        "/random-1",
        "/random-2/x",
        "/api/random-3",
        &format!("/api/suggest?q={}", enc("政务")),
    ] {
        get(&s, path);
    }
    std::fs::write(
        ws.docs().join("new.txt"),
        "关于推行网格化服务的通知\n各乡镇：现将有关事项通知如下。\n",
    )
    .unwrap();
    assert!(wait_until(PATIENCE, || {
        s.get("/api/health").1["documents"] == 6
    }));

    let got = get(&s, "/metrics");
    let m = samples(&got.body);
    let req = |route: &str, status: u16| {
        m.get(&format!(
            "zhengsou_http_requests_total{{method=\"GET\",route=\"{route}\",status=\"{status}\"}}"
        ))
        .copied()
        .unwrap_or(0.0)
    };
    assert_eq!(req("/api/search", 200), 2.0, "{}", got.body);
    assert_eq!(req("/api/search", 400), 1.0);
    assert_eq!(req("/api/suggest", 200), 1.0);
    // Unknown paths share one label: a scan of random URLs cannot grow the series.
    assert_eq!(req("unmatched", 404), 3.0);
    assert!(!got.body.contains("random"), "{}", got.body);
    assert!(req("/metrics", 200) >= 1.0);
    let bucket = "zhengsou_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/search\",status=\"200\",le=\"+Inf\"}";
    assert_eq!(m.get(bucket).copied(), Some(2.0), "{}", got.body);
    assert_eq!(m["zhengsou_documents"], 6.0);
    assert!(m["zhengsou_commit_duration_seconds_count"] > commits);
    assert!(m["zhengsou_reader_generation"] > before["zhengsou_reader_generation"]);
    assert_eq!(m["zhengsou_pending_files"], 0.0);
    assert_eq!(m["zhengsou_failed_files"], 0.0);
}
