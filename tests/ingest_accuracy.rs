//! Ingest accuracy on labelled real documents (`shared/data/dev_docs/LABELS.tsv`): per field,
//! the share of documents where ingest agrees with the label. Labels keep traditional script and
//! brackets as printed, so values are compared after the shared fold (`chars::stream`). An empty
//! label means the text does not show the value: ingest must then find nothing either.
//!
//! Prints a per-field table and the disagreements: `cargo test --test ingest_accuracy -- --nocapture`.
//! The asserted floors are the figures measured when the test was written, so they only go up.

use std::path::Path;

use zhengsou::chars::stream;
use zhengsou::ingest::{self, meta::number_key};

fn norm(s: &str) -> String {
    stream(s).into_iter().collect()
}

#[test]
fn dev_docs_accuracy() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/dev_docs");
    let Ok(labels) = std::fs::read_to_string(dir.join("LABELS.tsv")) else {
        eprintln!("../shared/data/dev_docs not found: skipped");
        return;
    };
    let fields = [
        "kind", "title", "issuer", "date", "number", "issue", "articles",
    ];
    let mut right = [0usize; 7];
    let mut n = 0;
    let mut report = String::new();
    for line in labels.lines().skip(1) {
        let c: Vec<&str> = line.split('\t').collect();
        if c.len() < 9 {
            continue;
        }
        let text = std::fs::read_to_string(dir.join(c[0])).unwrap();
        let d = ingest::parse(c[0], &text);
        n += 1;
        let got = [
            d.kind.as_str().to_string(),
            norm(&d.title),
            norm(d.issuer.as_deref().unwrap_or("")),
            d.date.clone().unwrap_or_default(),
            d.number
                .as_deref()
                .map(|x| norm(&number_key(x)))
                .unwrap_or_default(),
            d.issue.map(|i| i.to_string()).unwrap_or_default(),
            if d.kind == ingest::Kind::Bulletin {
                d.articles
                    .iter()
                    .map(|a| {
                        format!(
                            "{}=>{}",
                            norm(&a.title),
                            a.locality.as_deref().unwrap_or("")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(" || ")
            } else {
                String::new()
            },
        ];
        let want = [
            c[2].to_string(),
            norm(c[3]),
            norm(c[4]),
            c[5].to_string(),
            if c[6].is_empty() {
                String::new()
            } else {
                norm(&number_key(c[6]))
            },
            c[7].to_string(),
            c[8].split(" || ")
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (t, l) = p.split_once("=>").unwrap_or((p, ""));
                    format!("{}=>{}", norm(t), l)
                })
                .collect::<Vec<_>>()
                .join(" || "),
        ];
        for k in 0..fields.len() {
            if got[k] == want[k] {
                right[k] += 1;
            } else {
                report.push_str(&format!(
                    "{:<52} {:<8} got {:?}, label {:?}\n",
                    c[0], fields[k], got[k], want[k]
                ));
            }
        }
    }
    let acc: Vec<f64> = right.iter().map(|&r| r as f64 / n as f64).collect();
    let table: Vec<String> = fields
        .iter()
        .zip(&acc)
        .map(|(f, a)| format!("{f} {a:.3}"))
        .collect();
    eprintln!("{report}dev_docs ({n} files): {}", table.join(", "));
    // Floors: the figures measured when this test was written (it only goes up from here).
    // kind title issuer date number issue articles
    let floors = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
    for k in 0..fields.len() {
        assert!(
            acc[k] >= floors[k],
            "{} accuracy {:.3} fell below {:.3}",
            fields[k],
            acc[k],
            floors[k]
        );
    }
}

/// Locality on the seeds and dev docs (`tests/judged/localities.tsv`, labelled by reading each
/// text): the document's place (`region`, the issuer's) and every article's locality in order.
/// Prints the disagreements: `cargo test --test ingest_accuracy localities -- --nocapture`.
#[test]
fn localities_accuracy() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let labels = std::fs::read_to_string(root.join("tests/judged/localities.tsv")).unwrap();
    let (mut n, mut region_right, mut locality_right) = (0usize, 0usize, 0usize);
    let mut report = String::new();
    for line in labels.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let c: Vec<&str> = line.split('\t').collect();
        let dir = match c[0] {
            "seeds" => root.join("seeds"),
            _ => root.join("../shared/data/dev_docs"),
        };
        let Ok(text) = std::fs::read_to_string(dir.join(c[1])) else {
            eprintln!("{} not found: skipped", c[1]);
            continue;
        };
        let d = ingest::parse(c[1], &text);
        n += 1;
        let region = d.locality.clone().unwrap_or_default();
        let localities = d
            .articles
            .iter()
            .map(|a| a.locality.clone().unwrap_or_default())
            .collect::<Vec<_>>()
            .join(" || ");
        for (field, got, want, right) in [
            ("region", &region, c[2], &mut region_right),
            ("locality", &localities, c[3], &mut locality_right),
        ] {
            if got == want {
                *right += 1;
            } else {
                report.push_str(&format!(
                    "{:<52} {field:<8} got {got:?}, label {want:?}\n",
                    c[1]
                ));
            }
        }
    }
    if n == 0 {
        return;
    }
    let region = region_right as f64 / n as f64;
    let locality = locality_right as f64 / n as f64;
    eprintln!("{report}localities ({n} files): region {region:.3}, locality {locality:.3}");
    // Floors: the figures measured when the rules were last changed.
    assert!(
        region >= 1.0,
        "region accuracy {region:.3} fell below 1.000"
    );
    assert!(
        locality >= 1.0,
        "locality accuracy {locality:.3} fell below 1.000"
    );
}
