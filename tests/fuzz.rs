//! Property tests (a bounded fuzz run, part of CI): arbitrary bytes through every reader and the
//! parser never panic; Chinese-like text keeps the parser's invariants; arbitrary query strings
//! always give a valid request or a clear error.

use std::path::Path;

use proptest::prelude::*;
use zhengsou::ingest;
use zhengsou::search::{Params, Request};

/// Text made of the pieces real documents are made of: CJK, punctuation, digits, markup,
/// line breaks, brackets, pinyin residue, form feeds.
fn doc_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("江西省".to_string()),
        Just("赣州市“五型”政府建设工作简报".to_string()),
        Just("第 15 期".to_string()),
        Just("【典型推介】".to_string()),
        Just("## 章贡区推进政务公开".to_string()),
        Just("**一是**建立机制，".to_string()),
        Just("2019年3月19日".to_string()),
        Just("赣府厅字〔2020〕9号".to_string()),
        Just("發(fā)文".to_string()),
        Just("市信访局让“网上说事”成“一键维权”".to_string()),
        Just("。".to_string()),
        Just("\n".to_string()),
        Just("\n\n".to_string()),
        Just("（".to_string()),
        Just("“".to_string()),
        Just("<p>".to_string()),
        Just("\u{c}".to_string()),
        "[\\u{4e00}-\\u{9fff}]{1,20}",
        "[ -~]{0,10}",
    ];
    prop::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

proptest! {
    // 300 cases in CI; `PROPTEST_CASES=5000 cargo test --release --test fuzz` for a longer run.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(300),
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_bytes_through_every_reader(bytes in prop::collection::vec(any::<u8>(), 0..3000)) {
        for name in ["x.txt", "x.md", "x.html", "x.docx", "x.pdf", "x.bin"] {
            let _ = ingest::read_bytes(Path::new(name), name, &bytes);
        }
    }

    #[test]
    fn parser_invariants(text in doc_like()) {
        let d = ingest::parse("x.txt", &text);
        prop_assert!(!d.articles.is_empty() || text.trim().is_empty());
        for (i, a) in d.articles.iter().enumerate() {
            prop_assert_eq!(&a.id, &format!("{}-{}", d.doc_id, i));
            // Every article's text is text of the document.
            for line in a.text.lines() {
                prop_assert!(d.text.contains(line), "{:?} not in the document text", line);
            }
        }
        // And everything is searchable: the file's stream is covered by the match values.
        let _ = zhengsou::index::to_tantivy(&zhengsou::index::in_ram().1, &d, "0:0:0");
    }

    #[test]
    fn any_query_is_valid_or_a_clear_error(q in "\\PC{0,80}", size in "\\PC{0,4}", year in "\\PC{0,6}") {
        let p = Params { q: Some(q), size: Some(size), year: Some(year), ..Params::default() };
        match Request::from_params(&p) {
            Ok(_) => {}
            Err(e) => prop_assert!(matches!(e, zhengsou::error::Error::BadRequest(_)), "{e}"),
        }
    }
}
