//! The writer task: the only owner of tantivy's `IndexWriter`.
//!
//! The watcher, startup reconciliation and the CLI only *send* it work ([`Op`]); it applies the
//! work in batches and commits at most every [`COMMIT_INTERVAL`] under load, at once when its
//! queue drains. Every add is an upsert (delete by source path, then add), and each article
//! carries its file's fingerprint (size, mtime, content hash), so the index itself records
//! which version of which file it holds: reconciliation after any restart compares that record
//! with the folder and touches only what changed.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use std::ops::Bound;
use tantivy::collector::Count;

use tantivy::query::{InvertedIndexRangeQuery, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{Index, IndexReader, IndexWriter, Searcher, Term};

use super::{to_tantivy, Fields};
use crate::ingest;

/// Longest time a batch of work waits before it is committed.
pub const COMMIT_INTERVAL: Duration = Duration::from_millis(500);
/// A file modified more recently than this, or changing while it is read, is still being
/// written: it is read again this much later.
pub const SETTLE: Duration = Duration::from_millis(250);
/// After this many deferrals a file is indexed as it is (and again when it next changes).
const MAX_DEFERRALS: u32 = 40;

/// Memory budget of the tantivy writer (split across its indexing threads).
const WRITER_MEMORY: usize = 200_000_000;

/// Work for the writer.
#[derive(Debug)]
pub enum Op {
    /// A file was created or changed (or maybe removed: the writer checks).
    Upsert(PathBuf),
    /// A file or folder is gone.
    Remove(PathBuf),
    /// Compare the whole folder with the index and fix every difference.
    Reconcile,
    /// Re-read every file, changed or not (after an upgrade of the reading rules, say).
    Reindex,
    /// Answer once everything sent before has been committed.
    Flush(mpsc::Sender<()>),
    /// Commit, merge every segment into one, and answer (after a bulk build: one segment
    /// answers faster than many, which each look every term up again).
    Merge(mpsc::Sender<()>),
}

/// What the writer reports, shared with the API.
#[derive(Debug, Default)]
pub struct Status {
    /// Files waiting to be (re)indexed or removed.
    pub pending: AtomicUsize,
    /// Files processed since start (for progress bars).
    pub processed: AtomicUsize,
    /// Bytes of files read since start.
    pub bytes: AtomicU64,
    /// Files that could not be read: source → reason.
    pub failed: Mutex<BTreeMap<String, String>>,
    /// Files of a type this version does not read: source → reason.
    pub skipped: Mutex<BTreeMap<String, String>>,
    /// Time of the last commit, ISO 8601 UTC.
    pub last_commit: Mutex<Option<String>>,
    /// True once the startup reconciliation has been committed.
    pub ready: AtomicBool,
    /// Seconds per commit (including the reader reload), for `/metrics`.
    pub commit_seconds: CommitTimes,
    /// Commits that failed and were rolled back.
    pub commit_failures: AtomicU64,
}

/// A histogram of commit durations: 1 ms to about 65 s.
#[derive(Debug, Clone)]
pub struct CommitTimes(pub prometheus_client::metrics::histogram::Histogram);

impl Default for CommitTimes {
    fn default() -> Self {
        use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
        CommitTimes(Histogram::new(exponential_buckets(0.001, 2.0, 17)))
    }
}

/// A cheap handle to send work to the writer.
#[derive(Clone)]
pub struct Writer {
    tx: Sender<Op>,
    pub status: Arc<Status>,
}

impl Writer {
    /// Starts the writer thread on `index`, for files under `root` (an absolute path).
    pub fn spawn(
        index: Index,
        fields: Fields,
        reader: IndexReader,
        root: PathBuf,
    ) -> anyhow::Result<Writer> {
        Writer::spawn_with(index, fields, reader, root, COMMIT_INTERVAL)
    }

    /// [`Writer::spawn`] with another commit interval. A longer one is a bulk build: it commits
    /// rarely, so that its segments are large and few, and merges nothing in the background,
    /// leaving it all to [`Op::Merge`] (a background merge of the same segments would race it).
    pub fn spawn_with(
        index: Index,
        fields: Fields,
        reader: IndexReader,
        root: PathBuf,
        commit_interval: Duration,
    ) -> anyhow::Result<Writer> {
        let writer: IndexWriter = index.writer(WRITER_MEMORY)?;
        if commit_interval > COMMIT_INTERVAL {
            writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        }
        let (tx, rx) = mpsc::channel();
        let status = Arc::new(Status::default());
        let task = Task {
            writer,
            fields,
            reader,
            root,
            status: status.clone(),
            unsupported_logged: HashSet::new(),
            batch: Batch::default(),
            reconcile_after_rollback: false,
            deferred: Vec::new(),
            commit_interval,
        };
        std::thread::Builder::new()
            .name("zhengsou-writer".into())
            .spawn(move || task.run(rx))?;
        Ok(Writer { tx, status })
    }

    /// Sends one piece of work.
    pub fn send(&self, op: Op) {
        if matches!(op, Op::Upsert(_) | Op::Remove(_)) {
            self.status.pending.fetch_add(1, Ordering::SeqCst);
        }
        if self.tx.send(op).is_err() {
            tracing::error!("the index writer has stopped; change not applied");
        }
    }

    /// Blocks until everything sent before is committed (or the writer is gone).
    pub fn flush(&self) {
        let (tx, rx) = mpsc::channel();
        self.send(Op::Flush(tx));
        let _ = rx.recv();
    }
}

#[derive(Default)]
struct Batch {
    started: Option<Instant>,
    upserted: usize,
    removed: usize,
    failed: usize,
    /// Queued files handled in this batch (pending until the commit).
    done: usize,
    waiters: Vec<mpsc::Sender<()>>,
}

struct Task {
    commit_interval: Duration,
    writer: IndexWriter,
    fields: Fields,
    reader: IndexReader,
    root: PathBuf,
    status: Arc<Status>,
    unsupported_logged: HashSet<PathBuf>,
    batch: Batch,
    /// A commit failed and was rolled back: the folder must be compared again.
    reconcile_after_rollback: bool,
    /// Files still being written, waiting to settle.
    deferred: Vec<Deferred>,
}

#[derive(Clone, Debug)]
struct Deferred {
    path: PathBuf,
    due: Instant,
    tries: u32,
}

/// Hidden files, editors' swap files and Office lock files are never documents.
pub fn is_ignored(path: &Path) -> bool {
    path.components().any(|c| {
        let s = c.as_os_str().to_string_lossy();
        s.starts_with('.') && s != "." && s != ".."
    }) || path
        .file_name()
        .map(|n| n.to_string_lossy())
        .is_some_and(|n| {
            n.starts_with("~$")
                || n.ends_with('~')
                || [".swp", ".swx", ".tmp", ".part", ".crdownload", ".partial"]
                    .iter()
                    .any(|e| n.ends_with(e))
        })
}

/// The fingerprint of a file: size, mtime (ns) and a content hash.
fn fingerprint(meta: &std::fs::Metadata, bytes: &[u8]) -> String {
    format!("{}:{}", stat_key(meta), &blake3::hash(bytes).to_hex()[..16])
}

/// `size:mtime` — the part of the fingerprint that can be compared without reading the file.
fn stat_key(meta: &std::fs::Metadata) -> String {
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    format!("{}:{}", meta.len(), mtime)
}

/// Current time as ISO 8601 UTC (`2026-11-24T08:30:00Z`).
pub fn now_iso() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Source path of a file: relative to the docs folder, with `/` separators.
pub fn source_of(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// Counts of what the index holds: (documents, articles).
pub fn counts(searcher: &Searcher, fields: &Fields) -> (usize, usize) {
    let first = TermQuery::new(
        Term::from_field_u64(fields.pos, 0),
        IndexRecordOption::Basic,
    );
    let docs = searcher.search(&first, &Count).unwrap_or(0);
    (docs, searcher.num_docs() as usize)
}

/// Every indexed source (under the folder `under`, if given: `a/b` for `a/b/…`) with its
/// fingerprint, read from fast fields (no stored text touched).
pub fn indexed_sources(
    searcher: &Searcher,
    under: Option<&str>,
) -> anyhow::Result<HashMap<String, String>> {
    let mut out = HashMap::new();
    for segment in searcher.segment_readers() {
        let ff = segment.fast_fields();
        let (Some(source), Some(fp)) = (ff.str("source")?, ff.str("fingerprint")?) else {
            continue;
        };
        // Dictionaries are read in order, once: looking a term up by ord decodes a dictionary
        // block every time (10 s for 305k files, which a new folder waited for). Under a folder,
        // its sources are one ord range, and only their fingerprints are looked up.
        let dict = source.dictionary();
        let mut terms = match under {
            Some(folder) => dict
                .range()
                .ge(format!("{folder}/").as_bytes())
                .lt(format!("{folder}0").as_bytes())
                .into_stream()?,
            None => dict.stream()?,
        };
        let mut sources: HashMap<u64, String> = HashMap::new();
        while terms.advance() {
            sources.insert(
                terms.term_ord(),
                String::from_utf8_lossy(terms.key()).into_owned(),
            );
        }
        if sources.is_empty() {
            continue;
        }
        let fps = match under {
            Some(_) => None,
            None => Some(column_terms(&fp)?),
        };
        let pos = ff.u64("pos")?;
        let alive = segment.alive_bitset();
        let mut f = String::new();
        for doc in 0..segment.max_doc() {
            if alive.is_some_and(|a| !a.is_alive(doc)) || pos.first(doc) != Some(0) {
                continue;
            }
            let (Some(so), Some(fo)) = (source.term_ords(doc).next(), fp.term_ords(doc).next())
            else {
                continue;
            };
            let Some(s) = sources.get(&so) else {
                continue;
            };
            let fingerprint = match &fps {
                Some(all) => all.get(fo as usize).cloned().unwrap_or_default(),
                None => {
                    f.clear();
                    fp.ord_to_str(fo, &mut f)?;
                    f.clone()
                }
            };
            out.insert(s.clone(), fingerprint);
        }
    }
    Ok(out)
}

/// A string column's terms, by ord.
fn column_terms(column: &tantivy::columnar::StrColumn) -> std::io::Result<Vec<String>> {
    let mut out = Vec::with_capacity(column.num_terms());
    let mut terms = column.dictionary().stream()?;
    while terms.advance() {
        out.push(String::from_utf8_lossy(terms.key()).into_owned());
    }
    Ok(out)
}

impl Task {
    fn run(mut self, rx: Receiver<Op>) {
        loop {
            let next = self.deferred.iter().map(|d| d.due).min();
            let op = match next {
                None => match rx.recv() {
                    Ok(op) => Some(op),
                    Err(_) => break,
                },
                Some(due) => match rx.recv_timeout(due.saturating_duration_since(Instant::now())) {
                    Ok(op) => Some(op),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => break,
                },
            };
            if let Some(op) = op {
                self.apply(op);
            }
            self.retry_due();
            // Drain what is already queued, but never hold a commit back for longer than the interval.
            while self
                .batch
                .started
                .is_none_or(|t| t.elapsed() < self.commit_interval)
            {
                match rx.try_recv() {
                    Ok(op) => self.apply(op),
                    Err(TryRecvError::Empty) | Err(TryRecvError::Disconnected) => break,
                }
            }
            self.commit();
            if std::mem::take(&mut self.reconcile_after_rollback) {
                self.reconcile_logged(false);
            }
        }
        self.commit();
    }

    fn apply(&mut self, op: Op) {
        match op {
            Op::Upsert(path) => {
                if self.deferred.iter().any(|d| d.path == path) {
                    // Already waiting to settle (and counted once).
                    self.done_one();
                } else if self.upsert(&path) {
                    self.done_one();
                }
            }
            Op::Remove(path) => {
                self.remove(&path);
                self.done_one();
            }
            Op::Reconcile => self.reconcile_logged(false),
            Op::Reindex => self.reconcile_logged(true),
            Op::Flush(tx) => self.batch.waiters.push(tx),
            Op::Merge(tx) => {
                self.commit();
                self.merge_all();
                let _ = tx.send(());
            }
        }
    }

    fn merge_all(&mut self) {
        let ids = match self.writer.index().searchable_segment_ids() {
            Ok(ids) if ids.len() > 1 => ids,
            Ok(_) => return,
            Err(e) => {
                tracing::warn!("cannot list segments to merge: {e}");
                return;
            }
        };
        let t0 = Instant::now();
        let n = ids.len();
        match self.writer.merge(&ids).wait() {
            Ok(_) => {
                if let Err(e) = self.reader.reload() {
                    tracing::error!("cannot reload the index reader: {e}");
                }
                tracing::info!(segments = n, ms = t0.elapsed().as_millis() as u64, "merged");
            }
            Err(e) => tracing::warn!("merging {n} segments failed (the index is still whole): {e}"),
        }
    }

    /// One queued file handled. It stops counting as pending at the next commit, when it is
    /// searchable: `pending == 0` must mean the index shows everything sent so far.
    fn done_one(&mut self) {
        self.status.processed.fetch_add(1, Ordering::SeqCst);
        self.batch.done += 1;
    }

    fn touch(&mut self) {
        self.batch.started.get_or_insert_with(Instant::now);
    }

    fn delete_source(&mut self, source: &str) {
        self.writer
            .delete_term(Term::from_field_text(self.fields.source, source));
        self.touch();
    }

    /// Indexes one file, or returns `false` when it is still being written (then it is retried
    /// later, and stays counted as pending).
    fn upsert(&mut self, path: &Path) -> bool {
        let Some(source) = source_of(&self.root, path) else {
            return true;
        };
        if is_ignored(Path::new(&source)) {
            return true;
        }
        let meta = match std::fs::metadata(path) {
            Ok(m) if m.is_file() => m,
            Ok(m) if m.is_dir() => {
                // A folder created or moved in: only its files are compared (the whole folder
                // was 20 s at 305k files under load, holding every other change back).
                if let Err(e) = self.reconcile_in(path, false) {
                    tracing::error!(folder = %source, "cannot read a new folder: {e:#}");
                }
                return true;
            }
            _ => {
                self.remove(path);
                return true;
            }
        };
        if !ingest::is_supported(path) {
            self.skip(path, &source);
            return true;
        }
        let young = meta
            .modified()
            .ok()
            .and_then(|m| m.elapsed().ok())
            .is_some_and(|age| age < SETTLE);
        let bytes = std::fs::read(path);
        let changed = std::fs::metadata(path)
            .map(|m| stat_key(&m) != stat_key(&meta))
            .unwrap_or(true);
        if (young || changed) && self.defer(path) {
            return false;
        }
        self.status.bytes.fetch_add(meta.len(), Ordering::SeqCst);
        let result = bytes.map_err(ingest::IngestError::from).and_then(|bytes| {
            // A bug in a parser must cost one file, not the writer.
            let parsed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                ingest::read_bytes(path, &source, &bytes)
            }))
            .map_err(|_| ingest::IngestError::Panic)?;
            Ok((parsed?, fingerprint(&meta, &bytes)))
        });
        self.delete_source(&source);
        match result {
            Ok((doc, fp)) => {
                for t in to_tantivy(&self.fields, &doc, &fp) {
                    if let Err(e) = self.writer.add_document(t) {
                        tracing::error!(file = %source, "cannot index: {e}");
                    }
                }
                tracing::debug!(file = %source, articles = doc.articles.len(), "indexed");
                self.status.failed.lock().unwrap().remove(&source);
                self.batch.upserted += 1;
            }
            Err(e) => {
                tracing::warn!(file = %source, "not indexed: {e}");
                self.status
                    .failed
                    .lock()
                    .unwrap()
                    .insert(source, e.to_string());
                self.batch.failed += 1;
            }
        }
        true
    }

    /// Schedules a retry of a file that is still being written; `false` once it has waited
    /// long enough (a file written continuously is indexed as it is, and again when it changes).
    fn defer(&mut self, path: &Path) -> bool {
        let tries = self
            .deferred
            .iter()
            .find(|d| d.path == path)
            .map_or(0, |d| d.tries);
        self.deferred.retain(|d| d.path != path);
        if tries >= MAX_DEFERRALS {
            return false;
        }
        self.deferred.push(Deferred {
            path: path.to_path_buf(),
            due: Instant::now() + SETTLE,
            tries: tries + 1,
        });
        true
    }

    /// Retries deferred files that are due.
    fn retry_due(&mut self) {
        let now = Instant::now();
        let (due, later): (Vec<Deferred>, Vec<Deferred>) = std::mem::take(&mut self.deferred)
            .into_iter()
            .partition(|d| d.due <= now);
        self.deferred = later;
        for d in due {
            // Keep the try count while it is re-deferred.
            self.deferred.push(Deferred {
                due: now,
                ..d.clone()
            });
            let settled = self.upsert(&d.path);
            if settled {
                self.deferred.retain(|x| x.path != d.path);
                self.done_one();
            }
        }
    }

    /// Records (and logs once) a file of a type this version does not read.
    fn skip(&mut self, path: &Path, source: &str) {
        let reason = ingest::formats::unsupported_reason(path);
        if self.unsupported_logged.insert(path.to_path_buf()) {
            tracing::info!(file = %source, "skipped: {reason}");
        }
        self.status
            .skipped
            .lock()
            .unwrap()
            .insert(source.to_string(), reason);
    }

    fn remove(&mut self, path: &Path) {
        let Some(source) = source_of(&self.root, path) else {
            if path == self.root {
                tracing::warn!("the docs folder itself was removed or moved");
            }
            return;
        };
        if is_ignored(Path::new(&source)) {
            return;
        }
        self.status.skipped.lock().unwrap().remove(&source);
        self.unsupported_logged.remove(path);
        if ingest::is_supported(path) {
            self.delete_source(&source);
            self.status.failed.lock().unwrap().remove(&source);
            self.batch.removed += 1;
        } else if path.extension().is_none() {
            // Maybe a folder: everything indexed under it goes ("dir/" ..< "dir0", '0' follows '/').
            let lower = Term::from_field_text(self.fields.source, &format!("{source}/"));
            let upper = Term::from_field_text(self.fields.source, &format!("{source}0"));
            let under =
                InvertedIndexRangeQuery::new(Bound::Included(lower), Bound::Excluded(upper));
            if let Err(e) = self.writer.delete_query(Box::new(under)) {
                tracing::error!(folder = %source, "cannot remove the files under a removed folder: {e}");
            }
            self.touch();
        }
    }

    fn reconcile_logged(&mut self, force: bool) {
        if let Err(e) = self.reconcile(force) {
            tracing::error!("reconciliation failed: {e:#}");
        }
    }

    /// Makes the index equal the folder; `force` re-reads files whose fingerprint is unchanged.
    fn reconcile(&mut self, force: bool) -> anyhow::Result<()> {
        let root = self.root.clone();
        self.reconcile_in(&root, force)?;
        self.status.ready.store(true, Ordering::SeqCst);
        Ok(())
    }

    /// Makes the index equal the folder `dir` (the root or a folder inside it).
    fn reconcile_in(&mut self, dir: &Path, force: bool) -> anyhow::Result<()> {
        // Pending deletes and adds must be visible before comparing.
        self.commit();
        let folder = source_of(&self.root, dir);
        let indexed = indexed_sources(&self.reader.searcher(), folder.as_deref())?;
        let mut on_disk: HashMap<String, (PathBuf, String)> = HashMap::new();
        let walker = walkdir::WalkDir::new(dir).follow_links(true).into_iter();
        for entry in
            walker.filter_entry(|e| e.depth() == 0 || !is_ignored(Path::new(e.file_name())))
        {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    tracing::warn!("cannot read part of the docs folder: {e}");
                    continue;
                }
            };
            if !entry.file_type().is_file() {
                continue;
            }
            let path = entry.path();
            let Some(source) = source_of(&self.root, path) else {
                continue;
            };
            if !ingest::is_supported(path) {
                self.skip(path, &source);
                continue;
            }
            let key = entry.metadata().map(|m| stat_key(&m)).unwrap_or_default();
            on_disk.insert(source, (path.to_path_buf(), key));
        }
        let stale: Vec<String> = indexed
            .keys()
            .filter(|s| !on_disk.contains_key(*s))
            .cloned()
            .collect();
        let changed: Vec<PathBuf> = on_disk
            .iter()
            .filter(|(source, (_, key))| match indexed.get(*source) {
                Some(fp) => force || !fp.starts_with(&format!("{key}:")),
                None => true,
            })
            .map(|(_, (p, _))| p.clone())
            .collect();
        tracing::info!(
            folder = %dir.display(),
            indexed = indexed.len(),
            on_disk = on_disk.len(),
            changed = changed.len(),
            removed = stale.len(),
            "reconciling the index with the folder"
        );
        self.status
            .pending
            .fetch_add(changed.len() + stale.len(), Ordering::SeqCst);
        for source in stale {
            self.delete_source(&source);
            self.status.failed.lock().unwrap().remove(&source);
            self.batch.removed += 1;
            self.done_one();
        }
        for path in changed {
            if self.upsert(&path) {
                self.done_one();
            }
            if self
                .batch
                .started
                .is_some_and(|t| t.elapsed() >= self.commit_interval * 4)
            {
                // Long bulk runs become searchable progressively.
                self.commit();
            }
        }
        self.commit();
        Ok(())
    }

    fn commit(&mut self) {
        if self.batch.started.is_some() {
            let t0 = Instant::now();
            match self.writer.commit() {
                Ok(_) => {
                    if let Err(e) = self.reader.reload() {
                        tracing::error!("cannot reload the index reader: {e}");
                    }
                    *self.status.last_commit.lock().unwrap() = Some(now_iso());
                    self.status
                        .commit_seconds
                        .0
                        .observe(t0.elapsed().as_secs_f64());
                    tracing::info!(
                        upserted = self.batch.upserted,
                        removed = self.batch.removed,
                        failed = self.batch.failed,
                        ms = t0.elapsed().as_millis() as u64,
                        "commit"
                    );
                }
                Err(e) => {
                    tracing::error!(
                        "commit failed: {e}; rolling back and reconciling the folder again"
                    );
                    self.status.commit_failures.fetch_add(1, Ordering::Relaxed);
                    let _ = self.writer.rollback();
                    self.reconcile_after_rollback = true;
                }
            }
        }
        let done = self.batch.done;
        let _ = self
            .status
            .pending
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |p| {
                Some(p.saturating_sub(done))
            });
        let waiters = std::mem::take(&mut self.batch.waiters);
        self.batch = Batch::default();
        // A flush waits for files still settling too (they were sent before it): `zhengsou
        // index` right after a copy must not end with the young files left out. Deferrals are
        // bounded (MAX_DEFERRALS), so it always returns.
        if !self.deferred.is_empty() {
            self.batch.waiters = waiters;
            return;
        }
        for w in waiters {
            let _ = w.send(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignored_names() {
        assert!(is_ignored(Path::new("a/.hidden.txt")));
        assert!(is_ignored(Path::new("~$报告.docx")));
        assert!(is_ignored(Path::new("x.txt.swp")));
        assert!(!is_ignored(Path::new("sub/003.txt")));
    }

    #[test]
    fn iso_time_shape() {
        let t = now_iso();
        assert_eq!(t.len(), 20);
        assert!(t.starts_with("20") && t.ends_with('Z'));
    }
}
