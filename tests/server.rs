//! Integration tests: the real `zhengsou` binary serving the real seeds on a loopback port,
//! talked to over HTTP. Timings (freshness, startup) are printed, never asserted.

mod util;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde_json::Value;
use util::{wait_until, Rng, Server, Workspace, PATIENCE};

fn top_source(s: &Server, q: &str) -> String {
    s.sources(&[("q", q)]).first().cloned().unwrap_or_default()
}

/// Acceptance 2: the right seed ranks first for each practice.
#[test]
fn practices_rank_their_seed_first() {
    let ws = Workspace::with_seeds();
    let s = Server::start(&ws);
    for (q, seed) in [
        ("网上信访", "002_"),
        ("物管城市", "004_"),
        ("政务快递", "000_"),
        ("扫黑除恶", "002_"),
        ("十县百乡", "003_"),
    ] {
        let top = top_source(&s, q);
        assert!(
            top.starts_with(seed),
            "{q}: top hit {top}, expected seed {seed}"
        );
    }
    // The hit is the article, attributed to its place, with a highlighted snippet.
    let v = s.search(&[("q", "政务快递")]);
    let hit = &v["hits"][0];
    assert_eq!(hit["locality"], "瑞金市");
    assert_eq!(hit["region"], "江西省/赣州市/瑞金市");
    assert_eq!(hit["region_code"], "360781");
    assert!(
        hit["snippet"]
            .as_str()
            .unwrap()
            .contains("<mark>政务快递</mark>"),
        "{hit}"
    );
    assert_eq!(hit["kind"], "bulletin");
    assert_eq!(hit["issue"], 15);
    assert_eq!(hit["date"], "2019-03-19");
    assert!(hit["id"]
        .as_str()
        .unwrap()
        .starts_with(hit["doc_id"].as_str().unwrap()));
}

fn check_tree(node: &Value) -> u64 {
    let count = node["count"].as_u64().unwrap();
    let children: u64 = node["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(check_tree)
        .sum();
    assert!(
        children <= count,
        "children of {} sum to {children} > {count}",
        node["name"]
    );
    count
}

/// Acceptance 3: region filter by name or code covers the subtree; the facet tree adds up.
#[test]
fn region_filter_and_facet_tree() {
    let ws = Workspace::with_seeds();
    let s = Server::start(&ws);
    let nanchang = s.search(&[("region", "南昌市"), ("size", "100")]);
    let sources: BTreeSet<String> = nanchang["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["source"].as_str().unwrap().into())
        .collect();
    assert_eq!(sources.len(), 1, "{sources:?}");
    assert!(sources.iter().next().unwrap().starts_with("004_"));
    assert_eq!(nanchang["total"], 3);
    let by_code = s.search(&[("region", "360100"), ("size", "100")]);
    assert_eq!(by_code["total"], nanchang["total"]);

    // Town level: 金龙镇 is found by its own name and under its county and city.
    let town = s.search(&[("region", "金龙镇")]);
    assert_eq!(town["total"], 1);
    assert_eq!(town["hits"][0]["region"], "江西省/赣州市/全南县/金龙镇");
    assert_eq!(s.search(&[("region", "全南县")])["total"], 1);

    // The unfiltered facet: one province root whose count is every article with a place.
    let all = s.search(&[("size", "100")]);
    let tree = all["facets"]["region"].as_array().unwrap();
    assert_eq!(tree.len(), 1, "{tree:?}");
    assert_eq!(tree[0]["name"], "江西省");
    assert_eq!(check_tree(&tree[0]), all["total"].as_u64().unwrap());
    let city_names: Vec<&str> = tree[0]["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(
        city_names.contains(&"赣州市") && city_names.contains(&"南昌市"),
        "{city_names:?}"
    );
    // A town appears four levels down.
    let ganzhou = tree[0]["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "赣州市")
        .unwrap();
    let quannan = ganzhou["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "全南县")
        .unwrap();
    assert_eq!(quannan["children"][0]["name"], "金龙镇");
}

#[test]
fn filters_and_browse() {
    let ws = Workspace::with_seeds();
    let s = Server::start(&ws);
    // Browse: empty q with a filter, newest first.
    let v = s.search(&[("kind", "bulletin"), ("size", "100")]);
    let dates: Vec<&str> = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["date"].as_str().unwrap())
        .collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");
    assert_eq!(v["total"], 21);
    let notice = s.search(&[("kind", "notice")]);
    assert_eq!(notice["total"], 1);
    assert_eq!(notice["hits"][0]["number"], "赣府厅字〔2020〕9号");
    assert_eq!(notice["hits"][0]["date"], "2020-01-22");
    // 文号 in any bracket style.
    for n in [
        "赣府厅字〔2020〕9号",
        "赣府厅字[2020]9号",
        "赣府厅字(2020)9號",
        "赣府厅字【2020】9号",
    ] {
        assert_eq!(s.search(&[("number", n)])["total"], 1, "{n}");
    }
    // Years and date ranges.
    let y2019 = s.search(&[("year", "2019"), ("size", "100")]);
    assert!(y2019["hits"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["date"].as_str().unwrap().starts_with("2019")));
    assert_eq!(y2019["total"], 12);
    let range = s.search(&[
        ("date_from", "2020"),
        ("date_to", "2022-12-31"),
        ("size", "100"),
    ]);
    assert_eq!(range["total"], 7);
    // Department and category.
    let dept = s.search(&[("department", "信访局")]);
    assert_eq!(dept["total"], 1);
    assert_eq!(dept["hits"][0]["locality"], "赣州市");
    assert_eq!(s.search(&[("department", "市信访局")])["total"], 1);
    let cat = s.search(&[("category", "忠诚型"), ("size", "100")]);
    assert!(cat["hits"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["categories"]
            .as_array()
            .unwrap()
            .contains(&"忠诚型".into())));
    assert!(cat["total"].as_u64().unwrap() >= 3);
    // Issuer, and query plus filter.
    assert_eq!(s.search(&[("issuer", "江西省人民政府办公厅")])["total"], 1);
    let q = s.search(&[("q", "政务公开"), ("region", "章贡区"), ("size", "100")]);
    assert!(q["hits"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["region"].as_str().unwrap().contains("章贡区")));
    assert!(q["total"].as_u64().unwrap() >= 1);
}

#[test]
fn query_syntax() {
    let ws = Workspace::with_seeds();
    let s = Server::start(&ws);
    let total = |q: &str| {
        s.search(&[("q", q), ("size", "100")])["total"]
            .as_u64()
            .unwrap()
    };
    // Phrase across a line break in the file ("作\n\n风" in seed 000).
    assert!(s
        .sources(&[("q", "改进干部作风")])
        .iter()
        .any(|x| x.starts_with("000_")));
    // AND narrows, OR widens, exclusion removes.
    let (a, b) = (total("赣服通"), total("帮办代办"));
    let both = total("赣服通 帮办代办");
    let either = total("赣服通 OR 帮办代办");
    assert!(
        both <= a.min(b) && either >= a.max(b),
        "{a} {b} {both} {either}"
    );
    assert_eq!(
        total("十县百乡 -章贡区"),
        total("十县百乡") - total("十县百乡 章贡区")
    );
    // title: only matches titles.
    let t = s.search(&[("q", "title:政务公开"), ("size", "100")]);
    assert!(t["hits"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["title"].as_str().unwrap().contains("政务公开")));
    assert!(t["total"].as_u64().unwrap() >= 2);
    // Full-width and half-width, upper and lower case, are the same.
    assert_eq!(total("ＥＭＳ"), total("ems"));
    assert!(total("EMS") >= 1);
    // Article level: a term at the start of one article matches that article only (never its
    // neighbours, never every article of the bulletin).
    assert_eq!(total("发改委"), 1);
    assert_eq!(total("信访局"), 1);
    assert_eq!(total("瑞金市推出"), 1);
    assert!(total("十县百乡 -章贡区") >= 3);
    // Quotation marks are not typed: 五型政府 finds “五型”政府, 信访条例 finds 《信访条例》.
    assert!(total("五型政府建设工作要点") >= 1);
    assert!(total("放管服改革") >= 1);
    assert!(total("信访条例") >= 1);
    // …but a match does not begin or end inside a quotation: 赛的 is not in 赛一赛”的项目, while
    // the string across it is, typed with or without its mark.
    assert_eq!(total("赛的"), 0);
    assert_eq!(total("管服改"), 0);
    assert!(total("赛一赛的项目") >= 1);
    assert_eq!(total("赛一赛”的项目"), total("赛一赛的项目"));
    assert!(total("推进放管服改革") >= 1);
    // title:"…" and -"…" keep their prefix.
    assert!(total("title:\"政务 公开\"") >= 2);
    assert_eq!(total("十县百乡 -\"章贡区\""), total("十县百乡 -章贡区"));
    // Header lines (masthead, 来源) are searchable.
    assert!(total("第15期") >= 1);
    assert!(total("访问量") >= 1);
    // Forgiving syntax: never an error.
    for q in [
        "\"未闭合",
        "-",
        "OR",
        "\"\"",
        "- - OR OR",
        "title:",
        "a\u{1}b",
        &"很长".repeat(3000),
    ] {
        let (status, _) = s.get(&format!("/api/search?q={}", util::enc(q)));
        assert_eq!(status, 200, "{q:?}");
    }
    // Lone surrogates and invalid UTF-8 in percent-encoding.
    for raw in ["%ED%A0%80", "%FF%FE", "%E4%B8", "%%%", "%zz"] {
        let (status, v) = s.get(&format!("/api/search?q={raw}"));
        assert!(status == 200 || status == 400, "{raw}: {status} {v}");
    }
}

/// Acceptance 6 (queries): malformed parameters are a 400 with a JSON error, unknown ids 404.
/// A 文号 typed with the brackets a keyboard has finds the notice that bears it, ahead of a
/// notice that cites it (and prints it with other brackets).
#[test]
fn numbers_in_any_brackets_find_their_notice_first() {
    let ws = Workspace::with_seeds();
    std::fs::write(
        ws.docs().join("citing.txt"),
        "赣州市人民政府办公室文件\n\n赣市府办字[2020]15号\n\n\
         赣州市人民政府办公室关于落实“五型”政府建设工作要点的通知\n\n各县（市、区）人民政府：\n\n\
         根据《江西省人民政府办公厅关于印发2020年全省“五型”政府建设工作要点的通知》\
         （赣府厅字[2020]9号）要求，结合我市实际，现就有关事项通知如下。\
         各地要对照赣府厅字[2020]9号文件逐项抓好落实，确保工作要点落地见效。\n\n\
         赣州市人民政府办公室\n\n2020年4月1日\n",
    )
    .unwrap();
    let s = Server::start(&ws);
    for typed in [
        "赣府厅字〔2020〕9号",
        "赣府厅字[2020]9号",
        "赣府厅字(2020)9号",
        "赣府厅字（2020）9号",
        "赣府厅字【2020】9号",
        "赣府厅字﹝2020﹞9号",
        "赣府厅字〔2020〕第9号",
        "赣府厅字［2020］9號",
    ] {
        let r = s.search(&[("q", typed), ("size", "20")]);
        let hits = r["hits"].as_array().unwrap();
        let sources: Vec<&str> = hits.iter().map(|h| h["source"].as_str().unwrap()).collect();
        assert!(
            sources.first().is_some_and(|x| x.starts_with("001_")),
            "{typed}: {sources:?}"
        );
        assert_eq!(hits[0]["number"], "赣府厅字〔2020〕9号", "{typed}");
        // Only 第9号 is printed in neither file; every other form also finds the citation.
        if !typed.contains('第') {
            assert!(sources.contains(&"citing.txt"), "{typed}: {sources:?}");
        }
    }
    // The citing notice is found by its own number in any brackets too.
    assert_eq!(top_source(&s, "赣市府办字〔2020〕15号"), "citing.txt");
    // Unified brackets do not loosen the rest: another year finds nothing.
    assert_eq!(
        s.search(&[("q", "赣府厅字[2021]9号")])["total"],
        0,
        "another year"
    );
}

#[test]
fn bad_parameters_are_400_json() {
    let ws = Workspace::with_seeds();
    let s = Server::start(&ws);
    for qs in [
        "size=0",
        "size=101",
        "size=-1",
        "size=abc",
        "from=9995&size=10",
        "from=x",
        "year=19",
        "year=abcd",
        "date_from=2020-13",
        "date_to=20200101x",
        "kind=memo",
        "sort=random",
        "category=勇敢型",
        "facets=maybe",
        "q=a&q=b",
        "from=18446744073709551615&size=10",
        "region=火星",
        "date_from=2019-02-30",
    ] {
        let (status, v) = s.get(&format!("/api/search?{qs}"));
        assert_eq!(status, 400, "{qs}: {v}");
        assert_eq!(v["error"]["code"], "bad_request", "{qs}: {v}");
        assert!(v["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
    let (status, v) = s.get("/api/documents/0123456789abcdef");
    assert_eq!(status, 404);
    assert_eq!(v["error"]["code"], "not_found");
    let (status, _) = s.get("/api/documents/..%2F..%2Fetc%2Fpasswd");
    assert_eq!(status, 404);
    let (status, v) = s.get("/no/such/route");
    assert_eq!(status, 404);
    assert_eq!(v["error"]["code"], "not_found");
    let (status, v) = s.get("/api/documents/%FF");
    assert_eq!(status, 404, "{v}");
    assert_eq!(v["error"]["code"], "not_found");
    // Valid edge values are accepted.
    assert_eq!(
        s.get("/api/search?date_from=2020-02-29&facets=FALSE&snippets=off")
            .0,
        200
    );
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut resp = agent
        .post(&format!("{}/api/search", s.base))
        .send("")
        .unwrap();
    assert_eq!(resp.status().as_u16(), 405);
    let body: Value = serde_json::from_str(&resp.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(body["error"]["code"], "method_not_allowed");
}

#[test]
fn document_endpoint() {
    let ws = Workspace::with_seeds();
    let s = Server::start(&ws);
    let hit = s.search(&[("q", "赣府厅字")])["hits"][0].clone();
    let (status, doc) = s.get(&format!(
        "/api/documents/{}",
        hit["doc_id"].as_str().unwrap()
    ));
    assert_eq!(status, 200);
    assert_eq!(doc["number"], "赣府厅字〔2020〕9号");
    assert_eq!(doc["kind"], "notice");
    assert!(doc["text"]
        .as_str()
        .unwrap()
        .contains("决胜全面建成小康社会"));
    assert_eq!(doc["articles"].as_array().unwrap().len(), 1);
    let bulletin = s.search(&[("q", "金龙镇")])["hits"][0]["doc_id"].clone();
    let (_, doc) = s.get(&format!("/api/documents/{}", bulletin.as_str().unwrap()));
    let localities: Vec<&str> = doc["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["locality"].as_str().unwrap())
        .collect();
    assert_eq!(
        localities,
        ["章贡区", "崇义县", "金龙镇", "新城镇", "留车镇", "南康区"]
    );
    assert_eq!(doc["articles"][3]["region"], "江西省/赣州市/大余县/新城镇");
    // Each article's text is stored once (with its hit) and comes back whole, in order.
    let inspect = std::process::Command::new(util::bin())
        .arg("inspect")
        .arg(ws.docs().join(doc["source"].as_str().unwrap()))
        .arg("--docs")
        .arg(ws.docs())
        .output()
        .unwrap();
    let read: Value = serde_json::from_slice(&inspect.stdout).unwrap();
    assert_eq!(doc["articles"], read["articles"]);
    assert_eq!(doc["text"], read["text"]);
}

/// Acceptance 4: added, deleted and edited files; the figures are printed for the notes.
#[test]
fn live_folder_changes() {
    let ws = Workspace::with_seeds();
    let s = Server::start(&ws);
    let count = |q: &str| {
        s.search(&[("q", q), ("size", "100")])["total"]
            .as_u64()
            .unwrap()
    };
    let articles = || s.get("/api/health").1["articles"].as_u64().unwrap();
    let before = articles();

    let path = ws.docs().join("sub").join("新增简报.txt");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let t0 = Instant::now();
    std::fs::write(&path, "测试县“五型”政府建设工作简报\n\n第 1 期\n\n2024年5月6日\n\n瑞金市推行甲乙丙丁标记一号做法\n\n瑞金市推行甲乙丙丁标记一号做法，成效明显。群众满意率大幅提升，办事时间缩短。\n").unwrap();
    assert!(
        wait_until(PATIENCE, || count("甲乙丙丁标记一号") == 1),
        "new file not found"
    );
    let added = t0.elapsed();
    let hit = s.search(&[("q", "甲乙丙丁标记一号")])["hits"][0].clone();
    assert_eq!(hit["source"], "sub/新增简报.txt");

    let t0 = Instant::now();
    std::fs::write(&path, "测试县“五型”政府建设工作简报\n\n第 1 期\n\n2024年5月6日\n\n瑞金市推行甲乙丙丁标记二号做法\n\n瑞金市推行甲乙丙丁标记二号做法，成效明显。群众满意率大幅提升，办事时间缩短。\n").unwrap();
    assert!(
        wait_until(PATIENCE, || count("甲乙丙丁标记二号") == 1
            && count("甲乙丙丁标记一号") == 0),
        "edit not applied"
    );
    let edited = t0.elapsed();
    assert_eq!(
        articles(),
        before + 1,
        "an edit must replace, never duplicate"
    );
    // The doc_id is derived from the path: stable across edits.
    assert_eq!(
        s.search(&[("q", "甲乙丙丁标记二号")])["hits"][0]["doc_id"],
        hit["doc_id"]
    );

    let t0 = Instant::now();
    std::fs::remove_file(&path).unwrap();
    assert!(
        wait_until(PATIENCE, || count("甲乙丙丁标记二号") == 0),
        "deleted file still found"
    );
    let deleted = t0.elapsed();
    assert_eq!(articles(), before);

    // A whole folder moved in and out.
    let outside = ws.dir.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(
        outside.join("x.md"),
        "# 某县简报\n\n## 某县推出戊己庚辛标记做法\n\n某县推出戊己庚辛标记做法，效果很好。\n",
    )
    .unwrap();
    std::fs::rename(&outside, ws.docs().join("moved")).unwrap();
    assert!(
        wait_until(PATIENCE, || count("戊己庚辛标记") == 1),
        "moved-in folder not indexed"
    );
    std::fs::rename(ws.docs().join("moved"), &outside).unwrap();
    assert!(
        wait_until(PATIENCE, || count("戊己庚辛标记") == 0),
        "moved-out folder still indexed"
    );
    eprintln!("freshness: added {added:?}, edited {edited:?}, deleted {deleted:?}");

    // A rename leaves exactly one copy, under the new name; so does an editor's save through a
    // temporary file renamed over the original.
    let a = ws.docs().join("改名前.txt");
    std::fs::write(&a, "原名文件里的卯辰标记做法。\n").unwrap();
    assert!(wait_until(PATIENCE, || count("卯辰标记") == 1));
    let b = ws.docs().join("改名后.txt");
    std::fs::rename(&a, &b).unwrap();
    assert!(
        wait_until(PATIENCE, || {
            let v = s.search(&[("q", "卯辰标记")]);
            v["total"] == 1 && v["hits"][0]["source"] == "改名后.txt"
        }),
        "renamed file not under its new name"
    );
    let tmp = ws.docs().join(".改名后.txt.swp");
    std::fs::write(&tmp, "保存后的卯辰标记新版本。\n").unwrap();
    std::fs::rename(&tmp, &b).unwrap();
    assert!(wait_until(PATIENCE, || s
        .search(&[("q", "卯辰标记新版本")])["total"]
        == 1
        && count("卯辰标记") == 1));
    std::fs::remove_file(&b).unwrap();
    assert!(wait_until(PATIENCE, || count("卯辰标记") == 0));

    // A single file moved out of the folder and back in.
    let inside = ws.docs().join("进出.txt");
    let outside_file = ws.dir.path().join("进出.txt");
    std::fs::write(&inside, "进出文件夹的申酉标记做法。\n").unwrap();
    assert!(wait_until(PATIENCE, || count("申酉标记") == 1));
    std::fs::rename(&inside, &outside_file).unwrap();
    assert!(
        wait_until(PATIENCE, || count("申酉标记") == 0),
        "moved-out file still indexed"
    );
    std::fs::rename(&outside_file, &inside).unwrap();
    assert!(
        wait_until(PATIENCE, || count("申酉标记") == 1),
        "moved-in file not indexed"
    );

    // A file written slowly (five appends, 150 ms apart) ends up indexed whole, once.
    let slow = ws.docs().join("slow.txt");
    for k in 0..5 {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&slow)
            .unwrap();
        writeln!(f, "慢慢写入的第{k}段内容，子丑标记{k}。").unwrap();
        drop(f);
        std::thread::sleep(Duration::from_millis(150));
    }
    assert!(
        wait_until(PATIENCE, || count("子丑标记4") == 1
            && count("子丑标记0") == 1),
        "slow file not indexed whole"
    );

    // The docs folder itself replaced: the index follows the new folder.
    std::fs::remove_dir_all(ws.docs()).unwrap();
    std::fs::create_dir_all(ws.docs()).unwrap();
    std::fs::write(
        ws.docs().join("new.txt"),
        "新文件夹里的丑寅卯标记做法，效果很好。\n",
    )
    .unwrap();
    assert!(
        wait_until(PATIENCE, || count("丑寅卯标记") == 1),
        "replaced folder not followed"
    );
    assert!(
        wait_until(PATIENCE, || s.get("/api/health").1["documents"] == 1),
        "old files still indexed"
    );
    std::fs::write(ws.docs().join("newer.txt"), "再写一个辰巳午标记做法。\n").unwrap();
    assert!(
        wait_until(PATIENCE, || count("辰巳午标记") == 1),
        "new folder not watched"
    );
}

/// `--poll`: a folder scanned instead of watched (filesystems without notifications).
#[test]
fn polling_fallback_follows_the_folder() {
    let ws = Workspace::with_seeds();
    let s = Server::start_with(&ws, &["--poll", "0.2"]);
    let count = |q: &str| s.search(&[("q", q)])["total"].as_u64().unwrap();
    assert!(top_source(&s, "物管城市").starts_with("004_"));
    let f = ws.docs().join("轮询.txt");
    std::fs::write(&f, "轮询发现的戌亥标记做法。\n").unwrap();
    assert!(
        wait_until(PATIENCE, || count("戌亥标记") == 1),
        "polled addition not indexed"
    );
    std::fs::remove_file(&f).unwrap();
    assert!(
        wait_until(PATIENCE, || count("戌亥标记") == 0),
        "polled deletion not applied"
    );
}

/// Acceptance 5: a restart re-indexes nothing unchanged and serves at once.
#[test]
fn restart_reindexes_nothing() {
    let ws = Workspace::with_seeds();
    let first = Server::start(&ws);
    let ids: Vec<Value> = first.search(&[("size", "100")])["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].clone())
        .collect();
    drop(first);
    let log_len = std::fs::read_to_string(ws.log()).unwrap().len();
    let second = Server::start(&ws);
    let log = std::fs::read_to_string(ws.log()).unwrap()[log_len..].to_string();
    assert!(
        log.contains("changed=0") && log.contains("removed=0"),
        "restart re-indexed something:\n{log}"
    );
    assert!(
        !log.contains("upserted="),
        "a commit happened on restart:\n{log}"
    );
    let again: Vec<Value> = second.search(&[("size", "100")])["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].clone())
        .collect();
    assert_eq!(ids, again, "ids must be stable across restarts");
    assert_eq!(second.get("/api/health").1["documents"], 5);
    eprintln!("restart: first answer after {:?}", second.ready_after);
}

/// Acceptance 6 (files): broken files are reported by name and reason; the rest is served.
#[test]
fn broken_files_are_reported_and_skipped() {
    let ws = Workspace::with_seeds();
    std::fs::write(ws.docs().join("empty.txt"), "").unwrap();
    std::fs::write(
        ws.docs().join("binary.txt"),
        [0u8, 159, 146, 150, 0, 1, 2, 3],
    )
    .unwrap();
    // Bytes no encoding reads: a GBK lead byte before an invalid trail byte, again and again.
    std::fs::write(ws.docs().join("gbk.txt"), b"\x81\x20".repeat(50)).unwrap();
    // A real GBK file ("江西省政府") is read.
    let gbk: &[u8] = &[0xbd, 0xad, 0xce, 0xf7, 0xca, 0xa1, 0xd5, 0xfe, 0xb8, 0xae];
    std::fs::write(ws.docs().join("real_gbk.txt"), gbk).unwrap();
    std::fs::write(ws.docs().join("scan.pdf"), b"%PDF-1.4").unwrap();
    std::fs::write(
        ws.docs().join("old.doc"),
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    )
    .unwrap();
    let s = Server::start(&ws);
    let (_, health) = s.get("/api/health");
    assert_eq!(health["documents"], 6);
    assert_eq!(
        s.search(&[("q", "江西省政府")])["hits"][0]["source"],
        "real_gbk.txt"
    );
    let failed: BTreeSet<String> = health["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["source"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        failed,
        ["binary.txt", "empty.txt", "gbk.txt", "scan.pdf"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
    // Old binary Word files are skipped with a reason (not failures: nothing to retry).
    assert_eq!(health["skipped"][0]["source"], "old.doc");
    assert!(health["skipped"][0]["reason"]
        .as_str()
        .unwrap()
        .contains(".docx"));
    for f in health["failed"].as_array().unwrap() {
        assert!(!f["reason"].as_str().unwrap().is_empty());
    }
    let log = std::fs::read_to_string(ws.log()).unwrap();
    for name in ["empty.txt", "binary.txt", "gbk.txt", "scan.pdf", "old.doc"] {
        assert_eq!(
            log.lines().filter(|l| l.contains(name)).count(),
            1,
            "{name} should be logged once:\n{log}"
        );
    }
    assert!(top_source(&s, "物管城市").starts_with("004_"));
    // Fixing a file makes it searchable and clears its failure.
    std::fs::write(ws.docs().join("empty.txt"), "现在有内容了：壬癸标记\n").unwrap();
    assert!(wait_until(PATIENCE, || s.search(&[("q", "壬癸标记")])
        ["total"]
        == 1));
    assert!(wait_until(PATIENCE, || s.get("/api/health").1["failed"]
        .as_array()
        .unwrap()
        .len()
        == 3));
}

/// Every string of the files (whitespace aside) is found, in exactly the files that contain it.
#[test]
fn substring_recall_on_seeds() {
    use zhengsou::chars::{marked, occurs, Marked};
    let ws = Workspace::with_seeds();
    let s = Server::start(&ws);
    // (name, the file's stream, the streams of its displayed lines)
    let mut docs: Vec<(String, Vec<Marked>, Vec<Vec<Marked>>)> = Vec::new();
    for entry in std::fs::read_dir(ws.docs()).unwrap() {
        let p = entry.unwrap().path();
        let text = std::fs::read_to_string(&p).unwrap();
        let shown = zhengsou::ingest::text::lines(&text)
            .iter()
            .map(|l| marked(&l.text))
            .collect();
        docs.push((
            p.file_name().unwrap().to_string_lossy().into(),
            marked(&text),
            shown,
        ));
    }
    // As the index matches: not beginning or ending across a quotation mark.
    let has = |c: &[Marked], probe: &str| occurs(c, &marked(probe));
    let mut rng = Rng(0x5eed_1234_abcd);
    let mut checked = 0;
    while checked < 400 {
        let (_, chars, _) = &docs[rng.below(docs.len())];
        let len = 1 + rng.below(8);
        let start = rng.below(chars.len() - len);
        let probe: String = chars[start..start + len].iter().map(|m| m.c).collect();
        if probe.contains('"') || probe.contains('＂') {
            continue;
        }
        let q = if probe.starts_with('-') || probe == "or" || probe.starts_with("title:") {
            format!("\"{probe}\"")
        } else {
            probe.clone()
        };
        // Recall: every file whose text contains the probe. Precision: nothing else, except
        // files whose displayed text (markup removed) shows it.
        let want: BTreeSet<String> = docs
            .iter()
            .filter(|(_, c, _)| has(c, &probe))
            .map(|(n, ..)| n.clone())
            .collect();
        let shown: BTreeSet<String> = docs
            .iter()
            .filter(|(_, _, lines)| lines.iter().any(|l| has(l, &probe)))
            .map(|(n, ..)| n.clone())
            .collect();
        let got: BTreeSet<String> = s
            .sources(&[("q", &q), ("size", "100")])
            .into_iter()
            .collect();
        assert!(
            got.is_superset(&want),
            "probe {probe:?}: missed {:?}",
            want.difference(&got).collect::<Vec<_>>()
        );
        let extra: Vec<&String> = got
            .difference(&want)
            .filter(|n| !shown.contains(*n))
            .collect();
        assert!(
            extra.is_empty(),
            "probe {probe:?}: {extra:?} do not contain it"
        );
        checked += 1;
    }
}

#[test]
fn cli_inspect_index_and_search() {
    let ws = Workspace::with_seeds();
    let out = std::process::Command::new(util::bin())
        .arg("inspect")
        .arg(ws.docs().join("001_0e7416a05388d94d.txt"))
        .arg(ws.docs().join("missing.txt"))
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["number"], "赣府厅字〔2020〕9号");
    assert_eq!(lines[0]["date"], "2020-01-22");
    assert!(lines[0]["source"]
        .as_str()
        .unwrap()
        .ends_with("001_0e7416a05388d94d.txt"));
    assert!(lines[1]["error"].as_str().is_some());

    let status = std::process::Command::new(util::bin())
        .args(["index", "--docs"])
        .arg(ws.docs())
        .arg("--index")
        .arg(ws.index())
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let out = std::process::Command::new(util::bin())
        .args(["search", "物管城市", "--json", "--index"])
        .arg(ws.index())
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["hits"][0]["source"].as_str().unwrap().starts_with("004_"));
    let out = std::process::Command::new(util::bin())
        .args(["search", "物管城市", "--region", "南昌市", "--index"])
        .arg(ws.index())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("红谷滩区") && text.contains("【物管城市】"),
        "{text}"
    );
    // Logs never reach stdout.
    assert!(!text.contains("INFO"));
    // An exclusion inside the (quoted) query argument.
    let out = std::process::Command::new(util::bin())
        .args(["search", "十县百乡 -章贡区", "--json", "--index"])
        .arg(ws.index())
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["total"].as_u64().unwrap() >= 3, "{v}");
    // inspect with --docs gives the server's ids.
    let out = std::process::Command::new(util::bin())
        .arg("inspect")
        .arg(ws.docs().join("004_dbf7095373e82926.txt"))
        .arg("--docs")
        .arg(ws.docs())
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["source"], "004_dbf7095373e82926.txt");
    assert!(v.get("explain").is_none());
    // --explain says which line gave the title and which token the locality.
    let out = std::process::Command::new(util::bin())
        .args(["inspect", "--explain"])
        .arg(ws.docs().join("003_b2204d79fb9515a8.txt"))
        .output()
        .unwrap();
    let e: Value = serde_json::from_slice(&out.stdout).unwrap();
    let why: Vec<&str> = e["explain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert!(
        why.iter()
            .any(|w| w.starts_with("title:") && w.contains("line 1")),
        "{why:?}"
    );
    assert!(
        why.iter()
            .any(|w| w.contains("locality 金龙镇") && w.contains("title token")),
        "{why:?}"
    );
    assert_eq!(
        v["doc_id"],
        zhengsou::ingest::doc_id("004_dbf7095373e82926.txt")
    );
    let _ = Duration::ZERO;
}
