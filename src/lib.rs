//! zhengsou (政搜): search for Chinese government policy documents and work bulletins.
//!
//! # Layout
//! Data flows one way: files → [`ingest`] → [`analysis`] → [`index`] → [`search`] → [`api`] / [`cli`].
//! - [`chars`]: the character fold shared by every stage.
//! - [`lexicon`]: shipped data (gazetteer, 政务 terms) and the one jieba instance.
//! - [`ingest`]: decode, normalise, split into header and articles, attribute places.
//! - [`analysis`]: the bigram (matching) and word (ranking) tokenizers.
//! - [`index`]: schema, the writer task that owns the `IndexWriter`, reconciliation.
//! - [`search`]: query building, filters, facets, snippets.
//! - [`watch`]: the folder watcher; it only sends paths to the writer.
//! - [`api`]: the axum router; [`cli`]: the commands.
//! - [`synth`]: the synthetic benchmark corpus; [`bench`]: the HTTP load generator.

pub mod analysis;
pub mod api;
pub mod bench;
pub mod chars;
pub mod cli;
pub mod error;
pub mod index;
pub mod ingest;
pub mod lexicon;
pub mod search;
pub mod synth;
pub mod watch;
