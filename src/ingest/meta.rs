//! Document metadata from its lines: kind, title, date, 文号, 期号, issuer.
//!
//! Only the document's own head (masthead, title block, 来源/发布日期 lines) and its signature
//! are read for 文号 and 期号: numbers cited in the body belong to other documents.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use super::text::Line;

/// What a document is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Notice,
    Bulletin,
    Other,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Notice => "notice",
            Kind::Bulletin => "bulletin",
            Kind::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "notice" => Some(Kind::Notice),
            "bulletin" => Some(Kind::Bulletin),
            "other" => Some(Kind::Other),
            _ => None,
        }
    }
    pub fn code(self) -> u64 {
        self as u64
    }
    pub fn from_code(c: u64) -> Kind {
        match c {
            0 => Kind::Notice,
            1 => Kind::Bulletin,
            _ => Kind::Other,
        }
    }
}

/// How many lines from the top count as the document's head.
const HEAD: usize = 12;

static ISSUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"第\s*([0-9]{1,5}|[一二三四五六七八九十百〇零]{1,6})\s*期").unwrap()
});
static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([\p{Han}]{1,12}?)\s*[〔\[［【(（﹝｛{]\s*((?:19|20)[0-9]{2})\s*[〕\]］】)）﹞｝}]\s*第?\s*([0-9]{1,5})\s*([号號])").unwrap()
});
static DATE_NUM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"((?:19|20)[0-9]{2})\s*(?:年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*日|[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})(?:[^0-9]|$))").unwrap()
});
static DATE_HAN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([〇○零一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日").unwrap()
});
static BULLETIN_MARK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"简报|專報|专报|快报|快報|簡報|工作动态|信息专刊|情况反映").unwrap()
});
static NOTICE_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(通知|意见|办法|方案|决定|通报|批复|公告|通告|规定|细则|规划|公示|请示|函|意見|辦法|決定|通報|批覆|規定)$").unwrap()
});
static META_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(您当前所在位置|您当前的位置|当前位置|当前的位置|您的位置|返回首页|首页\s*[>›»]|来源\s*[:：]|發布|发布(日期|时间)\s*[:：]|信息来源|作者\s*[:：]|访问量|浏览次数|点击数|字号|【字体|打印本页|分享到|第[a-z]?\d+版|copyright|版权所有|主办单位|.*次浏览$|.*\d+\s*阅读$)").unwrap()
});
static ORG_END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(办公室|办公厅|人民政府|委员会|领导小组|工作部|政府|局|厅|委|部|中心|管委会|编辑部)(编印?|编发)?$").unwrap()
});

/// `标  题: X`, `发文机关: X`, `發文機關X` …: a labelled field of a metadata block.
static FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(标\s*题|题\s*名|文件名称|发文机关|成文日期|发文日期|发文字号|文\s*号|时效性|效力级别|施行日期|索\s*引\s*号|主题分类|信息分类)\s*[:：]?\s*(.+)$").unwrap()
});
/// Sentences that make a document a notice even without a title or 文号.
static NOTICE_FORMULA: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"特此通知|特此公告|特此通报|现予以?公示|此复|现将.{0,30}通报如下|请认真贯彻|请遵照执行",
    )
    .unwrap()
});

/// The value of a labelled metadata field in the head (`field` one of 标题, 发文机关, 成文日期, 发文字号).
fn field(head: &[&str], field: &str) -> Option<String> {
    head.iter().find_map(|l| {
        // Matched on the folded line, so 發文機關 (traditional) is 发文机关; the value is cut
        // from the line as printed (the fold keeps character positions).
        let folded = folded(l);
        let c = FIELD.captures(&folded)?;
        let name: String = crate::chars::stream(&c[1]).into_iter().collect();
        let wanted = match field {
            "标题" => ["标题", "题名", "文件名称"].contains(&name.as_str()),
            "发文机关" => name == "发文机关",
            "成文日期" => name == "成文日期" || name == "发文日期",
            _ => name == "发文字号" || name == "文号",
        };
        let start = folded[..c.get(2)?.start()].chars().count();
        wanted.then(|| l.chars().skip(start).collect::<String>().trim().to_string())
    })
}

/// `s` with every character folded (same length in characters).
fn folded(s: &str) -> String {
    s.chars().map(crate::chars::fold).collect()
}

/// Everything the head and signature tell about a document.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Meta {
    pub kind: Option<Kind>,
    pub title: String,
    /// Index of the last title line (the head ends here at the earliest).
    pub title_lines: Vec<usize>,
    pub date: Option<String>,
    pub issue: Option<u32>,
    pub number: Option<String>,
    pub issuer: Option<String>,
    /// Why each value was chosen, for `zhengsou inspect --explain`.
    pub why: Vec<String>,
}

/// `field: value (line N: "text")`, naming the first line that shows the value.
fn locate(lines: &[Line], field: &str, value: &str) -> String {
    let probe: String = crate::chars::stream(value).into_iter().take(12).collect();
    let shows = |l: &Line| {
        if field == "date" {
            dates_in(&l.text).iter().any(|(d, _)| d == value)
        } else {
            crate::chars::stream(&l.text)
                .into_iter()
                .collect::<String>()
                .contains(&probe)
        }
    };
    match lines.iter().position(shows) {
        Some(i) => format!(
            "{field}: {value} (line {}: {:?})",
            i + 1,
            lines[i].text.chars().take(40).collect::<String>()
        ),
        None => format!("{field}: {value}"),
    }
}

/// Value of a Chinese numeral up to 9999 (二十二, 一百五十, 〇).
pub fn han_number(s: &str) -> Option<u32> {
    let digit = |c: char| {
        "〇零一二三四五六七八九".find(c).map(|i| {
            let idx = "〇零一二三四五六七八九"[..i].chars().count() as u32;
            idx.saturating_sub(1)
        })
    };
    let mut total = 0u32;
    let mut cur = 0u32;
    let mut any = false;
    for c in s.chars() {
        any = true;
        match c {
            '十' => {
                total += if cur == 0 { 10 } else { cur * 10 };
                cur = 0;
            }
            '百' => {
                total += if cur == 0 { 100 } else { cur * 100 };
                cur = 0;
            }
            '○' => cur *= 10,
            _ => cur = cur * 10 + digit(c)?,
        }
    }
    any.then_some(total + cur)
}

fn valid_date(y: u32, m: u32, d: u32) -> Option<String> {
    ((1949..=2100).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d))
        .then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// All dates in a line, in order, as YYYY-MM-DD, with the byte offset where each ends.
pub fn dates_in(s: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for c in DATE_NUM.captures_iter(s) {
        let y = c[1].parse().unwrap_or(0);
        let (m, d) = match (c.get(2), c.get(3), c.get(4), c.get(5)) {
            (Some(m), Some(d), _, _) | (_, _, Some(m), Some(d)) => (
                m.as_str().parse().unwrap_or(0),
                d.as_str().parse().unwrap_or(0),
            ),
            _ => continue,
        };
        if let Some(date) = valid_date(y, m, d) {
            out.push((date, c.get(0).unwrap().end()));
        }
    }
    for c in DATE_HAN.captures_iter(s) {
        let year: String = c[1]
            .chars()
            .filter_map(|ch| han_number(&ch.to_string()))
            .map(|n| char::from_digit(n, 10).unwrap_or('0'))
            .collect();
        let y = year.parse().unwrap_or(0);
        let (m, d) = (
            han_number(&c[2]).unwrap_or(0),
            han_number(&c[3]).unwrap_or(0),
        );
        if let Some(date) = valid_date(y, m, d) {
            out.push((date, c.get(0).unwrap().end()));
        }
    }
    out.sort_by_key(|(_, end)| *end);
    out
}

/// A time of day and a view counter after a date (`2025-07-21 12:00 阅读`).
static TIME_TAIL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*([0-9]{1,2}:[0-9]{2}(:[0-9]{2})?)?\s*(阅读|浏览)?").unwrap());

/// A line that is essentially a date, maybe after the signing body or before 印发/发布
/// (a masthead date, a signature, a 落款).
fn date_line(s: &str) -> Option<String> {
    let dates = dates_in(s);
    let (date, end) = dates.last()?;
    let rest = TIME_TAIL.replace(&s[*end..], "");
    let rest = rest.trim_matches(|c: char| c.is_whitespace() || "印发發布制成文)）".contains(c));
    (rest.is_empty() && s.chars().count() <= 40).then(|| date.clone())
}

/// Breadcrumbs, 来源/发布日期/访问量 lines and other web-page chrome.
pub fn is_meta_line(s: &str) -> bool {
    META_LINE.is_match(s)
        || FIELD.is_match(&folded(s))
        || s.contains("访问量")
        || s.contains("发布日期")
        || s.contains("发布时间")
}

/// Normalises a 文号's brackets to 〔〕 (赣府发[2012]8号 → 赣府发〔2012〕8号).
pub fn normalize_number(s: &str) -> Option<String> {
    let c = NUMBER.captures(s)?;
    Some(format!("{}〔{}〕{}{}", &c[1], &c[2], &c[3], &c[4]))
}

/// The key a 文号 filter compares: brackets and 號/号 alike, no spaces.
pub fn number_key(s: &str) -> String {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let norm = normalize_number(&s).unwrap_or(s);
    norm.replace('號', "号").replace('第', "")
}

/// Reads the metadata of a document from its logical lines.
pub fn read(lines: &[Line]) -> Meta {
    let head: Vec<&str> = lines.iter().take(HEAD).map(|l| l.text.as_str()).collect();
    let mut m = Meta {
        number: head.iter().find_map(|l| normalize_number(l)),
        ..Meta::default()
    };
    m.issue = head.iter().find_map(|l| {
        let c = ISSUE.captures(l)?;
        // 〔2019〕第20期 is a citation of another bulletin.
        if l.contains('〔') && !BULLETIN_MARK.is_match(l) {
            return None;
        }
        c[1].parse().ok().or_else(|| han_number(&c[1]))
    });

    let bulletin_line = head
        .iter()
        .take(8)
        .position(|l| BULLETIN_MARK.is_match(l) && l.chars().count() <= 50 && !is_meta_line(l));
    let (title, title_lines) = find_title(lines, bulletin_line);
    m.title = title;
    m.title_lines = title_lines;
    if let Some(t) = field(&head, "标题").filter(|t| !t.is_empty()) {
        m.title = t;
    }
    if let Some(n) = field(&head, "发文字号").and_then(|n| normalize_number(&n)) {
        m.number = Some(n);
    }

    let notice_rule = if m.number.is_some() {
        Some("it has a 文号")
    } else if NOTICE_TITLE.is_match(&m.title)
        || (m.title.contains("关于") && m.title.contains("印发"))
    {
        Some("its title names a 通知/意见/方案… or 印发s one")
    } else if addressee(lines).is_some() {
        Some("it opens with an addressee line")
    } else if lines.iter().any(|l| NOTICE_FORMULA.is_match(&l.text)) {
        Some("it uses a notice formula (特此通知, 现予公示 …)")
    } else {
        None
    };
    let (kind, rule) = if bulletin_line.is_some()
        && (m.issue.is_some()
            || head
                .iter()
                .any(|l| l.contains("简报") || l.contains("专报")))
    {
        (Kind::Bulletin, "a 简报/专报 masthead with 第N期")
    } else if let Some(rule) = notice_rule {
        (Kind::Notice, rule)
    } else {
        (Kind::Other, "no masthead, 文号 or notice wording")
    };
    m.kind = Some(kind);
    m.why.push(format!("kind: {} ({rule})", kind.as_str()));

    m.date = field(&head, "成文日期")
        .and_then(|d| dates_in(&d).into_iter().next().map(|(d, _)| d))
        .or_else(|| find_date(lines, kind));
    m.issuer = field(&head, "发文机关")
        .map(|v| {
            v.split(['(', '（', ' '])
                .next()
                .unwrap_or(&v)
                .trim()
                .to_string()
        })
        .filter(|v| !v.is_empty())
        .or_else(|| find_issuer(lines, kind, &m.title));
    if m.title.is_empty() {
        m.why
            .push("title: none printed (the text opens with body text or chrome)".into());
    } else {
        m.why.push(locate(lines, "title", &m.title));
    }
    for (name, value) in [
        ("date", m.date.clone()),
        ("number", m.number.clone()),
        ("issuer", m.issuer.clone()),
        ("issue", m.issue.map(|i| format!("第{i}期"))),
    ] {
        match value {
            Some(v) => m.why.push(locate(lines, name, &v)),
            None => m.why.push(format!("{name}: not shown")),
        }
    }
    m
}

/// The addressee line at the top of a formal document (`各乡镇人民政府…:`, `市政府督查室:`).
fn addressee(lines: &[Line]) -> Option<usize> {
    lines.iter().take(HEAD).position(|l| {
        let t = &l.text;
        t.ends_with([':', '：'])
            && t.chars().count() <= 60
            && !is_meta_line(t)
            && [
                "政府",
                "办公室",
                "部门",
                "单位",
                "机构",
                "街道",
                "乡镇",
                "室",
                "局",
                "委",
            ]
            .iter()
            .any(|w| t.contains(w))
    })
}

/// True when `s` does not look like a title: a sentence, a numbered item, an addressee, chrome.
fn not_a_title(s: &str) -> bool {
    s.contains('。')
        || super::text::is_numbered(s)
        || s.ends_with([':', '：', '，', ',', '、', '；', ';'])
        || is_meta_line(s)
        || s.chars().count() > 60
}

fn title_like(s: &str) -> bool {
    let n = s.chars().count();
    (4..=60).contains(&n) && !not_a_title(s) && date_line(s).is_none()
}

/// Mastheads and numbers above a title: `…文件`, 文号, dates, 期号.
fn masthead(s: &str) -> bool {
    (s.ends_with("文件") && s.chars().count() <= 30)
        || (normalize_number(s).is_some() && s.chars().count() <= 30)
        || date_line(s).is_some()
        || ISSUE.is_match(s) && s.chars().count() <= 12
}

/// Title: the bulletin masthead, else a 关于…的通知 block, else the first title-like line
/// after the page chrome. Titles broken over lines are joined.
fn find_title(lines: &[Line], bulletin_line: Option<usize>) -> (String, Vec<usize>) {
    if let Some(i) = bulletin_line {
        let mut idx = vec![i];
        // "衡东社会工作" / "(12345热线专报)": the masthead may be two lines.
        if let Some(next) = lines.get(i + 1) {
            let t = &next.text;
            if (t.starts_with('(') || t.starts_with('（'))
                && t.chars().count() <= 20
                && BULLETIN_MARK.is_match(t)
            {
                idx.push(i + 1);
            }
        }
        if i > 0 && lines[i].text.starts_with(['(', '（']) && title_like(&lines[i - 1].text) {
            idx.insert(0, i - 1);
        }
        let title = idx
            .iter()
            .map(|&j| lines[j].text.as_str())
            .collect::<String>();
        return (title, idx);
    }
    let head = lines.len().min(HEAD);
    // A title ending in 通知/意见/… possibly spread over up to three lines.
    for i in 0..head {
        let t = &lines[i].text;
        if !title_like(t) || t.ends_with("文件") || normalize_number(t).is_some() {
            continue;
        }
        let mut text = String::new();
        let mut idx = Vec::new();
        for (j, line) in lines.iter().enumerate().skip(i).take(3) {
            if !title_like(&line.text) || (j > i && normalize_number(&line.text).is_some()) {
                break;
            }
            text.push_str(&line.text);
            idx.push(j);
            if NOTICE_TITLE.is_match(&text) && (text.contains("关于") || j > i) {
                return (text, idx);
            }
        }
    }
    // Otherwise the first line that is not chrome or masthead is the title, if it looks like one;
    // a document that opens with body text has no title.
    let first = lines
        .iter()
        .enumerate()
        .take(head)
        .find(|(_, l)| !is_meta_line(&l.text) && !masthead(&l.text));
    match first {
        Some((i, l)) if title_like(&l.text) => (l.text.clone(), vec![i]),
        _ => (String::new(), Vec::new()),
    }
}

fn find_date(lines: &[Line], kind: Kind) -> Option<String> {
    let head = lines.len().min(HEAD);
    let top = lines[..head].iter().find_map(|l| {
        date_line(&l.text).or_else(|| {
            // 2019年2月26日在镇第十四届人民代表大会…: the day a report was delivered.
            let (d, end) = dates_in(&l.text).into_iter().next()?;
            let before = &l.text[..end];
            (dates_in(before).len() == 1
                && l.text[end..].starts_with('在')
                && before.chars().count() <= 12)
                .then_some(d)
        })
    });
    let tail = lines.iter().rev().take(8).find_map(|l| date_line(&l.text));
    let published = lines[..head]
        .iter()
        .filter(|l| is_meta_line(&l.text))
        .find_map(|l| dates_in(&l.text).into_iter().next().map(|(d, _)| d));
    match kind {
        // The signature (成文日期) of a notice comes last.
        Kind::Notice => tail.or(top).or(published),
        _ => top.or(published).or(tail),
    }
}

fn find_issuer(lines: &[Line], kind: Kind, title: &str) -> Option<String> {
    let head = &lines[..lines.len().min(HEAD)];
    let clean = |s: &str| -> String {
        let s = match dates_in(s).first() {
            Some(_) => DATE_NUM.replace_all(s, "").into_owned(),
            None => s.to_string(),
        };
        s.trim().trim_end_matches(['编', '印']).trim().to_string()
    };
    let org_line = |l: &&Line| {
        let t = clean(&l.text);
        t.chars().count() >= 4
            && t.chars().count() <= 30
            && ORG_END.is_match(&t)
            && !t.contains("关于")
    };
    if kind == Kind::Notice {
        if let Some(l) = head
            .iter()
            .find(|l| l.text.ends_with("文件") && l.text.chars().count() <= 30)
        {
            return Some(l.text.trim_end_matches("文件").trim().to_string());
        }
        // 关于 through the fold, so that 關於 in traditional script is found too.
        let folded: Vec<char> = title.chars().map(crate::chars::fold).collect();
        if let Some(pos) = folded.windows(2).position(|w| w == ['关', '于']) {
            if pos > 0 {
                return Some(title.chars().take(pos).collect());
            }
        }
        return lines
            .iter()
            .rev()
            .take(6)
            .find(org_line)
            .map(|l| clean(&l.text));
    }
    if kind == Kind::Bulletin {
        if let Some(l) = head
            .iter()
            .filter(|l| !BULLETIN_MARK.is_match(&l.text))
            .find(org_line)
        {
            return Some(clean(&l.text));
        }
        if let Some(m) = BULLETIN_MARK.find(title) {
            let before = title[..m.start()].trim();
            if ORG_END.is_match(before) {
                return Some(before.to_string());
            }
        }
    }
    head.iter().find_map(|l| {
        let t = &l.text;
        let i = t.find("来源")?;
        let rest = t[i + "来源".len()..].trim_start_matches([':', '：', ' ']);
        let end = [
            "访问量",
            "发布日期",
            "发布时间",
            "作者",
            "浏览",
            "点击",
            "字号",
            "时间",
        ]
        .iter()
        .filter_map(|w| rest.find(w))
        .chain(rest.find(|c: char| c.is_whitespace()))
        .min()
        .unwrap_or(rest.len());
        let v = rest[..end].trim();
        (!v.is_empty()).then(|| v.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::text::lines;

    #[test]
    fn dates_in_all_forms() {
        assert_eq!(dates_in("2019 年 5 月 14 日")[0].0, "2019-05-14");
        assert_eq!(
            dates_in("发布日期: 2023-01-11   访问量:")[0].0,
            "2023-01-11"
        );
        assert_eq!(dates_in("二〇二〇年一月二十二日")[0].0, "2020-01-22");
        assert_eq!(
            date_line("2020年1月22日印发").as_deref(),
            Some("2020-01-22")
        );
        assert_eq!(han_number("二十二"), Some(22));
        assert_eq!(han_number("一百五十"), Some(150));
    }

    #[test]
    fn numbers_normalise_brackets() {
        assert_eq!(
            normalize_number("赣府发[2012]8号").as_deref(),
            Some("赣府发〔2012〕8号")
        );
        assert_eq!(number_key("赣府厅字 (2020) 9 號"), "赣府厅字〔2020〕9号");
        assert_eq!(
            number_key("赣府厅字【2020】9号"),
            number_key("赣府厅字〔2020〕9号")
        );
    }

    #[test]
    fn notice_head() {
        let src = "江西省人民政府办公厅文件\n\n赣府厅字〔2020〕9号\n\n江西省人民政府办公厅关于印发 2020 年 全省“五型”政府建设工作要点的通知\n\n各市、县(区)人民政府,省政府各部门:\n\n正文。\n\n江西省人民政府办公厅秘书处\n\n2020年1月22日印发\n";
        let m = read(&lines(src));
        assert_eq!(m.kind, Some(Kind::Notice));
        assert_eq!(m.number.as_deref(), Some("赣府厅字〔2020〕9号"));
        assert_eq!(m.date.as_deref(), Some("2020-01-22"));
        assert_eq!(m.issuer.as_deref(), Some("江西省人民政府办公厅"));
        assert_eq!(
            m.title,
            "江西省人民政府办公厅关于印发2020年全省“五型”政府建设工作要点的通知"
        );
    }
}
