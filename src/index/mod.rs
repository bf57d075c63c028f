//! Index: the tantivy schema (one tantivy document per article), opening the index, and
//! turning an ingested [`Document`] into tantivy documents.
//!
//! Each article carries its document's fields for filtering and faceting, and the file's
//! fingerprint, so the index alone says which version of which file it holds (see [`writer`]).

pub mod vocab;
pub mod writer;

use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};
use tantivy::directory::MmapDirectory;
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, FAST,
    INDEXED, STORED, STRING,
};
use tantivy::{Index, TantivyDocument};

use crate::analysis;
use crate::ingest::{meta, Document, Kind};
use crate::lexicon;

/// Bumped whenever the schema or analysis changes: an index of another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 10;

/// The five 五型 categories, in their canonical order (category code = position + 1).
pub const CATEGORIES: [&str; 5] = ["忠诚型", "创新型", "担当型", "服务型", "过硬型"];

/// Handles to every field of the schema.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    pub id: Field,
    pub doc_id: Field,
    pub source: Field,
    pub pos: Field,
    pub fingerprint: Field,
    /// Bigram channel: the article's match values (title and text, see `ingest`).
    pub bi: Field,
    pub title_bi: Field,
    pub header_bi: Field,
    pub issuer_bi: Field,
    /// The boundaries before \[0\] and after \[1\] the article (`analysis::EdgeTokenizer`).
    pub edge: [Field; 2],
    /// Word channel, for ranking.
    pub title_w: Field,
    pub text_w: Field,
    /// The article's lead sentence (words), so an article that opens with the practice ranks up.
    pub lead_w: Field,
    pub number: Field,
    pub department: Field,
    /// The corpus vocabulary for suggestions (`vocab`): `text\u{1}kind`.
    pub phrase: Field,
    /// Pinyin keys of that vocabulary: `pinyin\u{1}text\u{1}kind`.
    pub phrase_py: Field,
    pub kind: Field,
    pub date: Field,
    pub category: Field,
    pub region: Field,
    pub region_node: Field,
    /// Stored: the hit's fields (`HitMeta` JSON), the article's text, and on article 0 the
    /// document's JSON; read with [`Stored`].
    pub hit: Field,
    pub text: Field,
    pub doc: Field,
}

impl Fields {
    fn build() -> (Schema, Fields) {
        let mut b = Schema::builder();
        let channel = |tokenizer: &str, record: IndexRecordOption| {
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(tokenizer)
                    .set_index_option(record),
            )
        };
        let bigram = channel(analysis::BIGRAM, IndexRecordOption::WithFreqsAndPositions);
        // Words only rank (BM25 term queries); phrases and proximity use the bigram positions.
        let words = channel(analysis::WORDS, IndexRecordOption::WithFreqs);
        let edge = channel(analysis::EDGE, IndexRecordOption::WithFreqsAndPositions);
        let key = STRING | FAST;
        let fields = Fields {
            id: b.add_text_field("id", STRING),
            doc_id: b.add_text_field("doc_id", STRING),
            source: b.add_text_field("source", key.clone()),
            pos: b.add_u64_field("pos", INDEXED | FAST),
            fingerprint: b.add_text_field("fingerprint", key),
            bi: b.add_text_field("bi", bigram.clone()),
            title_bi: b.add_text_field("title_bi", bigram.clone()),
            header_bi: b.add_text_field("header_bi", bigram.clone()),
            issuer_bi: b.add_text_field("issuer_bi", bigram),
            edge: [
                b.add_text_field("edge_before", edge.clone()),
                b.add_text_field("edge_after", edge),
            ],
            title_w: b.add_text_field("title_w", words.clone()),
            text_w: b.add_text_field("text_w", words.clone()),
            lead_w: b.add_text_field("lead_w", words),
            number: b.add_text_field("number", STRING),
            department: b.add_text_field("department", STRING),
            phrase: b.add_text_field("phrase", STRING),
            phrase_py: b.add_text_field("phrase_py", STRING),
            kind: b.add_u64_field("kind", NumericOptions::default().set_indexed().set_fast()),
            date: b.add_u64_field("date", INDEXED | FAST),
            category: b.add_u64_field("category", INDEXED | FAST),
            region: b.add_u64_field("region", INDEXED),
            region_node: b.add_u64_field("region_node", FAST),
            hit: b.add_text_field("hit", STORED),
            text: b.add_text_field("text", STORED),
            doc: b.add_text_field("doc", STORED),
        };
        (b.build(), fields)
    }

    /// Field handles for an opened index's schema.
    pub fn of(schema: &Schema) -> anyhow::Result<Fields> {
        let (_, f) = Fields::build();
        for name in ["id", "bi", "hit", "text", "doc", "region_node"] {
            schema
                .get_field(name)
                .with_context(|| format!("index lacks field {name}"))?;
        }
        Ok(f)
    }
}

/// The schema of this version.
pub fn schema() -> (Schema, Fields) {
    Fields::build()
}

/// LZ4 for the doc store (tantivy's default): zstd stores Chinese prose in two thirds of the
/// space, but every hit decompresses its whole block with a fresh zstd context, which was 20 %
/// of a bare query's time on long documents; the index stays under twice the input with LZ4.
fn settings() -> tantivy::IndexSettings {
    tantivy::IndexSettings::default()
}

/// An article's stored fields, read from the doc store only as far as asked. tantivy keeps a
/// document's stored values in the order they were added (`to_tantivy`: the hit's fields, then
/// the text, then the document on article 0) and decodes every string it reads (UTF-8
/// validation, a copy): reading a long law's text for a hit without a snippet was 60 % of a bare
/// query. So a hit stops after its fields, and only snippets and whole documents read on.
pub struct Stored<const PARTS: usize> {
    pub meta: HitMeta,
    /// The article's text (`PARTS` ≥ 2).
    pub text: String,
    /// The document's JSON, on its first article (`PARTS` = 3).
    pub doc: Option<String>,
}

/// The hit's fields only.
pub type StoredMeta = Stored<1>;
/// The hit's fields and the article's text.
pub type StoredHit = Stored<2>;
/// Everything stored: fields, text and (on article 0) the document.
pub type StoredAll = Stored<3>;

impl<const PARTS: usize> tantivy::schema::document::DocumentDeserialize for Stored<PARTS> {
    fn deserialize<'de, D>(mut de: D) -> Result<Self, tantivy::schema::document::DeserializeError>
    where
        D: tantivy::schema::document::DocumentDeserializer<'de>,
    {
        use tantivy::schema::document::DeserializeError;
        let f = fields();
        let mut next = |want: Field| -> Result<Option<String>, DeserializeError> {
            match de.next_field::<String>()? {
                Some((field, v)) if field == want => Ok(Some(v)),
                Some((field, _)) => Err(DeserializeError::Custom(format!(
                    "stored field {} where {} was expected",
                    field.field_id(),
                    want.field_id()
                ))),
                None => Ok(None),
            }
        };
        let json = next(f.hit)?
            .ok_or_else(|| DeserializeError::Custom("an article without its hit".into()))?;
        let meta =
            serde_json::from_str(&json).map_err(|e| DeserializeError::Custom(e.to_string()))?;
        let text = if PARTS >= 2 {
            next(f.text)?.unwrap_or_default()
        } else {
            String::new()
        };
        let doc = if PARTS >= 3 { next(f.doc)? } else { None };
        Ok(Stored { meta, text, doc })
    }
}

/// The field handles of this schema version (the same for every index it opens).
fn fields() -> &'static Fields {
    static F: std::sync::OnceLock<Fields> = std::sync::OnceLock::new();
    F.get_or_init(|| Fields::build().1)
}

/// The fields of a hit: the article's own and its document's.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct HitMeta {
    pub id: String,
    pub doc_id: String,
    pub source: String,
    pub title: String,
    pub doc_title: String,
    pub kind: Kind,
    pub date: Option<String>,
    pub issue: Option<u32>,
    pub number: Option<String>,
    pub issuer: Option<String>,
    pub locality: Option<String>,
    pub region: Option<String>,
    pub region_code: Option<String>,
    pub department: Option<String>,
    pub categories: Vec<String>,
}

/// The lead of an article: its first sentence, at most 80 characters.
pub fn lead(text: &str) -> &str {
    let end = text
        .char_indices()
        .take(80)
        .find(|(_, c)| matches!(c, '。' | '！' | '？' | '\n'))
        .map_or_else(
            || text.char_indices().nth(80).map_or(text.len(), |(i, _)| i),
            |(i, c)| i + c.len_utf8(),
        );
    &text[..end]
}

/// `2019-03-19` → 20190319; 0 when unknown.
pub fn date_number(date: Option<&str>) -> u64 {
    date.map(|d| d.replace('-', ""))
        .and_then(|d| d.parse().ok())
        .unwrap_or(0)
}

/// Opens the index in `dir` for reading only: an error if it is missing or of another version.
pub fn open_existing(dir: &Path) -> anyhow::Result<(Index, Fields)> {
    let version = std::fs::read_to_string(dir.join("zhengsou-version")).ok();
    if !dir.join("meta.json").exists() {
        anyhow::bail!(
            "no index at {}: run `zhengsou index` (or `zhengsou serve`) first",
            dir.display()
        );
    }
    if version.as_deref().map(str::trim) != Some(&SCHEMA_VERSION.to_string()) {
        anyhow::bail!(
            "the index at {} was built by another version of zhengsou: run `zhengsou index` to rebuild it",
            dir.display()
        );
    }
    let index = Index::open_in_dir(dir).context("cannot open the index")?;
    analysis::register(index.tokenizers());
    let fields = Fields::of(&index.schema())?;
    Ok((index, fields))
}

/// Opens the index in `dir` for writing, creating it (or rebuilding it when its version differs).
pub fn open(dir: &Path) -> anyhow::Result<(Index, Fields)> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create index folder {}", dir.display()))?;
    let version_file = dir.join("zhengsou-version");
    let version = std::fs::read_to_string(&version_file).ok();
    let has_index = dir.join("meta.json").exists();
    if has_index && version.is_none() {
        anyhow::bail!(
            "{} holds an index that zhengsou did not make (no zhengsou-version file); refusing to overwrite it",
            dir.display()
        );
    }
    if has_index && version.as_deref().map(str::trim) != Some(&SCHEMA_VERSION.to_string()) {
        tracing::warn!(dir = %dir.display(), "index was built by another version; rebuilding it");
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            // The repository keeps `index/.gitkeep`; everything else here is the old index.
            if path.is_file() && path.file_name().is_none_or(|n| n != ".gitkeep") {
                std::fs::remove_file(&path)?;
            }
        }
    }
    let (schema, _) = schema();
    let directory = MmapDirectory::open(dir)
        .with_context(|| format!("cannot open index folder {}", dir.display()))?;
    let index = Index::builder()
        .schema(schema)
        .settings(settings())
        .open_or_create(directory)
        .context("cannot open the index")?;
    std::fs::write(&version_file, SCHEMA_VERSION.to_string())?;
    analysis::register(index.tokenizers());
    let fields = Fields::of(&index.schema())?;
    Ok((index, fields))
}

/// An index in memory (tests, benches).
pub fn in_ram() -> (Index, Fields) {
    let (schema, fields) = schema();
    let index = Index::builder()
        .schema(schema)
        .settings(settings())
        .create_in_ram()
        .expect("an index in memory");
    analysis::register(index.tokenizers());
    (index, fields)
}

/// The tantivy documents for one ingested document: one per article.
pub fn to_tantivy(f: &Fields, doc: &Document, fingerprint: &str) -> Vec<TantivyDocument> {
    let g = lexicon::gazetteer();
    let date = date_number(doc.date.as_deref());
    let doc_json = stored_document(doc);
    doc.articles
        .iter()
        .enumerate()
        .map(|(pos, a)| {
            let mut t = TantivyDocument::default();
            t.add_text(f.id, &a.id);
            t.add_text(f.doc_id, &doc.doc_id);
            t.add_text(f.source, &doc.source);
            t.add_u64(f.pos, pos as u64);
            t.add_text(f.fingerprint, fingerprint);
            for v in &a.match_values {
                t.add_text(f.bi, v);
            }
            t.add_text(f.title_bi, &a.title);
            for (k, edge) in a.edges.iter().enumerate() {
                if let Some(e) = edge {
                    t.add_text(
                        f.edge[k],
                        format!("{}{}{}", e.left, analysis::EDGE_MARK, e.right),
                    );
                }
            }
            for v in &doc.header_values {
                t.add_text(f.header_bi, v);
            }
            if let Some(issuer) = &doc.issuer {
                t.add_text(f.issuer_bi, issuer);
                // 市“五型”…办公室 in 赣州市's bulletin is also 赣州市“五型”…办公室.
                if let (Some(rest), Some(place)) =
                    (issuer.strip_prefix(['市', '县', '区', '省']), &doc.locality)
                {
                    t.add_text(f.issuer_bi, format!("{place}{rest}"));
                }
            }
            t.add_text(f.title_w, &a.title);
            t.add_text(f.text_w, &a.text);
            t.add_text(f.lead_w, lead(&a.text));
            if let Some(n) = &doc.number {
                t.add_text(f.number, meta::number_key(n));
            }
            if let Some(d) = &a.department {
                t.add_text(f.department, d);
            }
            for (text, kind) in vocab::entries(doc, a, pos) {
                t.add_text(f.phrase, vocab::phrase_term(&text, kind));
                for py in vocab::pinyin_terms(&text, kind) {
                    t.add_text(f.phrase_py, py);
                }
            }
            t.add_u64(f.kind, doc.kind.code());
            t.add_u64(f.date, date);
            for c in &a.categories {
                if let Some(i) = CATEGORIES.iter().position(|x| x == c) {
                    t.add_u64(f.category, i as u64 + 1);
                }
            }
            let node = a.region_id.or(doc.region_id);
            if let Some(node) = node {
                for anc in g.ancestors(node) {
                    t.add_u64(f.region, anc);
                }
            }
            t.add_u64(f.region_node, node.unwrap_or(0));
            let meta = HitMeta {
                id: a.id.clone(),
                doc_id: doc.doc_id.clone(),
                source: doc.source.clone(),
                title: a.title.clone(),
                doc_title: doc.title.clone(),
                kind: doc.kind,
                date: doc.date.clone(),
                issue: doc.issue,
                number: doc.number.clone(),
                issuer: doc.issuer.clone(),
                locality: a.locality.clone(),
                region: a.region.clone(),
                region_code: a.region_code.clone(),
                department: a.department.clone(),
                categories: a.categories.clone(),
            };
            // The order of stored values is the order `Stored` reads them in.
            t.add_text(f.hit, serde_json::to_string(&meta).unwrap_or_default());
            t.add_text(f.text, &a.text);
            if pos == 0 {
                t.add_text(f.doc, &doc_json);
            }
            t
        })
        .collect()
}

/// The document as stored with its first article: each article's text is stored once, in
/// its hit, so the document keeps only the text between its articles (`text_gaps`: before the
/// first, between each two, after the last), from which [`document_text`] puts it back.
fn stored_document(doc: &Document) -> String {
    let mut v = serde_json::to_value(doc).unwrap_or_default();
    let Some(o) = v.as_object_mut() else {
        return String::new();
    };
    let mut gaps = Vec::with_capacity(doc.articles.len() + 1);
    let mut cursor = 0;
    for a in &doc.articles {
        match doc.text[cursor..].find(&a.text) {
            Some(at) => {
                gaps.push(&doc.text[cursor..cursor + at]);
                cursor += at + a.text.len();
            }
            // Not a slice of the text in order: keep everything as it is.
            None => return v.to_string(),
        }
    }
    gaps.push(&doc.text[cursor..]);
    o.remove("text");
    o.insert("text_gaps".into(), gaps.into());
    if let Some(arts) = o.get_mut("articles").and_then(|a| a.as_array_mut()) {
        for a in arts {
            if let Some(a) = a.as_object_mut() {
                a.remove("text");
            }
        }
    }
    v.to_string()
}

/// Puts a stored document back together, given its articles' texts (by article id).
pub fn document_text(
    stored: &str,
    mut texts: std::collections::HashMap<String, String>,
) -> anyhow::Result<Document> {
    let mut v: serde_json::Value = serde_json::from_str(stored)?;
    let mut whole = String::new();
    let gaps = v.get_mut("text_gaps").map(serde_json::Value::take);
    let gaps: Vec<String> = gaps
        .map(serde_json::from_value)
        .transpose()?
        .unwrap_or_default();
    if let Some(arts) = v.get_mut("articles").and_then(|a| a.as_array_mut()) {
        for (i, a) in arts.iter_mut().enumerate() {
            if a.get("text").is_none() {
                let id = a["id"].as_str().unwrap_or_default().to_string();
                a["text"] = texts.remove(&id).unwrap_or_default().into();
            }
            if let Some(g) = gaps.get(i) {
                whole.push_str(g);
                whole.push_str(a["text"].as_str().unwrap_or_default());
            }
        }
    }
    if let (Some(last), Some(o)) = (gaps.last(), v.as_object_mut()) {
        whole.push_str(last);
        o.remove("text_gaps");
        o.insert("text".into(), whole.into());
    }
    Ok(serde_json::from_value(v)?)
}

/// Index statistics: documents, articles, segments, bytes on disk, stored text, per field.
pub fn stats(
    searcher: &tantivy::Searcher,
    fields: &Fields,
    dir: &Path,
) -> anyhow::Result<serde_json::Value> {
    let (documents, articles) = writer::counts(searcher, fields);
    let usage = searcher.space_usage()?;
    let mut per_field: std::collections::BTreeMap<String, u64> = Default::default();
    let mut store = 0;
    for seg in usage.segments() {
        for part in [
            seg.termdict(),
            seg.postings(),
            seg.positions(),
            seg.fast_fields(),
            seg.fieldnorms(),
        ] {
            for f in part.fields() {
                *per_field.entry(f.field_name().to_string()).or_default() += f.total().get_bytes();
            }
        }
        store += seg.store().total().get_bytes();
    }
    let on_disk = dir_bytes(dir);
    let bigram: u64 = per_field
        .iter()
        .filter(|(k, _)| k.ends_with("bi") || k.starts_with("edge"))
        .map(|(_, v)| v)
        .sum();
    Ok(serde_json::json!({
        "documents": documents,
        "articles": articles,
        "segments": usage.segments().len(),
        "bytes_on_disk": on_disk,
        "bytes_stored_text": store,
        "bytes_bigram_channel": bigram,
        "bytes_per_field": per_field,
    }))
}

/// Bytes of the files directly in `dir` (tantivy keeps its segments flat); 0 if unreadable.
pub fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok()?.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(doc: &Document) {
        let texts = doc
            .articles
            .iter()
            .map(|a| (a.id.clone(), a.text.clone()))
            .collect();
        let back = document_text(&stored_document(doc), texts).unwrap();
        assert_eq!(
            serde_json::to_value(&back).unwrap(),
            serde_json::to_value(doc).unwrap(),
            "{}",
            doc.source
        );
    }

    #[test]
    fn documents_come_back_whole_from_their_stored_parts() {
        let mut n = 0;
        for dir in ["seeds", "../shared/data/dev_docs"] {
            let Ok(rd) = std::fs::read_dir(dir) else {
                continue;
            };
            for e in rd.flatten() {
                let path = e.path();
                if let Ok(doc) = crate::ingest::read_file(&path, &path.display().to_string()) {
                    roundtrip(&doc);
                    n += 1;
                }
            }
        }
        assert!(n >= 5, "{n} documents");
        // Articles that are not slices of the text in order are stored as they are.
        let mut doc = crate::ingest::parse("x.txt", "标题\n\n第一段正文。\n\n第二段正文。\n");
        doc.articles.reverse();
        roundtrip(&doc);
        if let Some(a) = doc.articles.first_mut() {
            a.text = "改过的文字".into();
        }
        roundtrip(&doc);
        assert!(stored_document(&doc).contains("改过的文字"));
    }

    #[test]
    fn stored_articles_read_as_far_as_asked() {
        let (schema, f) = schema();
        let index = Index::create_in_ram(schema);
        analysis::register(index.tokenizers());
        let mut w = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let path = std::path::Path::new("seeds/000_a8a4f06e7a83432a.txt");
        let doc = crate::ingest::read_file(path, "000.txt").unwrap();
        assert!(doc.articles.len() > 1);
        for t in to_tantivy(&f, &doc, "fp") {
            w.add_document(t).unwrap();
        }
        w.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        for (pos, a) in doc.articles.iter().enumerate() {
            let addr = tantivy::DocAddress::new(0, pos as u32);
            let m: StoredMeta = searcher.doc(addr).unwrap();
            assert_eq!((m.meta.id.as_str(), m.text.as_str()), (a.id.as_str(), ""));
            assert_eq!(m.meta.title, a.title);
            let h: StoredHit = searcher.doc(addr).unwrap();
            assert_eq!((h.text.as_str(), h.doc.is_none()), (a.text.as_str(), true));
            let all: StoredAll = searcher.doc(addr).unwrap();
            assert_eq!(all.doc.is_some(), pos == 0, "article {pos}");
        }
    }
}
