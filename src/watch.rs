//! The folder watcher: notify + notify-debouncer-full, turned into writer [`Op`]s.
//!
//! It only feeds paths to the writer; the writer decides what a path means (a new file, a
//! changed one, a file that vanished, a folder moved in or out). A watcher error or an event
//! queue overflow asks for a full reconciliation, which makes the index equal the folder again.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use notify::event::{ModifyKind, RenameMode};
use notify::{EventKind, PollWatcher, RecursiveMode};
use notify_debouncer_full::{new_debouncer, new_debouncer_opt, DebounceEventResult, NoCache};

use crate::index::writer::{Op, Writer};

/// How long events for one path are gathered before they are acted on.
pub const DEBOUNCE: Duration = Duration::from_millis(250);

/// How often the supervisor checks that the watched folder is still the same folder.
const ROOT_CHECK: Duration = Duration::from_secs(1);

/// Keeps the watcher alive; dropping it stops watching.
pub struct Watcher {
    stop: Arc<AtomicBool>,
    _current: Arc<Mutex<Box<dyn std::any::Any + Send>>>,
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// The identity of a folder (device and inode), to notice it being replaced.
fn identity(root: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(root).ok().map(|m| (m.dev(), m.ino()))
}

fn handler(
    writer: Writer,
    root: PathBuf,
    lost: Arc<AtomicBool>,
) -> impl FnMut(DebounceEventResult) + Send + 'static {
    move |result: DebounceEventResult| match result {
        Ok(events) => {
            for ev in events {
                // The watched folder itself deleted or moved: its watch is gone with it.
                if !matches!(ev.kind, EventKind::Access(_)) && ev.paths.iter().any(|p| p == &root) {
                    lost.store(true, Ordering::SeqCst);
                    continue;
                }
                if ev.need_rescan() {
                    tracing::warn!(
                        "file events were lost (queue overflow); reconciling the whole folder"
                    );
                    writer.send(Op::Reconcile);
                    continue;
                }
                match ev.kind {
                    EventKind::Access(_) => {}
                    EventKind::Remove(_)
                    | EventKind::Modify(ModifyKind::Name(RenameMode::From)) => {
                        for p in &ev.paths {
                            writer.send(Op::Remove(p.clone()));
                        }
                    }
                    EventKind::Modify(ModifyKind::Name(RenameMode::Both))
                        if ev.paths.len() == 2 =>
                    {
                        writer.send(Op::Remove(ev.paths[0].clone()));
                        writer.send(Op::Upsert(ev.paths[1].clone()));
                    }
                    _ => {
                        for p in &ev.paths {
                            writer.send(Op::Upsert(p.clone()));
                        }
                    }
                }
            }
        }
        Err(errors) => {
            for e in errors {
                tracing::error!("watcher error: {e}");
            }
            writer.send(Op::Reconcile);
        }
    }
}

fn watch_once(
    root: &Path,
    writer: &Writer,
    poll: Option<Duration>,
    lost: &Arc<AtomicBool>,
) -> anyhow::Result<Box<dyn std::any::Any + Send>> {
    let handler = handler(writer.clone(), root.to_path_buf(), lost.clone());
    match poll {
        None => {
            let mut d = new_debouncer(DEBOUNCE, None, handler)?;
            d.watch(root, RecursiveMode::Recursive)?;
            Ok(Box::new(d))
        }
        Some(interval) => {
            let config = notify::Config::default().with_poll_interval(interval);
            let mut d = new_debouncer_opt::<_, PollWatcher, NoCache>(
                DEBOUNCE, None, handler, NoCache, config,
            )?;
            d.watch(root, RecursiveMode::Recursive)?;
            Ok(Box::new(d))
        }
    }
}

/// Watches `root` recursively and sends every change to `writer`. With `poll`, the folder is
/// scanned at that interval instead (for filesystems without change notifications); if
/// notifications cannot be set up (e.g. the inotify watch limit), polling every 2 s is used.
///
/// A supervisor thread notices the folder itself being removed, replaced or moved back, and
/// then watches the new folder and reconciles the index with it.
pub fn start(root: &Path, writer: Writer, poll: Option<Duration>) -> anyhow::Result<Watcher> {
    let lost = Arc::new(AtomicBool::new(false));
    let first = match watch_once(root, &writer, poll, &lost) {
        Ok(w) => w,
        Err(e) if poll.is_none() => {
            tracing::warn!(
                "cannot watch {} for changes ({e}); scanning it every 2 s instead",
                root.display()
            );
            watch_once(root, &writer, Some(Duration::from_secs(2)), &lost)?
        }
        Err(e) => return Err(e),
    };
    let current = Arc::new(Mutex::new(first));
    let stop = Arc::new(AtomicBool::new(false));
    let (root, cur, halt) = (root.to_path_buf(), current.clone(), stop.clone());
    std::thread::Builder::new()
        .name("zhengsou-watch-root".into())
        .spawn(move || {
            let mut seen = identity(&root);
            let mut gone_logged = false;
            while !halt.load(Ordering::SeqCst) {
                std::thread::sleep(ROOT_CHECK);
                let now = identity(&root);
                // Replaced (a new inode, or the watcher saw the old one go) and present again.
                let replaced = now != seen || lost.load(Ordering::SeqCst);
                if !replaced {
                    continue;
                }
                if now.is_none() {
                    if !gone_logged {
                        tracing::warn!(
                            "the docs folder {} is gone; waiting for it to come back",
                            root.display()
                        );
                        writer.send(Op::Reconcile);
                        gone_logged = true;
                    }
                    seen = None;
                    continue;
                }
                tracing::warn!(
                    "the docs folder {} was replaced; watching it again",
                    root.display()
                );
                lost.store(false, Ordering::SeqCst);
                match watch_once(&root, &writer, poll, &lost) {
                    Ok(w) => *cur.lock().unwrap() = w,
                    Err(e) => tracing::error!("cannot watch {}: {e}", root.display()),
                }
                // Files of the old folder are gone, the new one's are unknown: compare.
                writer.send(Op::Reconcile);
                seen = now;
                gone_logged = false;
            }
        })?;
    Ok(Watcher {
        stop,
        _current: current,
    })
}
