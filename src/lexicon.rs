//! Shipped data: the region gazetteer (`data/regions`), the 政务 vocabulary (`data/terms.txt`) and
//! the one jieba instance that knows both.
//!
//! Place names are added to jieba as user words so that matching happens on token boundaries:
//! plain substring search finds 和政 in 和政府 and 管城 in 物管城市 (see `data/README.md`).

use std::collections::HashMap;

use rustc_hash::FxHashMap;
use std::sync::LazyLock;

use jieba_rs::Jieba;
use serde::Serialize;

const DIVISIONS: &str = include_str!("../data/regions/cn_divisions.tsv");
const EXTRAS: &str = include_str!("../data/regions/jx_extras.tsv");
const TERMS: &str = include_str!("../data/terms.txt");
const SYNONYMS: &str = include_str!("../data/synonyms.txt");

/// Administrative level, ordered from broad to specific.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Province,
    City,
    County,
    /// Functional zone or management body (经开区, 新区, 管理局): not a formal division.
    Zone,
    Town,
}

/// One unit of the gazetteer.
#[derive(Clone, Debug)]
pub struct Unit {
    /// Internal id: the numeric code, or a synthetic id for zones without a code of their own.
    pub id: u64,
    /// The code users see: the unit's own, or for a zone without one its county's (or city's).
    pub code: String,
    pub name: String,
    pub level: Level,
    pub parent: Option<u64>,
}

/// Full names that are ordinary words and must never be matched bare (城区绿地 is not 城区).
const GENERIC_FULL_NAMES: &[&str] = &[
    "城区",
    "郊区",
    "矿区",
    "市中区",
    "东区",
    "西区",
    "新区",
    "开发区",
];

/// Historic names still found in older documents, mapped to today's unit (data/regions README).
const HISTORIC: &[(&str, &str)] = &[
    ("南康市", "360703"),
    ("新建县", "360112"),
    ("广丰县", "361103"),
    ("庐山区", "360402"),
    ("星子县", "360483"),
    ("赣县", "360704"),
    ("东乡县", "361003"),
    ("九江县", "360404"),
    ("余江县", "360603"),
    ("上饶县", "361104"),
    ("龙南县", "360783"),
    ("红谷滩新区", "360113"),
];

/// Codes of abolished units → today's unit.
const HISTORIC_CODES: &[(&str, &str)] = &[
    ("360782", "360703"),
    ("360122", "360112"),
    ("361122", "361103"),
    ("360427", "360483"),
    ("360721", "360704"),
    ("361029", "361003"),
    ("360421", "360404"),
    ("360622", "360603"),
    ("361121", "361104"),
    ("360727", "360783"),
];

/// Synthetic ids for zones without an NBS code live above every real code.
const SYNTHETIC_BASE: u64 = 9_900_000_000;

/// The region gazetteer: lookup by name (full, short, alias) and by id, ancestors and paths.
pub struct Gazetteer {
    units: Vec<Unit>,
    by_id: FxHashMap<u64, usize>,
    /// Names that may be matched as tokens in running text.
    by_name: FxHashMap<String, Vec<usize>>,
    /// Every full name and code, for filters typed by users.
    by_full: FxHashMap<String, Vec<usize>>,
}

impl Gazetteer {
    fn load() -> Gazetteer {
        let mut g = Gazetteer {
            units: Vec::new(),
            by_id: FxHashMap::default(),
            by_name: FxHashMap::default(),
            by_full: FxHashMap::default(),
        };
        let mut short_names: Vec<(String, usize)> = Vec::new();
        for line in DIVISIONS.lines().skip(1) {
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() < 5 {
                continue;
            }
            let Ok(id) = cols[0].parse::<u64>() else {
                continue;
            };
            let level = match cols[2] {
                "province" => Level::Province,
                "city" => Level::City,
                "county" => Level::County,
                _ => Level::Town,
            };
            let idx = g.push(Unit {
                id,
                code: cols[0].to_string(),
                name: cols[1].to_string(),
                level,
                parent: cols[3].parse().ok(),
            });
            if !cols[4].is_empty() {
                short_names.push((cols[4].to_string(), idx));
            }
        }
        for (row, line) in EXTRAS.lines().skip(1).enumerate() {
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() < 7 {
                continue;
            }
            let city = cols[3]
                .split(';')
                .next()
                .and_then(|c| c.parse::<u64>().ok());
            let county = cols[5].parse::<u64>().ok();
            let parent = county.or(city);
            let (id, code) = match cols[6].parse::<u64>() {
                Ok(nbs) => (nbs, cols[6].to_string()),
                Err(_) => (
                    SYNTHETIC_BASE + row as u64,
                    parent.map(|p| p.to_string()).unwrap_or_default(),
                ),
            };
            let idx = g.push(Unit {
                id,
                code,
                name: cols[0].to_string(),
                level: Level::Zone,
                parent,
            });
            for alias in cols[1].split('|').filter(|a| a.chars().count() >= 2) {
                g.by_name.entry(alias.to_string()).or_default().push(idx);
                g.by_full.entry(alias.to_string()).or_default().push(idx);
            }
        }
        for (short, idx) in short_names {
            // A short name never shadows a full name or alias (湾里 belongs to 湾里管理局).
            if !g.by_name.contains_key(&short) {
                g.by_name.entry(short).or_default().push(idx);
            } else if g.by_name[&short].iter().all(|&i| g.units[i].name != short) {
                g.by_name.get_mut(&short).unwrap().push(idx);
            }
        }
        // 阿坝州, 乳源县, 鄂托克前旗: an autonomous unit called by its short name and level.
        let abbreviations: Vec<(String, usize)> = g
            .units
            .iter()
            .enumerate()
            .filter_map(|(idx, u)| {
                let suffix = ["自治州", "自治县", "自治旗"]
                    .into_iter()
                    .find(|s| u.name.ends_with(s))?;
                let short = g
                    .by_name
                    .iter()
                    .find(|(k, v)| v.contains(&idx) && **k != u.name)?
                    .0;
                Some((format!("{short}{}", suffix.chars().last()?), idx))
            })
            .collect();
        for (name, idx) in abbreviations {
            if !g.by_name.contains_key(&name) && !g.by_full.contains_key(&name) {
                g.by_name.entry(name.clone()).or_default().push(idx);
                g.by_full.entry(name).or_default().push(idx);
            }
        }
        for (old, code) in HISTORIC {
            if let Some(&idx) = code.parse().ok().and_then(|id: u64| g.by_id.get(&id)) {
                g.by_name.entry(old.to_string()).or_default().push(idx);
                g.by_full.entry(old.to_string()).or_default().push(idx);
            }
        }
        if let Some(idx) = g.units.iter().position(|u| u.name == "湾里管理局") {
            g.by_name.entry("湾里区".into()).or_default().push(idx);
            g.by_full.entry("湾里区".into()).or_default().push(idx);
            g.by_full.entry("360105".into()).or_default().push(idx);
        }
        // Codes of abolished units, for filters typed from old documents.
        for (old, new) in HISTORIC_CODES {
            if let Some(&idx) = new.parse().ok().and_then(|id: u64| g.by_id.get(&id)) {
                g.by_full.entry(old.to_string()).or_default().push(idx);
            }
        }
        g
    }

    fn push(&mut self, unit: Unit) -> usize {
        let idx = self.units.len();
        self.by_id.insert(unit.id, idx);
        if !GENERIC_FULL_NAMES.contains(&unit.name.as_str()) {
            self.by_name.entry(unit.name.clone()).or_default().push(idx);
        }
        self.by_full.entry(unit.name.clone()).or_default().push(idx);
        // A zone showing its county's code is found by that code through the county.
        if unit.id.to_string() == unit.code {
            self.by_full.entry(unit.code.clone()).or_default().push(idx);
        }
        self.units.push(unit);
        idx
    }

    /// Every unit, in the order of the embedded files (stable across runs).
    pub fn units(&self) -> &[Unit] {
        &self.units
    }

    /// The unit with this internal id.
    pub fn get(&self, id: u64) -> Option<&Unit> {
        self.by_id.get(&id).map(|&i| &self.units[i])
    }

    /// Units a token of running text may denote (full names, safe short names, aliases).
    pub fn candidates(&self, token: &str) -> Vec<&Unit> {
        self.by_name
            .get(token)
            .map(|v| v.iter().map(|&i| &self.units[i]).collect())
            .unwrap_or_default()
    }

    /// True when the token is a matchable name.
    pub fn is_name(&self, token: &str) -> bool {
        self.by_name.contains_key(token)
    }

    /// Units a user means by a filter value: a code, a full name, or a short name.
    pub fn resolve(&self, value: &str) -> Vec<&Unit> {
        let value = value.trim();
        let hits = self.by_full.get(value).or_else(|| self.by_name.get(value));
        hits.map(|v| v.iter().map(|&i| &self.units[i]).collect())
            .unwrap_or_default()
    }

    /// Ids from the unit itself up to its province.
    pub fn ancestors(&self, id: u64) -> Vec<u64> {
        let mut out = Vec::new();
        let mut cur = Some(id);
        while let Some(id) = cur {
            if out.contains(&id) || out.len() > 8 {
                break;
            }
            let Some(unit) = self.get(id) else { break };
            out.push(id);
            cur = unit.parent;
        }
        out
    }

    /// True when `ancestor` is `id` or one of its ancestors.
    pub fn is_within(&self, id: u64, ancestor: u64) -> bool {
        self.ancestors(id).contains(&ancestor)
    }

    /// `江西省/赣州市/章贡区`.
    pub fn path(&self, id: u64) -> String {
        let mut names: Vec<&str> = self
            .ancestors(id)
            .iter()
            .filter_map(|&a| self.get(a).map(|u| u.name.as_str()))
            .collect();
        names.reverse();
        names.join("/")
    }

    /// Every matchable name, for the tokenizer's dictionary.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name.keys().map(String::as_str)
    }
}

/// The gazetteer, parsed once from the embedded files.
pub fn gazetteer() -> &'static Gazetteer {
    static G: LazyLock<Gazetteer> = LazyLock::new(Gazetteer::load);
    &G
}

/// The domain terms shipped in `data/terms.txt`.
pub fn terms() -> impl Iterator<Item = &'static str> {
    TERMS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

fn stream_key(s: &str) -> String {
    crate::chars::stream(s).into_iter().collect()
}

/// Curated synonyms (`data/synonyms.txt`): the terms a query term also stands for. Keys and
/// lookups go through the character fold, so 放管服 and traditional 放管服 are one key.
pub fn synonyms(term: &str) -> &'static [String] {
    static MAP: LazyLock<HashMap<String, Vec<String>>> = LazyLock::new(|| {
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        let mut link = |a: &str, b: &str| {
            let e = map.entry(stream_key(a)).or_default();
            if !e.iter().any(|x| x == b) && stream_key(a) != stream_key(b) {
                e.push(b.to_string());
            }
        };
        for line in SYNONYMS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            if let Some((hub, spokes)) = line.split_once('=') {
                let hub = hub.trim();
                for spoke in spokes.split_whitespace() {
                    link(hub, spoke);
                    link(spoke, hub);
                }
            } else {
                let all: Vec<&str> = line.split_whitespace().collect();
                for a in &all {
                    for b in &all {
                        link(a, b);
                    }
                }
            }
        }
        map
    });
    MAP.get(&stream_key(term)).map(Vec::as_slice).unwrap_or(&[])
}

/// jieba with its default dictionary plus place names and domain terms.
pub fn jieba() -> &'static Jieba {
    static J: LazyLock<Jieba> = LazyLock::new(|| {
        let mut j = Jieba::new();
        let mut names: Vec<&str> = gazetteer().names().collect();
        names.sort_unstable();
        for name in names {
            j.add_word(name, None, Some("ns"));
        }
        for term in terms() {
            j.add_word(term, None, None);
        }
        j
    });
    &J
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_codes() {
        let g = gazetteer();
        let town = g.candidates("金龙镇");
        assert!(town.iter().any(|u| u.code == "360729103"));
        assert_eq!(g.path(360729103), "江西省/赣州市/全南县/金龙镇");
        let wanli = g.candidates("湾里");
        assert_eq!(wanli.len(), 1);
        assert_eq!(wanli[0].name, "湾里管理局");
        assert_eq!(wanli[0].code, "360112");
        assert_eq!(g.candidates("南康市")[0].name, "南康区");
        assert_eq!(g.candidates("阿坝州")[0].name, "阿坝藏族羌族自治州");
        assert_eq!(g.candidates("乳源县")[0].name, "乳源瑶族自治县");
    }

    #[test]
    fn synonyms_are_symmetric_through_the_hub() {
        assert!(synonyms("放管服").iter().any(|s| s == "简政放权"));
        assert_eq!(synonyms("简政放权"), ["放管服"]);
        assert!(synonyms("最多跑一次").iter().any(|s| s == "一次不跑"));
        assert!(synonyms("不存在的词").is_empty());
    }

    #[test]
    fn generic_names_are_not_matchable() {
        assert!(!gazetteer().is_name("城区"));
        assert!(!gazetteer().resolve("城区").is_empty());
    }

    #[test]
    fn jieba_keeps_names_whole_and_avoids_collisions() {
        let words: Vec<&str> = jieba()
            .cut("大余县新城镇推进物管城市和政府公开平台", false)
            .into_iter()
            .map(|t| t.word)
            .collect();
        assert!(words.contains(&"大余县"), "{words:?}");
        assert!(words.contains(&"新城镇"), "{words:?}");
        assert!(!words.contains(&"管城"), "{words:?}");
        assert!(!words.contains(&"和政"), "{words:?}");
        assert!(!words.contains(&"开平"), "{words:?}");
    }
}
