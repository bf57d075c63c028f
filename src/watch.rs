//! The folder watcher: notify + notify-debouncer-full, turned into writer [`Op`]s.
//!
//! It only feeds paths to the writer; the writer decides what a path means (a new file, a
//! changed one, a file that vanished, a folder moved in or out). A watcher error or an event
//! queue overflow asks for a full reconciliation, which makes the index equal the folder again.

use std::path::Path;
use std::time::Duration;

use notify::event::{ModifyKind, RenameMode};
use notify::{EventKind, PollWatcher, RecursiveMode};
use notify_debouncer_full::{new_debouncer, new_debouncer_opt, DebounceEventResult, NoCache};

use crate::index::writer::{Op, Writer};

/// How long events for one path are gathered before they are acted on.
pub const DEBOUNCE: Duration = Duration::from_millis(250);

/// Keeps the watcher alive; dropping it stops watching.
pub struct Watcher {
    _inner: Box<dyn std::any::Any + Send>,
}

fn handler(writer: Writer) -> impl FnMut(DebounceEventResult) + Send + 'static {
    move |result: DebounceEventResult| match result {
        Ok(events) => {
            for ev in events {
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

/// Watches `root` recursively and sends every change to `writer`. With `poll`, the folder is
/// scanned at that interval instead (for filesystems without change notifications).
pub fn start(root: &Path, writer: Writer, poll: Option<Duration>) -> anyhow::Result<Watcher> {
    match poll {
        None => {
            let mut d = new_debouncer(DEBOUNCE, None, handler(writer))?;
            d.watch(root, RecursiveMode::Recursive)?;
            Ok(Watcher {
                _inner: Box::new(d),
            })
        }
        Some(interval) => {
            let config = notify::Config::default().with_poll_interval(interval);
            let mut d = new_debouncer_opt::<_, PollWatcher, NoCache>(
                DEBOUNCE,
                None,
                handler(writer),
                NoCache,
                config,
            )?;
            d.watch(root, RecursiveMode::Recursive)?;
            Ok(Watcher {
                _inner: Box::new(d),
            })
        }
    }
}
