//! Every fixture (a seed re-encoded as offices save it) reads exactly like its seed: same kind,
//! title, date, 期号, 文号, issuer and the same articles with the same localities.

use std::path::Path;

use zhengsou::ingest;

fn summary(d: &ingest::Document) -> Vec<String> {
    let mut out = vec![
        d.kind.as_str().to_string(),
        d.title.clone(),
        format!("{:?} {:?} {:?} {:?}", d.date, d.issue, d.number, d.issuer),
        d.text.clone(),
    ];
    out.extend(
        d.articles
            .iter()
            .map(|a| format!("{} => {:?} {:?}", a.title, a.locality, a.department)),
    );
    out
}

#[test]
fn encodings_read_like_their_seed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let seeds: Vec<_> = std::fs::read_dir(root.join("seeds"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let mut checked = 0;
    for e in std::fs::read_dir(root.join("tests/fixtures")).unwrap() {
        let path = e.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name == "README.md" {
            continue;
        }
        let seed = seeds
            .iter()
            .find(|s| {
                s.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(&name[..4])
            })
            .unwrap();
        let want = ingest::read_file(seed, "seed").unwrap();
        let got = ingest::read_file(&path, "fixture").unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            summary(&got),
            summary(&want),
            "{name} reads differently from its seed"
        );
        assert_ne!(got.encoding, "", "{name}");
        eprintln!("{name}: read as {}", got.encoding);
        checked += 1;
    }
    assert_eq!(checked, 5);
}
