//! The search page and the widget in a real headless Chromium (Debian `chromium` +
//! `chromium-driver`, installed by `.ci/run`), driven over WebDriver, with 200 ms of latency
//! added by a proxy in front of the server.
//!
//! Without chromedriver the tests say so and pass, except under CI (`CI` set), where a missing
//! browser is a failure. `ZHENGSOU_SCREENSHOTS=DIR` saves the README's screenshots there.

mod util;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use util::{enc, free_port, Server, Workspace};

const LATENCY: Duration = Duration::from_millis(200);

fn chromedriver() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("CHROMEDRIVER").map(PathBuf::from),
        Some(PathBuf::from("/usr/bin/chromedriver")),
    ];
    let found = candidates.into_iter().flatten().find(|p| p.exists());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromedriver not found: install Debian's chromium and chromium-driver (.ci/run does)"
        );
        eprintln!(
            "SKIPPED: no chromedriver (apt-get install chromium chromium-driver fonts-noto-cjk)"
        );
    }
    found
}

struct Driver {
    child: Child,

    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn browser(path: PathBuf) -> (Driver, Client) {
    let port = free_port();
    let child = Command::new(path)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let url = format!("http://127.0.0.1:{port}");
    let t0 = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).await.is_err() {
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "chromedriver did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let profile = tempfile::tempdir().unwrap();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--hide-scrollbars", "--window-size=1280,900", "--lang=zh-CN",
                format!("--user-data-dir={}", profile.path().display()),
            ]
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let client = ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&url)
        .await
        .expect("WebDriver session");
    (
        Driver {
            child,

            _profile: profile,
        },
        client,
    )
}

/// A TCP proxy that holds every chunk the browser sends for `LATENCY`, and records request
/// lines, so double requests can be counted.
async fn slow_proxy(upstream: SocketAddr) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let log = Arc::new(Mutex::new(Vec::new()));
    let log2 = log.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut client, _)) = listener.accept().await else {
                return;
            };
            let log = log2.clone();
            tokio::spawn(async move {
                let Ok(mut server) = TcpStream::connect(upstream).await else {
                    return;
                };
                let (mut cr, mut cw) = client.split();
                let (mut sr, mut sw) = server.split();
                let up = async {
                    let mut buf = vec![0u8; 64 * 1024];
                    loop {
                        let n = match cr.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        let head = String::from_utf8_lossy(&buf[..n.min(512)]).to_string();
                        if let Some(line) = head.lines().next() {
                            if line.starts_with("GET ") || line.starts_with("POST ") {
                                log.lock().unwrap().push(line.to_string());
                            }
                        }
                        tokio::time::sleep(LATENCY).await;
                        if sw.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                    let _ = sw.shutdown().await;
                };
                let down = async {
                    let _ = tokio::io::copy(&mut sr, &mut cw).await;
                    let _ = cw.shutdown().await;
                };
                tokio::join!(up, down);
            });
        }
    });
    (format!("http://{addr}"), log)
}

/// A page on another origin with hostile CSS, embedding the widget.
async fn host_page(server: &str) -> String {
    let html = format!(
        r#"<!doctype html><html><head><meta charset="utf-8"><title>某县政府门户</title>
<style>
  * {{ font-size: 3px !important; color: #fff !important; background: #fff !important; }}
  input, button {{ display: none !important; }}
  li, mark {{ visibility: hidden !important; }}
  div {{ width: 10px !important; overflow: hidden !important; }}
</style></head>
<body><h1>门户首页</h1><p>站内搜索：</p>
<script src="{server}/widget.js" data-endpoint="{server}"></script>
</body></html>"#
    );
    let app = axum::Router::new().route(
        "/",
        axum::routing::get(move || {
            let html = html.clone();
            async move { axum::response::Html(html) }
        }),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}/")
}

async fn wait_js(c: &Client, script: &str, what: &str) -> Value {
    let t0 = Instant::now();
    loop {
        let v = c.execute(script, vec![]).await.unwrap_or(Value::Null);
        if !(v.is_null() || v == Value::Bool(false)) {
            return v;
        }
        if t0.elapsed() > Duration::from_secs(20) {
            let url = c
                .current_url()
                .await
                .map(|u| u.to_string())
                .unwrap_or_default();
            panic!("timed out waiting for {what} (at {url})");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn js(c: &Client, script: &str) -> Value {
    c.execute(script, vec![]).await.expect(script)
}

fn count(log: &Mutex<Vec<String>>, needle: &str) -> usize {
    log.lock()
        .unwrap()
        .iter()
        .filter(|l| l.contains(needle))
        .count()
}

async fn screenshot(c: &Client, name: &str, w: u32, h: u32) {
    let Some(dir) = std::env::var_os("ZHENGSOU_SCREENSHOTS") else {
        return;
    };
    let dir = PathBuf::from(dir);
    std::fs::create_dir_all(&dir).unwrap();
    // Headless windows have no browser chrome: the window size is the viewport.
    c.set_window_size(w, h).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let png = c.screenshot().await.unwrap();
    std::fs::write(dir.join(name), png).unwrap();
}

/// No element wider than the viewport: nothing is cut off sideways.
async fn assert_fits(c: &Client, what: &str) {
    let v = js(
        c,
        "return [document.documentElement.scrollWidth, window.innerWidth];",
    )
    .await;
    let (sw, iw) = (v[0].as_u64().unwrap(), v[1].as_u64().unwrap());
    assert!(sw <= iw, "{what}: page is {sw}px wide in a {iw}px viewport");
}

fn corpus() -> Workspace {
    let ws = Workspace::with_seeds();
    std::fs::write(
        ws.docs().join("xss.txt"),
        "关于<script>window.__pwned=1</script>网上信访工作的通知\n\n\
         各县（市、区）人民政府：\n\
         为做好网上信访工作<img src=x onerror=\"window.__pwned=2\">，现将有关事项通知如下。\n\n\
         江西省信访局\n2021年3月1日\n",
    )
    .unwrap();
    ws
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_page_in_a_browser() {
    let Some(driver_path) = chromedriver() else {
        return;
    };
    let ws = corpus();
    let server = Server::start(&ws);
    let upstream: SocketAddr = server.base.trim_start_matches("http://").parse().unwrap();
    let (base, log) = slow_proxy(upstream).await;
    let (_driver, c) = browser(driver_path).await;

    // A first-time user: the home page, type a practice, Enter.
    c.goto(&format!("{base}/")).await.unwrap();
    let q = c.wait().for_element(Locator::Id("q")).await.unwrap();
    screenshot(&c, "home-1280.png", 1280, 900).await;
    q.send_keys("网上信访").await.unwrap();
    let enter = char::from(Key::Enter).to_string();
    q.send_keys(&enter).await.unwrap();
    // The request takes ≥ 200 ms: the page shows that it is working.
    let busy = js(&c, "return document.body.classList.contains('loading');").await;
    assert_eq!(busy, Value::Bool(true), "a loading state while waiting");
    // A second Enter while the first is on its way does not send a second request.
    q.send_keys(&enter).await.unwrap();
    wait_js(
        &c,
        "return location.search.includes('q=') && !document.body.classList.contains('loading') && document.querySelectorAll('.hit').length > 0;",
        "results",
    )
    .await;
    assert_eq!(
        count(&log, &format!("/?q={}", enc("网上信访"))),
        1,
        "no double request: {:?}",
        log.lock().unwrap()
    );
    let marks = js(
        &c,
        "return Array.from(document.querySelectorAll('.hit mark')).map(m => m.textContent);",
    )
    .await;
    assert!(
        marks.as_array().unwrap().iter().any(|m| m == "网上信访"),
        "{marks}"
    );
    assert_eq!(
        js(&c, "return window.__pwned === undefined;").await,
        Value::Bool(true),
        "stored script ran"
    );
    let xss_title = js(&c, "return Array.from(document.querySelectorAll('.hit h3')).map(h => h.textContent).join('|');").await;
    assert!(
        xss_title.as_str().unwrap().contains("<script>"),
        "the markup shows as text: {xss_title}"
    );
    let first_page_loads = count(&log, "GET / HTTP") + count(&log, "GET /?");
    // Set on this document: still there after filtering means no page reload happened.
    js(&c, "window.__same_page = 1; return 1;").await;

    // Narrow by region: click 赣州市 in the tree (no reload: the page count stays one load).
    let region = c
        .find(Locator::XPath("//ul[@class='tree']//a[text()='赣州市']"))
        .await
        .expect("赣州市 in the region tree");
    region.click().await.unwrap();
    wait_js(&c, "return location.search.includes('region=') && document.querySelector('.chip.removable') !== null && !document.body.classList.contains('loading');", "region filter").await;
    assert!(
        js(&c, "return document.querySelector('.active').textContent;")
            .await
            .as_str()
            .unwrap()
            .contains("赣州市")
    );
    // Keyboard users continue from the results.
    assert_eq!(js(&c, "return document.activeElement.id;").await, "summary");

    // Then a year bar.
    let year = c.find(Locator::Css(".years a")).await.expect("a year bar");
    year.click().await.unwrap();
    wait_js(
        &c,
        "return location.search.includes('year=') && !document.body.classList.contains('loading');",
        "year filter",
    )
    .await;
    let filtered_url = c.current_url().await.unwrap().to_string();
    let titles = js(
        &c,
        "return Array.from(document.querySelectorAll('.hit h3')).map(h => h.textContent);",
    )
    .await;
    assert!(!titles.as_array().unwrap().is_empty());
    assert!(count(&log, "GET /?") + count(&log, "GET / HTTP") >= first_page_loads + 2);
    assert_eq!(
        js(&c, "return window.__same_page;").await,
        json!(1),
        "filtering reloaded the page"
    );

    // Open an article: highlighted, with its bulletin's other articles and the original file.
    let link = c.find(Locator::Css(".hit h3 a")).await.unwrap();
    link.click().await.unwrap();
    wait_js(&c, "return location.pathname.startsWith('/a/') && document.querySelector('h1') !== null && !document.body.classList.contains('loading');", "article view").await;
    assert!(
        js(&c, "return document.querySelectorAll('.body mark').length;")
            .await
            .as_u64()
            .unwrap()
            > 0
    );
    assert!(js(
        &c,
        "return document.querySelector('.docinfo a.button').getAttribute('href');"
    )
    .await
    .as_str()
    .unwrap()
    .ends_with("/raw"));
    // 相似做法: the same kind of practice elsewhere, as links.
    assert!(
        js(
            &c,
            "return document.querySelectorAll('.similar li a').length;"
        )
        .await
        .as_u64()
        .unwrap()
            > 0,
        "a 相似做法 list"
    );
    screenshot(&c, "article-1280.png", 1280, 900).await;
    c.set_window_size(1280, 900).await.unwrap();

    // Back: the filtered results again, with the query in the box.
    c.back().await.unwrap();
    wait_js(&c, "return location.search.includes('year=') && document.querySelectorAll('.hit').length > 0 && !document.body.classList.contains('loading');", "back to results").await;
    assert_eq!(c.current_url().await.unwrap().to_string(), filtered_url);
    assert_eq!(
        js(&c, "return document.getElementById('q').value;").await,
        "网上信访"
    );

    // A shared link, loaded fresh, shows the same view.
    c.goto(&filtered_url).await.unwrap();
    wait_js(
        &c,
        "return document.querySelectorAll('.hit').length > 0;",
        "shared link",
    )
    .await;
    let again = js(
        &c,
        "return Array.from(document.querySelectorAll('.hit h3')).map(h => h.textContent);",
    )
    .await;
    assert_eq!(again, titles);

    // Suggestions as you type, in pinyin initials too; arrows and Enter pick one.
    c.goto(&format!("{base}/")).await.unwrap();
    let q = c.wait().for_element(Locator::Id("q")).await.unwrap();
    q.send_keys("wsxf").await.unwrap();
    wait_js(&c, "const l = document.getElementById('suggest'); return !l.hidden && l.textContent.includes('网上信访');", "suggestions for wsxf").await;
    assert_eq!(
        js(
            &c,
            "return document.getElementById('q').getAttribute('aria-expanded');"
        )
        .await,
        "true"
    );
    let mut picked = false;
    for _ in 0..8 {
        q.send_keys(&char::from(Key::Down).to_string())
            .await
            .unwrap();
        let cur = js(&c, "const s = document.querySelector('#suggest [aria-selected=true]'); return s ? s.firstChild.textContent : null;").await;
        if cur == "网上信访" {
            picked = true;
            break;
        }
    }
    assert!(picked, "arrows reach 网上信访");
    q.send_keys(&enter).await.unwrap();
    wait_js(&c, "return new URLSearchParams(location.search).get('q') === '网上信访' && document.querySelectorAll('.hit').length > 0 && !document.body.classList.contains('loading');", "search for the picked suggestion").await;

    // A typo offers the right query, without applying it.
    c.goto(&format!("{base}/?q={}", enc("网上信仿")))
        .await
        .unwrap();
    let dym = wait_js(
        &c,
        "const d = document.querySelector('.dym a'); return d && d.textContent;",
        "did you mean",
    )
    .await;
    assert_eq!(dym, "网上信访");

    // Keyboard only: from the box, Tab reaches the search button; Enter in the box searches.
    c.goto(&format!("{base}/?q={}", enc("政务服务")))
        .await
        .unwrap();
    let q = c.wait().for_element(Locator::Id("q")).await.unwrap();
    q.click().await.unwrap();
    q.send_keys(&char::from(Key::Tab).to_string())
        .await
        .unwrap();
    assert_eq!(
        js(
            &c,
            "return document.activeElement.tagName + ':' + document.activeElement.type;"
        )
        .await,
        "BUTTON:submit"
    );
    screenshot(&c, "results-1280.png", 1280, 900).await;
    assert_fits(&c, "results at 1280").await;

    // A phone: nothing wider than the screen, filters folded away but reachable.
    c.set_window_size(390, 844).await.unwrap();
    c.refresh().await.unwrap();
    wait_js(
        &c,
        "return document.querySelectorAll('.hit').length > 0;",
        "results on a phone",
    )
    .await;
    assert_fits(&c, "results at 390").await;
    assert_eq!(
        js(&c, "return document.getElementById('filters').open;").await,
        Value::Bool(false)
    );
    screenshot(&c, "results-390.png", 390, 844).await;
    c.find(Locator::Css(".hit h3 a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_js(&c, "return location.pathname.startsWith('/a/') && !document.body.classList.contains('loading');", "article on a phone").await;
    assert_fits(&c, "article at 390").await;
    screenshot(&c, "article-390.png", 390, 844).await;
    c.set_window_size(1280, 900).await.unwrap();

    // The stored script is shown on the article view too, never run.
    c.goto(&format!("{base}/?q={}", enc("onerror")))
        .await
        .unwrap();
    wait_js(
        &c,
        "return document.querySelectorAll('.hit').length > 0;",
        "xss doc",
    )
    .await;
    c.find(Locator::Css(".hit h3 a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_js(&c, "return location.pathname.startsWith('/a/') && !document.body.classList.contains('loading');", "xss article").await;
    assert!(
        js(&c, "return document.querySelector('.body').textContent;")
            .await
            .as_str()
            .unwrap()
            .contains("onerror=")
    );
    assert_eq!(js(&c, "return window.__pwned === undefined && document.querySelectorAll('.body img, .body script').length === 0;").await, Value::Bool(true));

    // Server unreachable: a plain-Chinese message, not a blank page.
    c.goto(&format!("{base}/?q={}", enc("政务"))).await.unwrap();
    c.wait().for_element(Locator::Id("q")).await.unwrap();
    drop(server);
    let q = c.find(Locator::Id("q")).await.unwrap();
    q.clear().await.unwrap();
    q.send_keys(&format!("信访{enter}")).await.unwrap();
    let msg = wait_js(
        &c,
        "const b = document.querySelector('.banner.neterr'); return b && b.textContent;",
        "an error banner",
    )
    .await;
    assert!(msg.as_str().unwrap().contains("无法连接服务器"), "{msg}");

    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn widget_survives_hostile_css_and_works_with_the_keyboard() {
    let Some(driver_path) = chromedriver() else {
        return;
    };
    let ws = corpus();
    let server = Server::start(&ws);
    let upstream: SocketAddr = server.base.trim_start_matches("http://").parse().unwrap();
    let (base, log) = slow_proxy(upstream).await;
    let portal = host_page(&base).await;
    let (_driver, c) = browser(driver_path).await;
    c.goto(&portal).await.unwrap();
    let host = c
        .wait()
        .for_element(Locator::Css(".zhengsou-widget"))
        .await
        .unwrap();
    let root = host.shadow_root().await.unwrap();
    let input = root.find(Locator::Css("input")).await.unwrap();
    assert!(
        input.is_displayed().await.unwrap(),
        "the host page's CSS cannot hide the box"
    );
    input.send_keys("政务快递").await.unwrap();
    wait_js(
        &c,
        "const r = document.querySelector('.zhengsou-widget').shadowRoot; return r.querySelectorAll('li[role=option]').length > 0;",
        "widget results",
    )
    .await;
    assert_eq!(
        count(&log, "/api/search?"),
        1,
        "one request for the typed text: {:?}",
        log.lock().unwrap()
    );
    let first = js(&c, "const r = document.querySelector('.zhengsou-widget').shadowRoot; const li = r.querySelector('li[role=option]:not(.sug)'); const s = getComputedStyle(li); return [li.textContent, s.visibility, s.fontSize, r.querySelectorAll('mark').length];").await;
    assert!(first[0].as_str().unwrap().contains("瑞金市"), "{first}");
    assert_eq!(first[1], "visible");
    assert_eq!(first[2], "16px");
    assert!(first[3].as_u64().unwrap() > 0, "highlights");
    // The host page is untouched by the widget's styles.
    assert_eq!(
        js(
            &c,
            "return getComputedStyle(document.querySelector('h1')).fontSize;"
        )
        .await,
        "3px"
    );

    // Arrows move through the options; Escape closes.
    let down = char::from(Key::Down).to_string();
    input.send_keys(&down).await.unwrap();
    let selected = js(&c, "const r = document.querySelector('.zhengsou-widget').shadowRoot; const s = r.querySelector('li[aria-selected=true]'); return s && s.id === r.querySelector('input').getAttribute('aria-activedescendant');").await;
    assert_eq!(selected, Value::Bool(true));
    // The first option is a completion from the corpus: Enter on it searches for it.
    let sug = js(&c, "const r = document.querySelector('.zhengsou-widget').shadowRoot; const s = r.querySelector('li[aria-selected=true]'); return s.classList.contains('sug') ? s.getAttribute('data-text') : null;").await;
    let text = sug.as_str().expect("a completion offered for 政务快递");
    assert!(text.starts_with("政务快递"), "{text}");
    input
        .send_keys(&char::from(Key::Enter).to_string())
        .await
        .unwrap();
    let want = format!("return document.querySelector('.zhengsou-widget').shadowRoot.querySelector('input').value === {text:?} && document.querySelector('.zhengsou-widget').shadowRoot.querySelectorAll('li[role=option]:not(.sug)').length > 0;");
    wait_js(&c, &want, "search for the chosen completion").await;
    input
        .send_keys(&char::from(Key::Escape).to_string())
        .await
        .unwrap();
    assert_eq!(js(&c, "return document.querySelector('.zhengsou-widget').shadowRoot.querySelector('.panel').hidden;").await, Value::Bool(true));

    // A stored script in a result never runs inside the host page.
    input.clear().await.unwrap();
    input
        .send_keys(&format!("onerror{}", char::from(Key::Enter)))
        .await
        .unwrap();
    wait_js(&c, "const r = document.querySelector('.zhengsou-widget').shadowRoot; return r.querySelectorAll('li[role=option]').length > 0;", "xss result in widget").await;
    assert_eq!(js(&c, "return window.__pwned === undefined && document.querySelector('.zhengsou-widget').shadowRoot.querySelectorAll('img, script').length === 0;").await, Value::Bool(true));
    if std::env::var_os("ZHENGSOU_SCREENSHOTS").is_some() {
        // The widget on a plain page (hostile CSS would make the screenshot unreadable).
        js(
            &c,
            "document.querySelectorAll('style').forEach(s => s.remove()); return 1;",
        )
        .await;
        input.clear().await.unwrap();
        input.send_keys("政务服务").await.unwrap();
        wait_js(&c, "const r = document.querySelector('.zhengsou-widget').shadowRoot; return Array.from(r.querySelectorAll('mark')).some(m => m.textContent === '政务服务');", "widget results for the screenshot").await;
        screenshot(&c, "widget-1280.png", 1280, 900).await;
    }
    c.close().await.unwrap();
}
