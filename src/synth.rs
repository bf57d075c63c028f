//! A deterministic synthetic corpus for benchmarks: bulletins (简报) and notices (通知) shaped
//! like the seeds, whose sentences are real ones taken from source folders (laws, State Council
//! work reports, the seeds) and recombined, with real localities from the gazetteer.
//!
//! Real sentences keep the term statistics of the genre (Zipf tails, long 政务 compounds), the
//! gazetteer keeps facet cardinalities realistic, and the masthead/lead-sentence layout is the
//! one ingest is built for, so the benchmark exercises the same paths as real documents.
//! The same seed and sources give byte-identical files: one seeded generator, sources read in
//! sorted order, no hash-map iteration.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::Instant;

use anyhow::{bail, Context};
use regex::Regex;
use serde::Deserialize;

use crate::ingest::Kind;
use crate::lexicon::{self, Level};

/// The sources used when none are given, relative to the working directory.
pub const DEFAULT_SOURCES: &[&str] = &[
    "../shared/data/laws_lawrefbook",
    "../shared/data/gov_work_reports_wikisource",
    "seeds",
];

/// At most this many files per folder (file managers and `ls` stay usable).
pub const FILES_PER_FOLDER: usize = 1000;

const FIRST_YEAR: u32 = 2005;
const LAST_YEAR: u32 = 2025;

/// Small, fast, seedable generator (xoshiro256**, seeded through splitmix64): the stream is
/// fixed by this code, not by a crate version.
#[derive(Clone, Debug)]
pub struct Rng([u64; 4]);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Rng([next(), next(), next(), next()])
    }

    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.0;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// Standard normal (Box–Muller; one value per call keeps the stream simple).
    fn normal(&mut self) -> f64 {
        let u = self.unit().max(1e-12);
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// Log-normal length around `median`, clamped to `lo..=hi`.
    fn length(&mut self, median: f64, sigma: f64, lo: usize, hi: usize) -> usize {
        ((median * (sigma * self.normal()).exp()) as usize).clamp(lo, hi)
    }
}

/// Index into cumulative weights.
fn weighted(rng: &mut Rng, cumulative: &[f64]) -> usize {
    let total = *cumulative.last().expect("non-empty weights");
    let x = rng.unit() * total;
    cumulative
        .partition_point(|&c| c <= x)
        .min(cumulative.len() - 1)
}

fn cumulate(weights: impl IntoIterator<Item = f64>) -> Vec<f64> {
    let mut acc = 0.0;
    weights
        .into_iter()
        .map(|w| {
            acc += w;
            acc
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Sources: real sentences
// ---------------------------------------------------------------------------------------------

/// Sentences of real text, in two registers: administrative prose (work reports, bulletins)
/// and legal prose (statutes: 应当, 不得, 第X条 structure).
pub struct Sources {
    prose: SentencePool,
    legal: SentencePool,
    /// Where the sentences came from, for the log and the README.
    pub files: Vec<PathBuf>,
}

#[derive(Default)]
struct SentencePool {
    text: String,
    spans: Vec<(u32, u32)>,
}

impl SentencePool {
    fn push(&mut self, s: &str) {
        let start = self.text.len() as u32;
        self.text.push_str(s);
        self.spans.push((start, self.text.len() as u32));
    }
    fn get(&self, i: usize) -> &str {
        let (a, b) = self.spans[i];
        &self.text[a as usize..b as usize]
    }
    fn len(&self) -> usize {
        self.spans.len()
    }
}

#[derive(Deserialize)]
struct Record {
    #[serde(default)]
    text: String,
}

const PAIRS: [(char, char); 6] = [
    ('“', '”'),
    ('《', '》'),
    ('（', '）'),
    ('(', ')'),
    ('【', '】'),
    ('‘', '’'),
];

/// Characters a sentence must not start with: ingest would join it to the line before.
const CONTINUATION_START: &[char] = &[
    '，', '。', '、', '；', '：', '）', '”', '》', ',', ';', ')', '%', '’',
];

fn balanced(s: &str) -> bool {
    PAIRS.iter().all(|(o, c)| {
        let mut depth = 0i32;
        for ch in s.chars() {
            if ch == *o {
                depth += 1;
            } else if ch == *c {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
        }
        depth == 0
    })
}

/// A 期号 or 文号 inside a sentence would be read as the document's own when it lands in the head.
static ISSUE_LIKE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"第\s*[0-9一二三四五六七八九十百〇零]+\s*期").unwrap());

/// `第十二条　` and similar article numbers at the start of a statute paragraph.
fn strip_article_number(p: &str) -> &str {
    let Some(rest) = p.strip_prefix('第') else {
        return p;
    };
    let end = rest
        .char_indices()
        .find(|(_, c)| !"一二三四五六七八九十百千零〇0123456789".contains(*c))
        .map(|(i, _)| i);
    match end {
        Some(i) if i > 0 && rest[i..].starts_with('条') => {
            rest[i + '条'.len_utf8()..].trim_start()
        }
        _ => p,
    }
}

/// Splits a text into clean sentences ending in 。, fit to be recombined into paragraphs that
/// ingest reads as body text (balanced brackets, no markup, no 文号 or 期号 that would be
/// mistaken for the document's own, mostly Chinese).
fn sentences(text: &str, mut keep: impl FnMut(&str)) {
    for para in text.split('\n') {
        let para = para.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
        if para.is_empty() || para.starts_with('#') {
            continue;
        }
        let para = strip_article_number(para);
        let mut start = 0;
        for (i, c) in para.char_indices() {
            if c != '。' {
                continue;
            }
            let end = i + c.len_utf8();
            let raw = &para[start..end];
            start = end;
            let s: String = raw
                .chars()
                .filter(|c| !c.is_whitespace() && *c != '\u{3000}')
                .collect();
            let n = s.chars().count();
            if !(12..=220).contains(&n)
                || s.starts_with(CONTINUATION_START)
                || s.contains(['*', '#', '|', '[', ']', '<', '>', '_', '\\', '{', '}'])
                || s.contains("http")
                || ISSUE_LIKE.is_match(&s)
                || crate::ingest::meta::normalize_number(&s).is_some()
                || !balanced(&s)
            {
                continue;
            }
            let han = s.chars().filter(|&c| crate::chars::is_cjk(c)).count();
            // Mostly Chinese, and already in the fold's normal form: today's bulletins are
            // simplified with ASCII digits (the 1950s reports on Wikisource are traditional).
            if han * 10 < n * 7
                || s.chars().any(|c| {
                    (crate::chars::is_cjk(c) && crate::chars::fold(c) != c)
                        || matches!(c, '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ')
                })
            {
                continue;
            }
            keep(&s);
        }
    }
}

/// True for statute text: several 第X条 articles.
fn is_legal(text: &str) -> bool {
    text.match_indices('条')
        .take(200)
        .filter(|(i, _)| text[..*i].chars().rev().take(4).any(|c| c == '第'))
        .count()
        >= 3
}

impl Sources {
    /// Reads every `.jsonl` (field `text`), `.txt` and `.md` file under the folders, in sorted
    /// order.
    pub fn load(dirs: &[PathBuf]) -> anyhow::Result<Sources> {
        let mut files = Vec::new();
        for dir in dirs {
            let meta = std::fs::metadata(dir).with_context(|| {
                format!(
                    "source folder {} cannot be read (give real-text folders with --source DIR)",
                    dir.display()
                )
            })?;
            if !meta.is_dir() {
                bail!("source {} is not a folder", dir.display());
            }
            let mut found: Vec<PathBuf> = walkdir::WalkDir::new(dir)
                .sort_by_file_name()
                .into_iter()
                .collect::<Result<Vec<_>, _>>()
                .with_context(|| format!("cannot list source folder {}", dir.display()))?
                .into_iter()
                .filter(|e| e.file_type().is_file())
                .map(|e| e.into_path())
                .filter(|p| {
                    let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
                    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    matches!(ext, "jsonl" | "txt" | "md") && !name.eq_ignore_ascii_case("README.md")
                })
                .collect();
            if found.is_empty() {
                bail!(
                    "source folder {} holds no .jsonl, .txt or .md files",
                    dir.display()
                );
            }
            files.append(&mut found);
        }
        let mut src = Sources {
            prose: SentencePool::default(),
            legal: SentencePool::default(),
            files: Vec::new(),
        };
        for path in &files {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read source file {} as UTF-8", path.display()))?;
            if path.extension().is_some_and(|e| e == "jsonl") {
                for (n, line) in text
                    .lines()
                    .enumerate()
                    .filter(|(_, l)| !l.trim().is_empty())
                {
                    let rec: Record = serde_json::from_str(line).with_context(|| {
                        format!("{}:{}: not a JSON object", path.display(), n + 1)
                    })?;
                    src.add(&rec.text);
                }
            } else {
                src.add(&text);
            }
        }
        src.files = files;
        if src.prose.len() + src.legal.len() < 50 {
            bail!(
                "the source folders gave only {} usable sentences; give folders of real Chinese text",
                src.prose.len() + src.legal.len()
            );
        }
        Ok(src)
    }

    fn add(&mut self, text: &str) {
        let pool = if is_legal(text) {
            &mut self.legal
        } else {
            &mut self.prose
        };
        sentences(text, |s| pool.push(s));
    }

    /// Number of (administrative, legal) sentences.
    pub fn counts(&self) -> (usize, usize) {
        (self.prose.len(), self.legal.len())
    }

    fn sentence(&self, rng: &mut Rng, legal_share: f64) -> &str {
        let legal = (rng.chance(legal_share) && self.legal.len() > 0) || self.prose.len() == 0;
        let pool = if legal { &self.legal } else { &self.prose };
        pool.get(rng.below(pool.len()))
    }
}

// ---------------------------------------------------------------------------------------------
// Places
// ---------------------------------------------------------------------------------------------

/// A locality articles can be about.
struct Place {
    id: u64,
    /// As a lead sentence names it: 赣州市全南县金龙镇.
    full: String,
    /// As a title names it: 全南县金龙镇.
    short: String,
    level: Level,
    city: Option<u64>,
    county: Option<u64>,
}

/// Gazetteer units grouped for drawing: Jiangxi cities (by population), their counties and
/// towns, and counties of the other provinces.
struct Places {
    all: Vec<Place>,
    jx_cities: Vec<usize>,
    jx_city_weights: Vec<f64>,
    /// Places inside each Jiangxi city or county (itself excluded), by unit id.
    within: HashMap<u64, Vec<usize>>,
    /// Counties of the other provinces, and the province names.
    other: Vec<usize>,
    jx_province: usize,
}

/// Resident population in millions (2020 census, rounded): bigger cities report more.
const JX_POPULATION: &[(&str, f64)] = &[
    ("南昌市", 6.3),
    ("景德镇市", 1.6),
    ("萍乡市", 1.8),
    ("九江市", 4.6),
    ("新余市", 1.2),
    ("鹰潭市", 1.2),
    ("赣州市", 9.0),
    ("吉安市", 4.5),
    ("宜春市", 5.0),
    ("抚州市", 3.6),
    ("上饶市", 6.5),
];

impl Places {
    fn build() -> Places {
        let g = lexicon::gazetteer();
        let mut p = Places {
            all: Vec::new(),
            jx_cities: Vec::new(),
            jx_city_weights: Vec::new(),
            within: HashMap::new(),
            other: Vec::new(),
            jx_province: 0,
        };
        let mut seen = std::collections::HashSet::new();
        for u in g.units() {
            // Zones (经开区, 管理局) are real but few; formal divisions carry the corpus.
            if u.level == Level::Zone || !seen.insert(u.id) {
                continue;
            }
            let line: Vec<u64> = g.ancestors(u.id);
            let Some(&province) = line.last() else {
                continue;
            };
            let jx = province == 360000;
            if !jx && u.level != Level::County {
                continue;
            }
            let names: Vec<(Level, &str, u64)> = line
                .iter()
                .rev()
                .filter_map(|&a| g.get(a).map(|x| (x.level, x.name.as_str(), a)))
                .collect();
            let part = |levels: &[Level]| -> String {
                names
                    .iter()
                    .filter(|(l, _, _)| levels.contains(l))
                    .map(|(_, n, _)| *n)
                    .collect()
            };
            let city = names.iter().find(|x| x.0 == Level::City).map(|x| x.2);
            let county = names.iter().find(|x| x.0 == Level::County).map(|x| x.2);
            let (full, short) = match u.level {
                Level::Province => (u.name.clone(), u.name.clone()),
                Level::City => (u.name.clone(), u.name.clone()),
                Level::County if jx => (part(&[Level::City, Level::County]), u.name.clone()),
                Level::County => (
                    part(&[Level::Province, Level::City, Level::County]),
                    part(&[Level::City, Level::County]),
                ),
                _ => (
                    part(&[Level::City, Level::County, Level::Town]),
                    part(&[Level::County, Level::Town]),
                ),
            };
            // Only places that ingest attributes back to themselves, written as the generator
            // writes them; the benchmark is not the place to measure ambiguity.
            let back = |s: &str| {
                let m = crate::ingest::place::mentions(s, None);
                crate::ingest::place::most_specific(&m, None).map(|m| m.id)
            };
            if back(&full) != Some(u.id) || back(&short) != Some(u.id) {
                continue;
            }
            let idx = p.all.len();
            p.all.push(Place {
                id: u.id,
                full,
                short,
                level: u.level,
                city,
                county,
            });
            if !jx {
                p.other.push(idx);
                continue;
            }
            match u.level {
                Level::Province => p.jx_province = idx,
                Level::City => {
                    p.jx_cities.push(idx);
                    let w = JX_POPULATION
                        .iter()
                        .find(|(n, _)| *n == u.name)
                        .map_or(1.0, |x| x.1);
                    p.jx_city_weights.push(w);
                }
                _ => {}
            }
            for anc in [city, county].into_iter().flatten() {
                if anc != u.id {
                    p.within.entry(anc).or_default().push(idx);
                }
            }
        }
        p.jx_city_weights = cumulate(p.jx_city_weights.iter().copied());
        p
    }
}

// ---------------------------------------------------------------------------------------------
// Genre vocabulary (synthetic frames around the real sentences)
// ---------------------------------------------------------------------------------------------

/// Topics of the frames, with the first year they appear in documents (乡村振兴 is not a 2005 word).
const TOPICS: &[(&str, u32)] = &[
    ("政务服务", 2005),
    ("网上信访", 2014),
    ("“放管服”改革", 2015),
    ("营商环境", 2016),
    ("精准扶贫", 2013),
    ("乡村振兴", 2017),
    ("政务公开", 2005),
    ("“一网通办”", 2018),
    ("“赣服通”建设", 2018),
    ("12345政务服务便民热线", 2012),
    ("扫黑除恶专项斗争", 2018),
    ("河长制", 2016),
    ("农村人居环境整治", 2005),
    ("基层减负", 2019),
    ("项目建设", 2005),
    ("招商引资", 2005),
    ("安全生产", 2005),
    ("社会信用体系建设", 2014),
    ("帮办代办", 2016),
    ("工程建设项目审批制度改革", 2018),
    ("不动产登记", 2015),
    ("医保服务", 2018),
    ("养老服务", 2005),
    ("义务教育均衡发展", 2005),
    ("信访积案化解", 2005),
    ("“互联网+政务服务”", 2016),
    ("政务数据共享", 2016),
    ("企业开办", 2005),
    ("重大行政决策", 2005),
    ("基层政务公开标准化规范化", 2017),
    ("作风建设", 2005),
    ("审批服务便民化", 2018),
    ("“一窗受理”改革", 2017),
    ("就业创业服务", 2005),
    ("城乡环境综合整治", 2005),
    ("防汛抗旱", 2005),
    ("森林防火", 2005),
    ("生态环境保护", 2005),
    ("脱贫攻坚", 2015),
    ("产业扶贫", 2013),
];

const SLOGANS: &[&str] = &[
    "一次不跑",
    "只跑一次",
    "最多跑一次",
    "一窗受理",
    "马上就办",
    "四个一",
    "三个一",
    "五率两评价",
    "好差评",
    "店小二",
    "不见面审批",
    "秒批秒办",
    "一件事一次办",
    "容缺受理",
    "周办周结",
    "十县百乡",
    "网上说事",
    "一键维权",
    "拿地即开工",
    "屋场会",
    "村民说事",
    "三个突出",
    "首问负责",
    "限时办结",
    "先照后证",
    "多证合一",
    "证照分离",
    "一门式",
];

const VERBS: &[&str] = &[
    "推行",
    "深化",
    "创新",
    "打造",
    "探索",
    "扎实推进",
    "全力推动",
    "持续优化",
    "着力提升",
    "构建",
    "做实",
    "聚焦",
];

const EFFECTS: &[&str] = &[
    "提质增效",
    "走深走实",
    "取得实效",
    "见行见效",
    "跑出加速度",
    "按下快捷键",
    "打通最后一公里",
    "实现新突破",
    "再上新台阶",
    "让群众少跑腿",
];

const DEPARTMENTS: &[&str] = &[
    "信访局",
    "行政审批局",
    "医保局",
    "扶贫办",
    "司法局",
    "自然资源局",
    "生态环境局",
    "人社局",
    "住建局",
    "交通运输局",
    "农业农村局",
    "市场监管局",
    "政务服务中心",
    "统计局",
    "应急管理局",
];

const LEADS: &[&str] = &[
    "坚持以人民为中心的发展思想",
    "紧紧围绕省、市工作要点",
    "以群众需求为导向",
    "聚焦企业和群众办事难点堵点",
    "始终把群众满意作为第一标准",
    "按照上级统一部署",
    "结合本地实际",
    "坚持问题导向和目标导向相统一",
];

/// 五型 phrases for bulletins of 2018 on: one per category, several shapes each.
const WUXING: &[&[&str]] = &[
    &[
        "始终把建设“忠诚型”政府摆在首要位置，增强“四个意识”、坚定“四个自信”、做到“两个维护”。",
        "坚持政治引领，打造“忠诚型”政府，不断提高政治站位。",
    ],
    &[
        "以改革创新精神建设“创新型”政府，推行“区块链+电子证照”等新模式。",
        "大胆探索、先行先试，着力建设“创新型”政府。",
    ],
    &[
        "树牢抓落实就是抓发展的理念，争当“担当型”政府排头兵，攻坚克难抓项目建设。",
        "发扬敢于担当、善于攻坚的作风，建设“担当型”政府。",
    ],
    &[
        "持续深化“放管服”改革，优化营商环境，打造“服务型”政府。",
        "以群众满意为标准，推进政务服务“一网通办”，建设人民满意的“服务型”政府。",
    ],
    &[
        "驰而不息纠治“四风”，力戒形式主义、官僚主义，锻造“过硬型”干部队伍。",
        "严明纪律、正风肃纪，建设“过硬型”政府。",
    ],
];

const BRIEF_SECTIONS: &[&str] = &["工作动态", "基层动态", "工作简讯", "各地动态"];
const MAIN_SECTIONS: &[&str] = &["典型推介", "经验交流", "亮点工作", "基层创新", "典型经验"];
const NUMERALS: &[&str] = &["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

/// 文号 prefixes of the Jiangxi cities (as on their documents).
const JX_NUMBER_PREFIX: &[(&str, &str)] = &[
    ("南昌市", "洪"),
    ("景德镇市", "景"),
    ("萍乡市", "萍"),
    ("九江市", "九"),
    ("新余市", "余"),
    ("鹰潭市", "鹰"),
    ("赣州市", "赣市"),
    ("吉安市", "吉"),
    ("宜春市", "宜"),
    ("抚州市", "抚"),
    ("上饶市", "饶"),
];

const NOTICE_SUFFIX: &[&str] = &["府办字", "府办发", "府发", "府字", "府办函"];

// ---------------------------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------------------------

/// What one generated article is meant to be read as.
#[derive(Clone, Debug, PartialEq)]
pub struct ArticleSpec {
    pub title: String,
    /// Gazetteer id of the article's locality.
    pub region_id: u64,
}

/// One generated file and what ingest should read in it.
#[derive(Clone, Debug)]
pub struct SynthDoc {
    /// Path relative to the output folder (`2019/003/b0001234.txt`).
    pub path: String,
    pub text: String,
    pub kind: Kind,
    pub title: String,
    /// YYYY-MM-DD.
    pub date: String,
    pub issue: Option<u32>,
    pub number: Option<String>,
    pub articles: Vec<ArticleSpec>,
}

/// The generator: an endless, deterministic stream of documents.
pub struct Synth<'a> {
    src: &'a Sources,
    places: Places,
    rng: Rng,
    year_weights: Vec<f64>,
    /// Next 期号 per bulletin series, next 文号 number per prefix and year.
    issues: HashMap<String, u32>,
    numbers: HashMap<String, u32>,
    /// Files so far per year (folder buckets) and in total (file names).
    per_year: HashMap<u32, usize>,
    count: usize,
    /// Year of the document being written.
    year: u32,
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// 二〇一九年三月十九日.
fn han_date(y: u32, m: u32, d: u32) -> String {
    const DIGITS: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    let year: String = y
        .to_string()
        .chars()
        .map(|c| DIGITS[c.to_digit(10).unwrap_or(0) as usize])
        .collect();
    let small = |n: u32| -> String {
        match n {
            1..=9 => DIGITS[n as usize].to_string(),
            10 => "十".into(),
            11..=19 => format!("十{}", DIGITS[(n - 10) as usize]),
            _ if n.is_multiple_of(10) => format!("{}十", DIGITS[(n / 10) as usize]),
            _ => format!(
                "{}十{}",
                DIGITS[(n / 10) as usize],
                DIGITS[(n % 10) as usize]
            ),
        }
    };
    format!("{year}年{}月{}日", small(m), small(d))
}

impl<'a> Synth<'a> {
    pub fn new(src: &'a Sources, seed: u64) -> Synth<'a> {
        // Output grows over the years (more units report, more is published online).
        let year_weights =
            cumulate((FIRST_YEAR..=LAST_YEAR).map(|y| 1.0 + (y - FIRST_YEAR) as f64 * 0.15));
        Synth {
            src,
            places: Places::build(),
            rng: Rng::new(seed),
            year_weights,
            issues: HashMap::new(),
            numbers: HashMap::new(),
            per_year: HashMap::new(),
            count: 0,
            year: FIRST_YEAR,
        }
    }

    fn date(&mut self) -> (u32, u32, u32) {
        let y = FIRST_YEAR + weighted(&mut self.rng, &self.year_weights) as u32;
        let m = self.rng.range(1, 12) as u32;
        let d = self.rng.range(1, days_in_month(y, m) as usize) as u32;
        (y, m, d)
    }

    /// A paragraph of real sentences of about `target` characters.
    fn paragraph(&mut self, target: usize, legal_share: f64, out: &mut String) {
        let mut n = 0;
        while n < target {
            let s = self.src.sentence(&mut self.rng, legal_share);
            n += chars(s);
            out.push_str(s);
        }
    }

    /// Body text of about `target` characters: paragraphs of real sentences, sometimes led by
    /// 一是/二是 clauses or 一、 sub-headings as in real bulletins; a 五型 phrase when `wuxing`.
    fn body(&mut self, target: usize, legal_share: f64, wuxing: bool, out: &mut String) {
        let style = self.rng.below(3);
        let mut written = 0;
        let mut k = 0;
        let mut wuxing_at = if wuxing && self.rng.chance(0.7) {
            Some(self.rng.below(3))
        } else {
            None
        };
        while written < target {
            let before = out.len();
            out.push_str("\n\n");
            let numeral = NUMERALS[k.min(NUMERALS.len() - 1)];
            match style {
                1 if k < NUMERALS.len() => {
                    let v = *self.rng.pick(VERBS);
                    let t = self.topic();
                    out.push_str(&format!("{numeral}是{v}{t}。"));
                }
                2 if k < NUMERALS.len() && self.rng.chance(0.5) => {
                    let v = *self.rng.pick(VERBS);
                    let t = self.topic();
                    let head = format!("{numeral}、{v}{t}");
                    if chars(&head) <= 22 {
                        out.push_str(&head);
                        out.push_str("\n\n");
                    }
                }
                _ => {}
            }
            if wuxing_at == Some(k) {
                let cat: &[&str] = WUXING[self.rng.below(WUXING.len())];
                let phrase: &str = self.rng.pick::<&str>(cat);
                out.push_str(phrase);
                wuxing_at = None;
            }
            let len = self.rng.length(160.0, 0.5, 60, 500);
            self.paragraph(
                len.min(target.saturating_sub(written).max(60)),
                legal_share,
                out,
            );
            written += chars(&out[before..]);
            k += 1;
        }
    }

    /// A topic already spoken of in the current document's year.
    fn topic(&mut self) -> &'static str {
        loop {
            let (t, since) = TOPICS[self.rng.below(TOPICS.len())];
            if since <= self.year {
                return t;
            }
        }
    }

    /// A title phrase that, after a place of `room` characters, keeps the title a short line.
    fn title_phrase(&mut self, room: usize) -> String {
        loop {
            let p = self.title_phrase_once();
            if room + chars(&p) <= 36 {
                return p;
            }
        }
    }

    fn title_phrase_once(&mut self) -> String {
        let v = *self.rng.pick(VERBS);
        let t = self.topic();
        let s = *self.rng.pick(SLOGANS);
        let e = *self.rng.pick(EFFECTS);
        match self.rng.below(5) {
            0 => format!("{v}“{s}”{t}{e}"),
            1 => format!("以“{s}”推动{t}{e}"),
            2 => format!("{v}{t}"),
            3 => format!("{t}{e}"),
            _ => format!("“{s}”{v}{t}"),
        }
    }

    fn lead(&mut self) -> String {
        let l = *self.rng.pick(LEADS);
        let v = *self.rng.pick(VERBS);
        let t = self.topic();
        let e = *self.rng.pick(EFFECTS);
        format!("{l}，{v}{t}，推动各项工作{e}。")
    }

    /// A place inside `area` (a city or county id), else anywhere in Jiangxi.
    fn place_in(&mut self, area: Option<u64>) -> usize {
        if let Some(list) = area.and_then(|a| self.places.within.get(&a)) {
            if !list.is_empty() && self.rng.chance(0.9) {
                return list[self.rng.below(list.len())];
            }
        }
        let city = self.places.jx_cities[weighted(&mut self.rng, &self.places.jx_city_weights)];
        let id = self.places.all[city].id;
        match self.places.within.get(&id) {
            Some(list) if !list.is_empty() && self.rng.chance(0.9) => {
                list[self.rng.below(list.len())]
            }
            _ => city,
        }
    }

    /// Next document, with at most `max_articles` articles (≥ 1).
    pub fn next_doc(&mut self, max_articles: usize) -> SynthDoc {
        let (y, m, d) = self.date();
        self.year = y;
        let doc = if max_articles <= 1 || self.rng.chance(0.35) {
            self.notice(y, m, d)
        } else {
            self.bulletin(y, m, d, max_articles)
        };
        let year_count = self.per_year.entry(y).or_default();
        let bucket = *year_count / FILES_PER_FOLDER;
        *year_count += 1;
        self.count += 1;
        let prefix = if doc.kind == Kind::Bulletin { 'b' } else { 'n' };
        SynthDoc {
            path: format!("{y}/{bucket:03}/{prefix}{:07}.txt", self.count),
            ..doc
        }
    }

    fn bulletin(&mut self, y: u32, m: u32, d: u32, max_articles: usize) -> SynthDoc {
        let g = lexicon::gazetteer();
        let other = self.rng.chance(0.12) && !self.places.other.is_empty();
        // Issuing area: a Jiangxi city (most), a county, the province; or a county elsewhere.
        let area: usize = if other {
            self.places.other[self.rng.below(self.places.other.len())]
        } else {
            match self.rng.below(10) {
                0 => self.places.jx_province,
                1..=3 => {
                    let p = self.place_in(None);
                    let pl = &self.places.all[p];
                    pl.county
                        .or(pl.city)
                        .and_then(|c| self.places.all.iter().position(|x| x.id == c))
                        .unwrap_or(p)
                }
                _ => self.places.jx_cities[weighted(&mut self.rng, &self.places.jx_city_weights)],
            }
        };
        let area_place = &self.places.all[area];
        let area_id = area_place.id;
        let area_name = g.get(area_id).map(|u| u.name.clone()).unwrap_or_default();
        let area_level = area_place.level;
        let area_title_name = if other {
            area_place.short.clone()
        } else {
            area_name.clone()
        };
        let wuxing = !other && y >= 2018 && self.rng.chance(0.75);
        let (series, issuer) = if wuxing {
            let bare = match area_level {
                Level::Province => "省",
                Level::City => "市",
                _ => "县",
            };
            let issuer = if self.rng.chance(0.5) {
                format!("{bare}“五型”政府建设领导小组办公室")
            } else {
                format!("{area_name}“五型”政府建设领导小组办公室")
            };
            let sep = if self.rng.chance(0.5) { " " } else { "" };
            (
                format!("{area_title_name}“五型”政府建设{sep}工作简报"),
                issuer,
            )
        } else {
            let theme = loop {
                let (t, since) = *self.rng.pick(&[
                    ("政务服务", 2005),
                    ("优化营商环境", 2016),
                    ("信访", 2005),
                    ("政务公开", 2005),
                    ("精准扶贫", 2014),
                    ("乡村振兴", 2018),
                    ("安全生产", 2005),
                    ("河长制", 2016),
                ]);
                if since <= y {
                    break t;
                }
            };
            let issuer = format!("{area_title_name}人民政府办公室");
            (format!("{area_title_name}{theme}工作简报"), issuer)
        };
        let issue = {
            let key = series.replace(' ', "");
            let first = self.rng.range(1, 40) as u32;
            let n = self.issues.entry(key).or_insert(first);
            let issue = *n;
            *n += 1;
            issue
        };
        let mut t = String::with_capacity(8192);
        t.push_str(&series);
        t.push_str("\n\n");
        t.push_str(&match self.rng.below(3) {
            0 => format!("第{issue}期"),
            1 => format!("第 {issue} 期"),
            _ => format!("（第{issue}期）"),
        });
        t.push_str("\n\n");
        t.push_str(&issuer);
        t.push_str("\n\n");
        t.push_str(&if self.rng.chance(0.5) {
            format!("{y}年{m}月{d}日")
        } else {
            format!("{y} 年 {m} 月 {d} 日")
        });
        t.push('\n');

        let total = self.rng.range(1, 8).min(max_articles);
        let sectioned = self.rng.chance(0.6);
        let briefs = if sectioned && total >= 2 {
            self.rng.range(0, (total - 1).min(5))
        } else {
            0
        };
        let mains = total - briefs;
        let scope = match area_level {
            Level::Province => None,
            _ => Some(area_id),
        };
        // 市信访局 / 县医保局: a department of the issuing government, as bulletins write it.
        let bare_prefix = match area_level {
            Level::City => Some("市"),
            Level::County if area_name.ends_with('县') => Some("县"),
            Level::County if area_name.ends_with('区') => Some("区"),
            _ => None,
        };
        let mut articles = Vec::new();
        if sectioned {
            let s = *self.rng.pick(MAIN_SECTIONS);
            t.push_str(&format!("\n【{s}】\n"));
        }
        for _ in 0..mains {
            let (p, dept) = if other {
                (area, None)
            } else if bare_prefix.is_some() && self.rng.chance(0.1) {
                (area, Some(*self.rng.pick(DEPARTMENTS)))
            } else {
                (self.place_in(scope), None)
            };
            let place = &self.places.all[p];
            let (region_id, full, short) = (place.id, place.full.clone(), place.short.clone());
            let is_town = place.level == Level::Town;
            let room = match dept {
                Some(dept) => 1 + chars(dept),
                None => chars(&short),
            };
            let phrase = self.title_phrase(room);
            let (title, lead_subject) = match dept {
                Some(dept) => {
                    let bare = bare_prefix.unwrap_or_default();
                    (format!("{bare}{dept}{phrase}"), format!("{bare}{dept}"))
                }
                None => (format!("{short}{phrase}"), full),
            };
            t.push('\n');
            if dept.is_none() && self.rng.chance(0.2) && is_town {
                // Two-line title, place first (大余县新城镇 / “三个突出”探索…).
                t.push_str(&short);
                t.push_str("\n\n");
                t.push_str(&phrase);
            } else {
                t.push_str(&title);
            }
            t.push_str("\n\n");
            t.push_str(&lead_subject);
            t.push_str(&self.lead());
            let len = self.rng.length(650.0, 0.6, 250, 2400);
            self.body(len, 0.15, wuxing, &mut t);
            t.push('\n');
            articles.push(ArticleSpec { title, region_id });
        }
        if briefs > 0 {
            let s = *self.rng.pick(BRIEF_SECTIONS);
            t.push_str(&format!("\n【{s}】\n"));
            for _ in 0..briefs {
                let p = if other { area } else { self.place_in(scope) };
                let place = &self.places.all[p];
                let (region_id, full) = (place.id, place.full.clone());
                let v = *self.rng.pick(VERBS);
                let topic = self.topic();
                let s = *self.rng.pick(SLOGANS);
                let mut clause = format!("{full}{v}“{s}”{topic}");
                if chars(&clause) > 38 {
                    clause = format!("{full}{v}{topic}");
                }
                t.push('\n');
                t.push_str(&clause);
                t.push('，');
                let l = *self.rng.pick(LEADS);
                t.push_str(l);
                t.push('。');
                let len = self.rng.length(150.0, 0.4, 60, 400);
                self.paragraph(len, 0.1, &mut t);
                t.push('\n');
                articles.push(ArticleSpec {
                    title: clause,
                    region_id,
                });
            }
        }
        t.push('\n');
        if self.rng.chance(0.5) {
            t.push_str("报送：省“五型”政府建设领导小组办公室，市委、市政府领导\n\n");
        }
        t.push_str(&issuer);
        t.push_str("编\n");
        if self.rng.chance(0.6) {
            t.push_str(&format!(
                "\n电话：{}\n",
                8_000_000 + self.rng.below(999_999)
            ));
        }
        SynthDoc {
            path: String::new(),
            text: t,
            kind: Kind::Bulletin,
            title: series,
            date: format!("{y:04}-{m:02}-{d:02}"),
            issue: Some(issue),
            number: None,
            articles,
        }
    }

    fn notice(&mut self, y: u32, m: u32, d: u32) -> SynthDoc {
        let g = lexicon::gazetteer();
        // Issuer: the province, a Jiangxi city or county, or a county elsewhere.
        let p = match self.rng.below(20) {
            0..=2 => self.places.jx_province,
            3..=4 if !self.places.other.is_empty() => {
                self.places.other[self.rng.below(self.places.other.len())]
            }
            5..=11 => self.places.jx_cities[weighted(&mut self.rng, &self.places.jx_city_weights)],
            _ => {
                let p = self.place_in(None);
                let pl = &self.places.all[p];
                pl.county
                    .and_then(|c| self.places.all.iter().position(|x| x.id == c))
                    .unwrap_or(p)
            }
        };
        let place = &self.places.all[p];
        let region_id = place.id;
        let name = g.get(region_id).map(|u| u.name.clone()).unwrap_or_default();
        let level = place.level;
        let jx = g.is_within(region_id, 360000);
        let org_place = if jx {
            name.clone()
        } else {
            place.short.clone()
        };
        let (org, addressee) = match level {
            Level::Province => (
                format!("{name}人民政府办公厅"),
                "各市、县（区）人民政府，省政府各部门：",
            ),
            Level::City => (
                format!("{org_place}人民政府办公室"),
                "各县（市、区）人民政府，市政府各部门：",
            ),
            _ => (
                format!("{org_place}人民政府办公室"),
                "各乡（镇）人民政府，县政府各部门：",
            ),
        };
        let prefix = match level {
            Level::Province => "赣".to_string(),
            Level::City => JX_NUMBER_PREFIX
                .iter()
                .find(|(n, _)| *n == name)
                .map_or_else(|| name.chars().take(1).collect(), |x| x.1.to_string()),
            _ => name.chars().take(1).collect(),
        };
        let suffix = if level == Level::Province {
            *self.rng.pick(&["府厅字", "府厅发", "府字", "府发"])
        } else {
            *self.rng.pick(NOTICE_SUFFIX)
        };
        let key = format!("{prefix}{suffix}{y}");
        let first = self.rng.range(1, 20) as u32;
        let n = self.numbers.entry(key).or_insert(first);
        let seq = *n;
        *n += self.rng.range(1, 4) as u32;
        let number = format!("{prefix}{suffix}〔{y}〕{seq}号");
        let topic = self.topic();
        let what = match self.rng.below(5) {
            0 => format!("关于印发{y}年{topic}工作要点的通知"),
            1 => format!("关于进一步做好{topic}工作的通知"),
            2 => format!("关于开展{topic}专项行动的通知"),
            3 => format!("关于加强{topic}工作的通知"),
            _ => format!("关于做好{y}年{topic}工作的通知"),
        };
        let title = format!("{org}{what}");

        let mut t = String::with_capacity(16384);
        if self.rng.chance(0.5) {
            t.push_str(&format!("{org}文件\n\n"));
        }
        t.push_str(&number);
        t.push_str("\n\n");
        t.push_str(&title);
        t.push_str("\n\n");
        t.push_str(addressee);
        t.push_str("\n\n");
        let l = *self.rng.pick(LEADS);
        t.push_str(&format!(
            "为{l}，进一步做好{topic}工作，经{}政府同意，现将有关事项通知如下：",
            match level {
                Level::Province => "省",
                Level::City => "市",
                _ => "县",
            }
        ));
        let len = self.rng.length(1100.0, 0.6, 300, 8000);
        let wuxing = jx && y >= 2018 && self.rng.chance(0.2);
        self.body(len, 0.6, wuxing, &mut t);
        if self.rng.chance(0.5) {
            t.push_str("\n\n特此通知。");
        }
        t.push_str("\n\n");
        t.push_str(&org);
        t.push_str("\n\n");
        t.push_str(&if self.rng.chance(0.1) {
            han_date(y, m, d)
        } else {
            format!("{y}年{m}月{d}日")
        });
        t.push('\n');
        if self.rng.chance(0.4) {
            t.push_str("\n（此件主动公开）\n");
        }
        SynthDoc {
            path: String::new(),
            text: t,
            kind: Kind::Notice,
            title: title.clone(),
            date: format!("{y:04}-{m:02}-{d:02}"),
            issue: None,
            number: Some(number),
            articles: vec![ArticleSpec { title, region_id }],
        }
    }
}

/// What [`write`] produced.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub documents: usize,
    pub articles: usize,
    pub bytes: u64,
}

/// Writes documents totalling exactly `articles` articles under `out`.
pub fn write(src: &Sources, seed: u64, articles: usize, out: &Path) -> anyhow::Result<Summary> {
    let t0 = Instant::now();
    std::fs::create_dir_all(out)
        .with_context(|| format!("cannot create output folder {}", out.display()))?;
    let mut synth = Synth::new(src, seed);
    tracing::info!(places = synth.places.all.len(), "gazetteer places");
    let mut sum = Summary {
        documents: 0,
        articles: 0,
        bytes: 0,
    };
    let mut made = std::collections::HashSet::new();
    let mut last_log = Instant::now();
    while sum.articles < articles {
        let doc = synth.next_doc(articles - sum.articles);
        let path = out.join(&doc.path);
        let dir = path.parent().expect("file has a folder");
        if made.insert(dir.to_path_buf()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create folder {}", dir.display()))?;
        }
        let mut f = std::fs::File::create(&path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        f.write_all(doc.text.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
        sum.documents += 1;
        sum.articles += doc.articles.len();
        sum.bytes += doc.text.len() as u64;
        if last_log.elapsed().as_secs() >= 5 {
            last_log = Instant::now();
            tracing::info!(
                articles = sum.articles,
                documents = sum.documents,
                mb = sum.bytes / 1_000_000,
                secs = t0.elapsed().as_secs(),
                "writing"
            );
        }
    }
    Ok(sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seeds() -> Sources {
        Sources::load(&[Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds")]).unwrap()
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let src = seeds();
        let dir = tempfile::tempdir().unwrap();
        let (a, b, c) = (
            dir.path().join("a"),
            dir.path().join("b"),
            dir.path().join("c"),
        );
        let sa = write(&src, 7, 40, &a).unwrap();
        let sb = write(&src, 7, 40, &b).unwrap();
        write(&src, 8, 40, &c).unwrap();
        assert_eq!(sa, sb);
        assert_eq!(sa.articles, 40);
        let files = |d: &Path| -> Vec<(String, Vec<u8>)> {
            let mut v: Vec<_> = walkdir::WalkDir::new(d)
                .into_iter()
                .map(|e| e.unwrap())
                .filter(|e| e.file_type().is_file())
                .map(|e| {
                    (
                        e.path()
                            .strip_prefix(d)
                            .unwrap()
                            .to_string_lossy()
                            .into_owned(),
                        std::fs::read(e.path()).unwrap(),
                    )
                })
                .collect();
            v.sort();
            v
        };
        assert_eq!(files(&a), files(&b));
        assert_ne!(files(&a), files(&c));
        assert_eq!(files(&a).len(), sa.documents);
    }

    /// Generates `n` documents and checks that ingest reads each as intended: kind, title,
    /// date, 期号/文号 and the article titles exactly, the localities nearly always.
    fn parses_as_intended(src: &Sources, n: usize) {
        let mut synth = Synth::new(src, 42);
        let (mut total, mut placed, mut kinds) = (0, 0, [0usize; 2]);
        for _ in 0..n {
            let doc = synth.next_doc(8);
            let parsed = crate::ingest::parse(&doc.path, &doc.text);
            assert_eq!(parsed.kind, doc.kind, "{}", doc.text);
            kinds[(doc.kind == Kind::Bulletin) as usize] += 1;
            assert_eq!(
                parsed.date.as_deref(),
                Some(doc.date.as_str()),
                "{}",
                doc.text
            );
            assert_eq!(parsed.issue, doc.issue, "{}", doc.text);
            assert_eq!(parsed.number, doc.number, "{}", doc.text);
            assert_eq!(parsed.title, doc.title.replace(' ', ""), "{}", doc.text);
            let got: Vec<&str> = parsed.articles.iter().map(|a| a.title.as_str()).collect();
            let want: Vec<&str> = doc.articles.iter().map(|a| a.title.as_str()).collect();
            assert_eq!(got, want, "{}", doc.text);
            for (a, want) in parsed.articles.iter().zip(&doc.articles) {
                total += 1;
                if a.region_id == Some(want.region_id) {
                    placed += 1;
                } else {
                    eprintln!("placed elsewhere: {} → {:?} ({})", a.title, a.region, a.why);
                }
            }
        }
        assert!(kinds[0] * 10 > n && kinds[1] * 10 > n, "{kinds:?}");
        // Words of the title frame can, rarely, make jieba cut a place name differently.
        assert!(
            placed * 100 >= total * 98,
            "{placed}/{total} articles placed as intended"
        );
    }

    #[test]
    fn generated_documents_parse_as_intended() {
        parses_as_intended(&seeds(), 120);
    }

    /// The same with the default sources (shared/ beside the clone): `cargo test --release
    /// --lib synth -- --ignored`.
    #[test]
    #[ignore]
    fn generated_documents_parse_as_intended_with_default_sources() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dirs: Vec<PathBuf> = DEFAULT_SOURCES.iter().map(|d| root.join(d)).collect();
        parses_as_intended(&Sources::load(&dirs).unwrap(), 5000);
    }

    #[test]
    fn sentences_are_clean_body_text() {
        let mut got = Vec::new();
        sentences(
            "# 标题\n\n第十二条　县级以上人民政府应当加强政务公开工作，保障公民知情权。“引号未闭合。\n\n”开头是闭引号的句子应当丢弃。见赣府发〔2019〕1号文件的要求执行。",
            |s| got.push(s.to_string()),
        );
        assert_eq!(
            got,
            ["县级以上人民政府应当加强政务公开工作，保障公民知情权。"]
        );
        assert_eq!(han_date(2019, 3, 19), "二〇一九年三月十九日");
        assert_eq!(han_date(2020, 10, 30), "二〇二〇年十月三十日");
    }

    #[test]
    fn unreadable_source_is_a_clear_error() {
        let e = Sources::load(&[PathBuf::from("/nonexistent/zhengsou-src")])
            .err()
            .unwrap();
        assert!(
            format!("{e:#}").contains("source folder /nonexistent/zhengsou-src"),
            "{e:#}"
        );
    }
}
