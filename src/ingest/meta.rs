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

/// Bullets portals put before metadata fields (• 发文字号:).
const BULLETS: &[char] = &['•', '·', '▪', '◆', '■', '●', '*', '-', ' '];

/// How many substantial lines from the top count as the document's head.
const HEAD: usize = 12;

/// The end of the document's head: its first [`HEAD`] lines, not counting page chrome and the
/// one-word items of a portal's navigation menu (首页 / 政务公开 / 无障碍) saved above the text.
fn head_len(lines: &[Line]) -> usize {
    let mut substantial = 0;
    for (i, l) in lines.iter().enumerate() {
        if l.text.chars().count() > 6 && !is_meta_line(&l.text) {
            substantial += 1;
            if substantial == HEAD {
                return i + 1;
            }
        }
    }
    lines.len()
}

static ISSUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"第\s*([0-9]{1,5}|[一二三四五六七八九十百〇零]{1,6})\s*期").unwrap()
});
static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([\p{Han}]{1,12}?)\s*[〔\[［【(（﹝｛{]\s*((?:19|20)[0-9]{2})\s*[〕\]］】)）﹞｝}]\s*第?\s*([0-9]{1,5})\s*([号號])").unwrap()
});
static DATE_NUM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"((?:19|20|１９|２０)[0-9０-９]{2})\s*(?:年\s*([0-9０-９]{1,2})\s*月\s*([0-9０-９]{1,2})\s*日|[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})(?:[^0-9]|$))").unwrap()
});
/// Chinese-numeral dates: 二〇二〇年一月二十二日, 二○一○年十二月二十八日 (○ for 〇), 二0一九年 (a
/// digit zero typed for 〇), 元月 for January.
static DATE_HAN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([〇○零一二三四五六七八九0０OＯ]{4})\s*年\s*([一二三四五六七八九十元正]{1,3})\s*月\s*([一二三四五六七八九十廿卅]{1,3})\s*日").unwrap()
});
/// A signature date whose 年/月/日 glyphs were lost in extraction (`{ 2017 6 23`): only ever
/// accepted as a line of its own.
static DATE_BARE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[^0-9\p{Han}]*((?:19|20)[0-9]{2})\s+([0-9]{1,2})\s+([0-9]{1,2})[^0-9\p{Han}]*$")
        .unwrap()
});
static BULLETIN_MARK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"简报|專報|专报|快报|快報|簡報|工作动态|信息专刊|情况反映").unwrap()
});
static NOTICE_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(通知|意见|办法|方案|决定|通报|批复|公告|通告|规定|细则|规划|公示|请示|函|意見|辦法|決定|通報|批覆|規定)$").unwrap()
});
/// Page chrome, matched on the folded line (so 發布時間 and 點擊次數 are chrome too).
static META_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(您当前所在位置|您当前的位置|当前位置|当前的位置|您的位置|返回首页|首页\s*[>›»]|来源\s*[:：]|发布(日期|时间)|信息来源|作者\s*[:：]|(更新|发稿|录入)?(日期|时间)\s*[:：]|访问量|浏览次数|点击数|点击次数|阅读次数|字号|【字体|打印本页|分享到|第[a-z]?\d+版|copyright|版权所有|主办单位|返回顶部|回到顶部|关闭窗口|.*次浏览$|.*\d+\s*阅读$)").unwrap()
});
/// A byline: 四川在线记者 吴楚瞳, 记者 莫正楠, 通讯员 张三 李四.
static BYLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^[(（]?\s*(\S{0,12}?)\s*(记者|通讯员|撰稿|摄影|文/图|文图)\s*[\p{Han}]{2,4}(?:[、 ]+[\p{Han}]{2,4})*\s*[)）]?$",
    )
    .unwrap()
});
/// A 来源 label anywhere on a short line (`2023-05-06 09:12  来源：某县融媒体中心`).
static SOURCE_LABEL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(信息)?来源\s*[:：]").unwrap());
/// `label: value` pairs; a line with two of them is a metadata block line
/// (废止时间: 2020-01-23 名称: …).
static LABELLED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[\p{Han}]{2,6}\s*[:：]").unwrap());
/// A 来源 that is a repost or Q&A host, not the document's source: its name and timestamp say
/// nothing about the document.
static REPOST_HOST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"问答|资料网|文库|范文|百科|论坛|博客|贴吧|知道|网盘|下载|文档").unwrap()
});
/// A repost or template site announcing itself anywhere in the head (写写帮文库小编为你整理…,
/// 下载本文, 会员上传): every page timestamp there is the repost's.
static REPOST_SITE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"文库|范文网|资料网|问答网|下载本文|会员上传|点击此处下载|网友上传").unwrap()
});
/// A journal or gazette citation (《江西省人民政府公报》2018年第18期29-30,共2页): its 第N期 is the
/// gazette's, not the document's.
static GAZETTE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"公报|学报|杂志|期刊|出处|共\s*[0-9]+\s*页").unwrap());
/// A 文号 whose closing bracket and 号 were lost in extraction (牟政办发〔201746), on its own line.
static GARBLED_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[\p{Han}]{2,8}\s*[〔\[［【﹝]\s*(?:19|20)[0-9]{2}[0-9]{1,4}\s*$").unwrap()
});
/// Names of news media, as a source line (大江网-江南都市报, 荆楚网(湖北日报网)).
static MEDIA: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(日报|晚报|早报|商报|时报|都市报|法治报|法制报|青年报|农民报|报社|网|网站|在线|电视台|广播电台|客户端|融媒体中心|发布)([(（][^()（）]{2,12}[)）])?$").unwrap()
});
/// A news dateline: 荆楚网(湖北日报网)讯, 中国江西网讯 (本报讯 names nobody).
static DATELINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([\p{Han}A-Za-z]{2,12}(?:[(（][\p{Han}A-Za-z]{2,12}[)）])?)讯").unwrap()
});
/// The speaker line of a 政府工作报告: 魏庄镇人民政府镇长 杨杰.
static SPEAKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([\p{Han}]{2,20}?(?:人民政府|政府))代?(?:省长|市长|县长|区长|镇长|乡长|州长|旗长|主席)\s*[\p{Han}]{2,4}$").unwrap()
});
/// Channel names and site names that portals print before a title on the same line.
static CHANNEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(政府|网|网站|首页|要闻|新闻|动态|资讯|公告|公示|公开|频道|专题|专栏|栏目|头条|时政|正文|通知)$").unwrap()
});
/// A portal's name saved above its page (牟定县人民政府, 某某门户网站): never a title.
static SITE_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[\p{Han}]{2,16}(人民政府|政府|委员会|管委会|门户网站|政府网)$").unwrap()
});
/// A site name after a page title: 标题_某县人民政府网, 标题|中国政府网.
static SITE_SUFFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\s*(?:(?:[_|｜]|\s[-–]\s)\s*[^_|｜]{2,24}?(网|网站|门户网站|门户|人民政府|政府|频道)|[-–][\p{Han}]{2,20}(网|网站|门户网站))$",
    )
    .unwrap()
});
static ORG_END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(办公室|办公厅|人民政府|委员会|领导小组|工作部|政府|国务院|法院|检察院|局|厅|委|部|中心|管委会|编辑部)(编印?|编发)?$").unwrap()
});

/// `标  题: X`, `发文机关: X`, `發文機關X` …: a labelled field of a metadata block.
static FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(标\s*题|题\s*名|文件名称|发文机关|成文日期|发文日期|发文字号|文\s*号|时效性|效力级别|施行日期|索\s*引\s*号|主题分类|信息分类)\s*[:：]?\s*(.*)$").unwrap()
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
    let wanted = |name: &str| match field {
        "标题" => ["标题", "题名", "文件名称"].contains(&name),
        "发文机关" => name == "发文机关",
        "成文日期" => name == "成文日期",
        "发文日期" => name == "发文日期",
        _ => name == "发文字号" || name == "文号",
    };
    head.iter().enumerate().find_map(|(i, l)| {
        // Portals list fields as bullets (• 发文字号:).
        let l = l.trim_start_matches(BULLETS);
        // Matched on the folded line, so 發文機關 (traditional) is 发文机关; the value is cut
        // from the line as printed (the fold keeps character positions).
        let folded = folded(l);
        let c = FIELD.captures(&folded)?;
        let name: String = crate::chars::stream(&c[1]).into_iter().collect();
        if !wanted(&name) {
            return None;
        }
        let start = folded[..c.get(2)?.start()].chars().count();
        let value: String = l.chars().skip(start).collect();
        let value = value.trim().trim_start_matches([':', '：']).trim();
        if !value.is_empty() {
            return Some(value.to_string());
        }
        // A label whose value is printed on the next line.
        let next = head.get(i + 1)?.trim();
        (!next.is_empty() && !is_meta_line(next) && !next.ends_with([':', '：']))
            .then(|| next.to_string())
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
            '廿' => total += 20,
            '卅' => total += 30,
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

/// The value of a run of ASCII or full-width digits.
fn digits(s: &str) -> u32 {
    s.chars()
        .filter_map(|c| match c {
            '０'..='９' => Some(c as u32 - '０' as u32),
            _ => c.to_digit(10),
        })
        .fold(0, |n, d| n.saturating_mul(10).saturating_add(d))
}

/// All dates in a line, in order, as YYYY-MM-DD, with the byte offset where each ends.
pub fn dates_in(s: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for c in DATE_NUM.captures_iter(s) {
        let y = digits(&c[1]);
        let (m, d) = match (c.get(2), c.get(3), c.get(4), c.get(5)) {
            (Some(m), Some(d), _, _) | (_, _, Some(m), Some(d)) => {
                (digits(m.as_str()), digits(d.as_str()))
            }
            _ => continue,
        };
        if let Some(date) = valid_date(y, m, d) {
            out.push((date, c.get(0).unwrap().end()));
        }
    }
    for c in DATE_HAN.captures_iter(s) {
        let y = c[1].chars().fold(0u32, |n, ch| {
            let d = match ch {
                '0' | '０' | 'O' | 'Ｏ' | '○' => 0,
                _ => han_number(&ch.to_string()).unwrap_or(0),
            };
            n * 10 + d
        });
        let month = match &c[2] {
            "元" | "正" => Some(1),
            m => han_number(m),
        };
        let (m, d) = (month.unwrap_or(0), han_number(&c[3]).unwrap_or(0));
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
    if let Some(c) = DATE_BARE.captures(s) {
        return valid_date(digits(&c[1]), digits(&c[2]), digits(&c[3]));
    }
    let dates = dates_in(s);
    let (date, end) = dates.last()?;
    let rest = TIME_TAIL.replace(&s[*end..], "");
    let rest = rest.trim_matches(|c: char| c.is_whitespace() || "印发發布制成文)）".contains(c));
    (rest.is_empty() && s.chars().count() <= 40).then(|| date.clone())
}

/// Breadcrumbs, 来源/发布日期/访问量 lines and other web-page chrome (in either script).
pub fn is_meta_line(s: &str) -> bool {
    let f = folded(s.trim_start_matches(BULLETS));
    META_LINE.is_match(&f)
        || FIELD.is_match(&f)
        || BYLINE.is_match(&f)
        || (LABELLED.find_iter(&f).count() >= 2 && !f.contains(['。', '，']))
        || (SOURCE_LABEL.is_match(&f) && f.chars().count() <= 60 && !f.contains('。'))
        || ["访问量", "发布日期", "发布时间", "点击次数"]
            .iter()
            .any(|w| f.contains(w))
}

/// True when an issuer is a news outlet (大江网-江南都市报, 兴国发布), not a government body.
pub fn is_media(issuer: &str) -> bool {
    let f = folded(issuer.trim());
    MEDIA.is_match(&f) || DATELINE.is_match(&f)
}

/// Normalises a 文号's brackets to 〔〕 (赣府发[2012]8号 → 赣府发〔2012〕8号).
pub fn normalize_number(s: &str) -> Option<String> {
    let c = NUMBER.captures(s)?;
    // 江西省人民政府办公厅文件赣府厅字〔2020〕9号: the masthead run into the number.
    let prefix = c[1].rsplit("文件").next().unwrap_or(&c[1]);
    let prefix = if prefix.is_empty() { &c[1] } else { prefix };
    Some(format!("{}〔{}〕{}{}", prefix, &c[2], &c[3], &c[4]))
}

/// The 文号 key of `s` when `s` is a 文号 and nothing else (赣府厅字[2020]第9号 → 赣府厅字〔2020〕9号;
/// 根据赣府厅字〔2020〕9号文件 is not one).
pub fn whole_number(s: &str) -> Option<String> {
    let s = s.trim();
    let c = NUMBER.captures(s)?;
    let whole = c.get(0).is_some_and(|m| m.range() == (0..s.len()));
    // The prefix is an issuer's abbreviation: 赣府厅字, 国办发, 吉安市政办字, not a sentence.
    (whole && c[1].chars().count() <= 8).then(|| number_key(s))
}

/// The key a 文号 filter compares: brackets and 號/号 alike, no spaces.
pub fn number_key(s: &str) -> String {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let norm = normalize_number(&s).unwrap_or(s);
    norm.replace('號', "号").replace('第', "")
}

/// Reads the metadata of a document from its logical lines.
/// `src` is the text the lines were cut from (their spans point into it).
pub fn read(lines: &[Line], src: &str) -> Meta {
    let head: Vec<&str> = lines
        .iter()
        .take(head_len(lines))
        .map(|l| l.text.as_str())
        .collect();
    let mut m = Meta {
        number: head.iter().find_map(|l| own_number(l)),
        ..Meta::default()
    };
    m.issue = head.iter().enumerate().find_map(|(i, l)| {
        let c = ISSUE.captures(l)?;
        // 〔2019〕第20期 is a citation of another bulletin.
        if l.contains('〔') && !BULLETIN_MARK.is_match(l) {
            return None;
        }
        let cited = |t: &str| GAZETTE.is_match(t) && !BULLETIN_MARK.is_match(t);
        if cited(l) || (i > 0 && cited(head[i - 1])) {
            return None;
        }
        c[1].parse().ok().or_else(|| han_number(&c[1]))
    });

    let bulletin_line = head
        .iter()
        .take(8)
        .position(|l| BULLETIN_MARK.is_match(l) && l.chars().count() <= 50 && !is_meta_line(l));
    let (title, title_lines) = find_title(lines, bulletin_line);
    let first_raw = title_lines
        .first()
        .and_then(|&i| src.get(lines[i].start..lines[i].end));
    m.title = clean_title(&title, first_raw);
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
        || (folded(&m.title).contains("关于") && folded(&m.title).contains("印发"))
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

    let body_start = addressee(lines)
        .or(m.title_lines.last().copied())
        .map_or(0, |i| i + 1);
    let distrusted = repost_chrome(&head);
    let field_date = |name: &str| {
        field(&head, name).and_then(|d| dates_in(&d).into_iter().next().map(|(d, _)| d))
    };
    // A portal's 发文日期 is when it was filed or put online: the 落款 comes before it.
    m.date = field_date("成文日期")
        .or_else(|| head.iter().find_map(|l| number_date(l)))
        .or_else(|| find_date(lines, kind, body_start, &distrusted, field_date("发文日期")));
    m.issuer = field(&head, "发文机关")
        .map(|v| field_issuer(&v))
        .filter(|v| !v.is_empty())
        .or_else(|| find_issuer(lines, kind, &m.title, body_start, &distrusted));
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
    lines.iter().take(head_len(lines)).position(|l| {
        let t = &l.text;
        // Whom a document is sent to ends in a body (各乡镇人民政府…,县政府各部门:); a quoted
        // speaker (县政府办公室负责人表示:) does not.
        let to = folded(t.trim_end_matches([':', '：']).trim_end());
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
                "办事处",
                "乡镇",
                "室",
                "局",
                "委",
                "厅",
                "处",
                "中心",
                "部委",
                "各部",
                "公司",
                "院",
            ]
            .iter()
            .any(|w| to.ends_with(w))
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
    if n > 60 {
        // 国务院办公厅关于…的通知 runs long; a sentence of that length has commas.
        return n <= 100
            && folded(s).contains("关于")
            && NOTICE_TITLE.is_match(s)
            && !s.contains(['。', '，', ',', '；'])
            && !is_meta_line(s);
    }
    n >= 4 && !not_a_title(s) && date_line(s).is_none()
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
    let head = head_len(lines);
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
            // 江西省人民政府公报 / 关于…的通报: a 关于 line starts the title unless the line
            // above names its issuer (某县人民政府办公室 / 关于印发…).
            if j > i && folded(&line.text).starts_with("关于") && !ORG_END.is_match(&text) {
                break;
            }
            text.push_str(&line.text);
            idx.push(j);
            if NOTICE_TITLE.is_match(&text) && (text.contains("关于") || j > i) {
                // 关于印发…行动方案 / (2021—2025年)的通知: a line that completes the title.
                if let Some(next) = lines.get(j + 1).filter(|n| {
                    n.text.starts_with(['(', '（', '的'])
                        && title_like(&n.text)
                        && NOTICE_TITLE.is_match(&n.text)
                }) {
                    text.push_str(&next.text);
                    idx.push(j + 1);
                }
                return (text, idx);
            }
        }
    }
    // A breadcrumb that ends in the page's title (首页 > 通知公告 > 关于…的通知), when the page
    // does not print it again.
    for (i, l) in lines.iter().enumerate().take(head) {
        let Some(last) = l.text.rsplit(['>', '›', '»']).next() else {
            continue;
        };
        let last = last.trim();
        if l.text.contains(['>', '›', '»'])
            && is_meta_line(&l.text)
            && title_like(last)
            && folded(last).contains("关于")
            && NOTICE_TITLE.is_match(last)
        {
            return (last.to_string(), vec![i]);
        }
    }
    // Otherwise the first line that is not chrome or masthead is the title, if it looks like one;
    // a document that opens with body text has no title.
    let first = lines.iter().enumerate().take(head).find(|(_, l)| {
        !is_meta_line(&l.text) && !masthead(&l.text) && !SITE_NAME.is_match(&l.text)
    });
    match first {
        Some((i, l)) if title_like(&l.text) => (l.text.clone(), vec![i]),
        _ => (String::new(), Vec::new()),
    }
}

/// The title as printed, without what the page put around it: a channel path before it on the
/// same line (`江西省人民政府 江西要闻 标题`), a site name after it (`标题_某县人民政府网`), and words
/// a mirror injected in place of the issuer (`…娱乐,…办公室关于印发…`: an issuer is one body,
/// never a phrase with commas).
fn clean_title(title: &str, first_raw: Option<&str>) -> String {
    let mut t = title.to_string();
    if let Some(prefix) = first_raw.and_then(channel_prefix) {
        if let Some(rest) = t.strip_prefix(&prefix) {
            t = rest.to_string();
        }
    }
    if let Some(m) = SITE_SUFFIX.find(&t) {
        if m.start() > 0 && t[..m.start()].chars().count() >= 4 {
            t.truncate(m.start());
        }
    }
    let f = folded(&t);
    if let Some(pos) = f.find("关于") {
        if f[..pos].contains([',', ';', '!', '?', ':']) {
            t = t[pos..].to_string();
        }
    }
    t
}

/// The channel path printed before a title on its line, as it appears in the cleaned line:
/// space-separated short segments (outside quotes) of which one is a site or channel name,
/// followed by a longer title that does not itself start with 关于 (`某县人民政府 关于…` is an
/// issuer and its title, printed with a gap).
fn channel_prefix(raw: &str) -> Option<String> {
    let mut segments: Vec<String> = vec![String::new()];
    let mut depth = 0i32;
    for c in raw.trim().chars() {
        match c {
            '“' | '《' | '(' | '（' | '「' => depth += 1,
            '”' | '》' | ')' | '）' | '」' => depth -= 1,
            _ => {}
        }
        let gap = c.is_whitespace() || c == '\u{3000}' || matches!(c, '>' | '›' | '»');
        if gap && depth <= 0 {
            if !segments.last().is_some_and(String::is_empty) {
                segments.push(String::new());
            }
        } else if let Some(last) = segments.last_mut() {
            last.push(c);
        }
    }
    segments.retain(|s| !s.is_empty());
    let (last, prefix) = segments.split_last()?;
    let short = |s: &String| {
        let n = s.chars().count();
        (2..=10).contains(&n) && !s.contains(['，', ',', '。', '、', '：', ':'])
    };
    let ok = !prefix.is_empty()
        && last.chars().count() >= 6
        && !folded(last).starts_with("关于")
        && prefix.iter().all(short)
        && prefix.iter().any(|p| CHANNEL.is_match(&folded(p)));
    ok.then(|| crate::chars::squeeze_spaces(&super::text::strip_pinyin(&prefix.concat())))
}

/// The document's own 文号 on a head line: on a line of its own, opening the line, after a
/// 文号/发文字号 label, or in brackets at the end of the line. A number inside a sentence
/// (根据《…》(海事〔2006〕140号)的要求) cites another document. A number whose closing bracket
/// and 号 were lost (牟政办发〔201746) is kept as printed when it stands on its own line.
fn own_number(l: &str) -> Option<String> {
    let t = l.trim();
    if GARBLED_NUMBER.is_match(t) {
        return Some(t.chars().filter(|c| !c.is_whitespace()).collect());
    }
    let m = NUMBER.find(t)?;
    let before = &t[..m.start()];
    let lead = before.trim_matches(|c: char| c.is_whitespace() || "(（[【".contains(c));
    let after = t[m.end()..].trim();
    let bracketed_end = (before.ends_with(['(', '（']) && after.starts_with([')', '）']))
        && after.chars().count() == 1
        && !before.trim_end_matches(['(', '（']).ends_with('》');
    // Opening a long line, the number stands alone only when a date or the addressee follows
    // (赣府厅字[2018]87号2018年9月18日各市…), not a sentence (赣府发〔2020〕3号文件印发以来,…).
    let head_of_rest: String = after.chars().take(13).collect();
    let stands_alone = t.chars().count() <= 30
        || after.is_empty()
        || after.starts_with([')', '）', '(', '（', '各'])
        || folded(after).starts_with("关于")
        || !dates_in(&head_of_rest).is_empty();
    let own = (lead.is_empty() && stands_alone)
        || before.trim_end().ends_with([':', '：'])
        || (t.chars().count() <= 30 && !before.contains('《'))
        || bracketed_end;
    own.then(|| normalize_number(&t[m.start()..]))?
}

/// The date printed right after the document's own 文号 on its line (a journal abstract runs
/// 赣府厅字[2018]87号2018年9月18日各市… together; mirrors print (国函[2000]83号 2000年6月23日)).
fn number_date(l: &str) -> Option<String> {
    own_number(l)?;
    let m = NUMBER.find(l)?;
    let rest: String = l[m.end()..]
        .trim_start_matches(|c: char| c.is_whitespace() || ",，".contains(c))
        .chars()
        .take(13)
        .collect();
    let (d, _) = dates_in(&rest).into_iter().next()?;
    Some(d)
}

/// `怀远县人民政府(办公室)` is 怀远县人民政府办公室; `国务院 (已废止)` is 国务院.
fn field_issuer(v: &str) -> String {
    let v = v.trim();
    let mut parts = v.splitn(2, ['(', '（']);
    let main = parts.next().unwrap_or(v).trim();
    let inner = parts
        .next()
        .and_then(|r| r.split([')', '）']).next())
        .map_or("", str::trim);
    let main = main.split(' ').next().unwrap_or(main);
    if !inner.is_empty() && !inner.contains(' ') && ORG_END.is_match(inner) {
        format!("{main}{inner}")
    } else {
        main.to_string()
    }
}

/// Head lines whose 来源 is a repost host, and the timestamps next to them.
fn repost_chrome(head: &[&str]) -> Vec<usize> {
    if head.iter().any(|l| REPOST_SITE.is_match(&folded(l))) {
        let meta = |i: usize| head.get(i).is_some_and(|l| is_meta_line(l));
        return (0..head.len())
            .filter(|&i| {
                meta(i)
                    || (date_line(head[i]).is_some() && (meta(i.wrapping_sub(1)) || meta(i + 1)))
            })
            .collect();
    }
    let mut out = Vec::new();
    for (i, l) in head.iter().enumerate() {
        let f = folded(l);
        let host = ["来源", "作者"]
            .iter()
            .filter_map(|w| after_label(l, w))
            .any(|v| REPOST_HOST.is_match(&folded(&v)));
        if !host || !is_meta_line(&f) {
            continue;
        }
        out.push(i);
        for j in [i.wrapping_sub(1), i + 1] {
            if head
                .get(j)
                .is_some_and(|t| date_line(t).is_some() || is_meta_line(t))
            {
                out.push(j);
            }
        }
    }
    out
}

/// The text after `label` (and a colon) on a chrome line, up to the next label; the label may be
/// in traditional script.
fn after_label(line: &str, label: &str) -> Option<String> {
    let f = folded(line);
    let at = f.find(label)?;
    let skip = f[..at].chars().count() + label.chars().count();
    let rest: String = line.chars().skip(skip).collect();
    let rest = rest.trim_start_matches([':', '：', ' ', '\u{3000}']);
    let fr = folded(rest);
    let end = [
        "访问量",
        "发布日期",
        "发布时间",
        "作者",
        "浏览",
        "点击",
        "字号",
        "时间",
        "来源",
        "阅读",
    ]
    .iter()
    .filter_map(|w| fr.find(w))
    .chain(fr.find(char::is_whitespace))
    .min()
    .map_or(rest.chars().count(), |b| fr[..b].chars().count());
    Some(
        rest.chars()
            .take(end)
            .collect::<String>()
            .trim()
            .to_string(),
    )
}

fn find_date(
    lines: &[Line],
    kind: Kind,
    body_start: usize,
    distrusted: &[usize],
    filed: Option<String>,
) -> Option<String> {
    let head = head_len(lines);
    let trusted = |i: &usize| !distrusted.contains(i);
    let top = (0..head).filter(trusted).find_map(|i| {
        let l = &lines[i];
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
    let tail = (body_start.max(lines.len().saturating_sub(8))..lines.len())
        .rev()
        .filter(trusted)
        .find_map(|i| date_line(&lines[i].text));
    let published = (0..head)
        .filter(trusted)
        .filter(|&i| is_meta_line(&lines[i].text))
        .find_map(|i| dates_in(&lines[i].text).into_iter().next().map(|(d, _)| d));
    // The 落款 of a notice: the first date on a line of its own after the addressee. A notice
    // that 印发s a plan is signed before the plan, so in a truncated copy this is not the last
    // line.
    let signed = (body_start..lines.len())
        .filter(trusted)
        .filter(|&i| !is_meta_line(&lines[i].text))
        .find_map(|i| date_line(&lines[i].text));
    match kind {
        Kind::Notice => signed.or(tail).or(filed).or(top).or(published),
        _ => top.or(filed).or(published).or(tail),
    }
}

fn find_issuer(
    lines: &[Line],
    kind: Kind,
    title: &str,
    body_start: usize,
    distrusted: &[usize],
) -> Option<String> {
    let head = &lines[..head_len(lines)];
    let clean = |s: &str| -> String {
        let s = match dates_in(s).first() {
            Some(_) => DATE_NUM.replace_all(s, "").into_owned(),
            None => s.to_string(),
        };
        s.trim()
            .trim_end_matches(['编', '編', '印'])
            .trim()
            .to_string()
    };
    let org = |t: &str, min: usize| {
        let n = t.chars().count();
        // Traditional script (領導小組辦公室) is read through the fold.
        let f = folded(t);
        n >= min
            && n <= 30
            && ORG_END.is_match(&f)
            && !f.contains("关于")
            && !t.contains([',', '，', '。', '：', ':'])
            && !is_meta_line(t)
    };
    let org_line = |l: &&Line| org(&clean(&l.text), 4);
    if kind == Kind::Notice {
        if let Some(l) = head.iter().find(|l| {
            l.text.ends_with("文件") && l.text.chars().count() <= 30 && !is_meta_line(&l.text)
        }) {
            return Some(l.text.trim_end_matches("文件").trim().to_string());
        }
        // 关于 through the fold, so that 關於 in traditional script is found too.
        let folded: Vec<char> = title.chars().map(crate::chars::fold).collect();
        if let Some(pos) = folded.windows(2).position(|w| w == ['关', '于']) {
            if pos > 0 {
                // 市政府办公室转发省政府办公厅关于…: the body that forwards is the issuer.
                let prefix: String = title.chars().take(pos).collect();
                let issuer = match folded[..pos].windows(2).position(|w| w == ['转', '发']) {
                    Some(k) if k > 0 => title.chars().take(k).collect(),
                    _ => prefix,
                };
                return Some(issuer);
            }
        }
        // The signature just above the 落款 date (a 此件公开 note may sit between them).
        let signed = (body_start..lines.len())
            .find(|&i| date_line(&lines[i].text).is_some() && !is_meta_line(&lines[i].text));
        if let Some(j) = signed {
            let above = lines[body_start.max(j.saturating_sub(3))..j]
                .iter()
                .rev()
                .filter(|l| !l.text.starts_with(['(', '（']))
                .take(1)
                .find(org_line);
            if let Some(l) = above {
                return Some(clean(&l.text));
            }
        }
        if let Some(l) = lines.iter().rev().take(6).find(org_line) {
            return Some(clean(&l.text));
        }
        // A body named on a line of its own above the addressee (law sites print 海事局 there).
        let title_key: String = crate::chars::stream(title).into_iter().collect();
        let masthead = head.iter().take(body_start).find(|l| {
            let t = clean(&l.text);
            org(&t, 3)
                && !title_key.contains(&crate::chars::stream(&t).into_iter().collect::<String>())
        });
        if let Some(l) = masthead {
            return Some(clean(&l.text));
        }
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
            if ORG_END.is_match(&folded(before)) {
                return Some(before.to_string());
            }
        }
    }
    source_label(head, distrusted)
        .or_else(|| news_source(head, title))
        .or_else(|| {
            head.iter()
                .find_map(|l| SPEAKER.captures(&l.text).map(|c| c[1].to_string()))
        })
}

/// The value of a 来源 label; a label left empty on its line takes the next line (`来源:` /
/// `道口镇党政办`). Repost and Q&A hosts are not sources.
fn source_label(head: &[Line], distrusted: &[usize]) -> Option<String> {
    (0..head.len())
        .filter(|i| !distrusted.contains(i))
        .find_map(|i| {
            let t = &head[i].text;
            if !is_meta_line(t) {
                return None;
            }
            let mut v = after_label(t, "来源")?;
            if v.is_empty() {
                let next = head.get(i + 1)?.text.as_str();
                if is_meta_line(next)
                    || date_line(next).is_some()
                    || next.chars().count() > 20
                    || next.ends_with([':', '：'])
                {
                    return None;
                }
                v = next.trim().to_string();
            }
            (!v.is_empty() && !REPOST_HOST.is_match(&folded(&v))).then_some(v)
        })
}

/// A news item's outlet: its dateline (荆楚网(湖北日报网)讯…), or an outlet's name on a short line
/// of its own near the headline (大江网-江南都市报).
fn news_source(head: &[Line], title: &str) -> Option<String> {
    let title_key: String = crate::chars::stream(title).into_iter().collect();
    let mut seen_body = 0;
    for l in head {
        let t = l.text.as_str();
        if let Some(c) = BYLINE.captures(&folded(t)) {
            // Cut from the line as printed (the fold keeps character positions).
            let n = c[1].chars().count();
            let outlet: String = t.chars().take(n).collect();
            let outlet = outlet.trim();
            if outlet.chars().count() >= 2
                && MEDIA.is_match(&folded(outlet))
                && !outlet.starts_with('本')
            {
                return Some(outlet.to_string());
            }
        }
        if let Some(c) = DATELINE.captures(&folded(t)) {
            let plain = c[1].split('(').next().unwrap_or(&c[1]);
            let name: String = t.chars().take(c[1].chars().count()).collect();
            if !name.starts_with('本') && MEDIA.is_match(plain) {
                return Some(name);
            }
        }
        let n = t.chars().count();
        if n <= 20
            && MEDIA.is_match(&folded(t))
            && !is_meta_line(t)
            && !t.contains(['，', ',', '。'])
            && !title_key.contains(&crate::chars::stream(t).into_iter().collect::<String>())
            && date_line(t).is_none()
        {
            return Some(t.to_string());
        }
        if n > 40 {
            seen_body += 1;
            if seen_body >= 2 {
                break;
            }
        }
    }
    None
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
    fn long_titles() {
        let t = "某省人民政府办公厅关于印发某省进一步优化营商环境降低市场主体制度性交易成本推动经济高质量发展若干措施和重点任务分工方案的通知";
        let src = format!(
            "{t}\n各市、县(区)人民政府,省政府各部门:\n现将有关措施印发给你们,请认真贯彻执行。\n"
        );
        assert_eq!(read(&lines(&src), &src).title, t);
    }

    #[test]
    fn addressees_and_site_names() {
        let src = "某县召开政务公开推进会\n县政府办公室负责人表示：\n要把政务公开工作抓实抓细，切实提升群众满意度和获得感，推动各项工作落地见效。\n";
        assert_eq!(read(&lines(src), src).kind, Some(Kind::Other));
        let src = "某县人民政府\n首页 > 新闻中心 > 乡镇动态\n某镇开展“政务公开日”活动\n发布时间：2023-05-06\n近日，某镇组织开展政务公开日活动，邀请群众代表走进镇政府。\n";
        assert_eq!(read(&lines(src), src).title, "某镇开展“政务公开日”活动");
        assert_eq!(
            normalize_number("某省人民政府办公厅文件某府厅字〔2020〕9号").as_deref(),
            Some("某府厅字〔2020〕9号")
        );
    }

    #[test]
    fn whole_numbers() {
        for typed in [
            "赣府厅字〔2020〕9号",
            "赣府厅字[2020]9号",
            " 赣府厅字（2020）第9号 ",
            "赣府厅字【2020】9號",
        ] {
            assert_eq!(
                whole_number(typed).as_deref(),
                Some("赣府厅字〔2020〕9号"),
                "{typed}"
            );
        }
        for not in [
            "根据赣府厅字〔2020〕9号文件",
            "〔2020〕9号",
            "赣府厅字〔2020〕9",
            "政务公开",
        ] {
            assert_eq!(whole_number(not), None, "{not}");
        }
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
    fn dates_in_other_forms() {
        assert_eq!(dates_in("二〇二〇年元月八日")[0].0, "2020-01-08");
        assert_eq!(dates_in("二0一九年十二月三十一日")[0].0, "2019-12-31");
        assert_eq!(dates_in("２０１９年６月１７日")[0].0, "2019-06-17");
        assert_eq!(date_line("{ 2017 6 23").as_deref(), Some("2017-06-23"));
        assert_eq!(date_line("1.1 2 3"), None);
        assert!(is_meta_line("發布時間：2019年06月17日 點擊次數：28596"));
    }

    #[test]
    fn own_numbers_and_cited_ones() {
        assert_eq!(
            own_number("根据《关于开展活动的意见》(海事〔2006〕140号)的要求,在过去的两年中,各单位积极贯彻落实"),
            None
        );
        assert_eq!(
            own_number("赣府厅字[2018]87号2018年9月18日各市、县(区)人民政府,省政府各部门:一年来")
                .as_deref(),
            Some("赣府厅字〔2018〕87号")
        );
        assert_eq!(
            number_date("赣府厅字[2018]87号2018年9月18日各市、县(区)人民政府,省政府各部门:一年来")
                .as_deref(),
            Some("2018-09-18")
        );
        assert_eq!(
            own_number(
                "某府发〔2020〕3号文件印发以来,各地认真贯彻落实,取得明显成效,群众满意度持续提升"
            ),
            None
        );
        assert_eq!(
            own_number("某政办发〔202112").as_deref(),
            Some("某政办发〔202112")
        );
        assert_eq!(
            own_number("关于做好防汛工作的通知(某府发〔2021〕3号)").as_deref(),
            Some("某府发〔2021〕3号")
        );
    }

    #[test]
    fn titles_without_page_furniture() {
        assert_eq!(
            clean_title(
                "某省人民政府要闻动态推进乡镇改革深化实化",
                Some("某省人民政府 要闻动态 推进乡镇改革深化实化")
            ),
            "推进乡镇改革深化实化"
        );
        // An issuer printed with a gap before 关于 stays in the title.
        assert_eq!(
            clean_title(
                "某县人民政府关于做好防汛工作的通知",
                Some("某县人民政府 关于做好防汛工作的通知")
            ),
            "某县人民政府关于做好防汛工作的通知"
        );
        // Spaces inside a quoted slogan are not a channel path.
        assert_eq!(
            clean_title(
                "某镇开展“学讲话读党报为中原添彩”主题活动",
                Some("某镇开展“学讲话 读党报 为中原添彩”主题活动")
            ),
            "某镇开展“学讲话读党报为中原添彩”主题活动"
        );
        assert_eq!(
            clean_title("关于做好防汛工作的通知_某县人民政府网", None),
            "关于做好防汛工作的通知"
        );
        assert_eq!(
            clean_title("国务院关于某某工作的意见-中国政府网", None),
            "国务院关于某某工作的意见"
        );
        assert_eq!(
            clean_title("2021-2025年行动方案", None),
            "2021-2025年行动方案"
        );
        assert_eq!(
            clean_title("某某娱乐,某某国际办公室关于印发方案的通知", None),
            "关于印发方案的通知"
        );
    }

    #[test]
    fn news_sources() {
        let src = "某地小城办好一件事\n\n2025-07-21 12:00 阅读\n某江网-某都市报\n\n民有所呼,政有所应。日前,记者在某县蹲点采访,了解一个小城如何探索将政务服务从能办到好办。\n";
        let m = read(&lines(src), src);
        assert_eq!(m.issuer.as_deref(), Some("某江网-某都市报"));
        assert_eq!(m.date.as_deref(), Some("2025-07-21"));
        let src = "图片说明。通讯员 供图\n某楚网(某北日报网)讯(通讯员 张三)9月25日晚,某镇党校讲堂内座无虚席,本期讲堂的主讲人正在为全体镇村干部开展辅导讲授。\n";
        assert_eq!(
            read(&lines(src), src).issuer.as_deref(),
            Some("某楚网(某北日报网)")
        );
        let src = "来源: 某某问答网\n2024-05-26 15:12:24\n\n全市社会治理现场会召开\n\n本报讯 记者报道:3月27日,全市社会治理现场会召开,分析前期工作存在问题,研究部署下步工作。\n";
        let m = read(&lines(src), src);
        assert_eq!((m.issuer, m.date), (None, None));
        let src = "某镇开展主题活动\n发布时间:\n2017-02-16\n作者:\n来源:\n某镇党政办\n为进一步发挥党报党刊思想舆论主阵地的重要作用,近日某镇深入开展了主题活动,取得了明显成效。\n";
        let m = read(&lines(src), src);
        assert_eq!(m.issuer.as_deref(), Some("某镇党政办"));
        assert_eq!(m.date.as_deref(), Some("2017-02-16"));
    }

    #[test]
    fn portal_metadata_blocks() {
        // Fields as bullets with the value on the next line; the 落款 beats the portal's 发文日期;
        // a line of several `label: value` pairs is chrome, not a title.
        let src = "返回顶部\n某县人民政府关于印发工作规则的通知\n• 发文字号:\n某政发〔2024〕7号\n• 发文日期:\n2024年04月06日 16:40\n废止时间: 2020-01-23 名称: 某县人民政府关于印发工作规则的通知\n各乡、镇人民政府,县政府各部门:\n《工作规则》已经县政府第三次全体会议通过,现予印发,请遵照执行。\n某县人民政府\n2024年4月1日\n某县人民政府工作规则\n";
        let m = read(&lines(src), src);
        assert_eq!(m.title, "某县人民政府关于印发工作规则的通知");
        assert_eq!(m.number.as_deref(), Some("某政发〔2024〕7号"));
        assert_eq!(m.date.as_deref(), Some("2024-04-01"));
        assert!(is_meta_line(
            "废止时间: 2020-01-23 名称: 某县人民政府关于印发工作规则的通知"
        ));
    }

    #[test]
    fn source_after_the_time() {
        let src = "某县开展送政策进企业活动\n2023-05-06 09:12  来源：某县融媒体中心\n本报讯（记者 张三）5月5日，某县组织政务服务专员深入园区企业，面对面宣讲惠企政策。\n";
        let m = read(&lines(src), src);
        assert_eq!(m.date.as_deref(), Some("2023-05-06"));
        assert_eq!(m.issuer.as_deref(), Some("某县融媒体中心"));
    }

    #[test]
    fn repost_sites_and_bylines() {
        let src = "某省人民政府办公厅文件\n时间:2019-05-14 10:45:55下载本文作者:会员上传\n简介:某某文库小编为你整理了多篇相关的范文。\n某政办发〔2009〕24号\n某省人民政府办公厅关于加强就业工作的通知\n各市州人民政府,省政府各厅委:\n现就加强普通高等学校毕业生就业工作有关问题通知如下。\n";
        let m = read(&lines(src), src);
        assert_eq!(m.date, None, "the repost time is not the document's date");
        assert_eq!(m.issuer.as_deref(), Some("某省人民政府办公厅"));
        let src = "某川在線記者 吳某某\n11月3日,采访团走进某地政务服务中心,见证了便捷服务,也体会了高科技带来的产业发展速度。\n";
        let m = read(&lines(src), src);
        assert_eq!(m.issuer.as_deref(), Some("某川在線"));
        assert_eq!(m.title, "", "a byline is not a title");
        assert!(!is_meta_line("记者节座谈会召开"));
    }

    #[test]
    fn signed_notice_before_its_attachment() {
        let src = "关于印发某市美丽乡镇建设五年行动方案\n(2021—2025年)的通知\n各县(市、区)人民政府,市政府有关部门:\n经市政府同意,现将《某市美丽乡镇建设五年行动方案》印发给你们,请结合实际,认真抓好贯彻落实。\n某市人民政府办公室\n2021年8月16日\n(此件主动公开)\n某市美丽乡镇建设五年行动方案\n一、工作目标\n到2023年,全市所有乡镇脏、乱、差的现象基本解决,服务功能持续增强。\n";
        let m = read(&lines(src), src);
        assert_eq!(
            m.title,
            "关于印发某市美丽乡镇建设五年行动方案(2021—2025年)的通知"
        );
        assert_eq!(m.date.as_deref(), Some("2021-08-16"));
        assert_eq!(m.issuer.as_deref(), Some("某市人民政府办公室"));
    }

    #[test]
    fn notice_head() {
        let src = "江西省人民政府办公厅文件\n\n赣府厅字〔2020〕9号\n\n江西省人民政府办公厅关于印发 2020 年 全省“五型”政府建设工作要点的通知\n\n各市、县(区)人民政府,省政府各部门:\n\n正文。\n\n江西省人民政府办公厅秘书处\n\n2020年1月22日印发\n";
        let m = read(&lines(src), src);
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
