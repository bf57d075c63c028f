//! Places: which gazetteer units a text mentions, and which one an article is about.
//!
//! Mentions are found on jieba token boundaries (place names are user words), never by bare
//! substring. jieba's own compounds (江西省人民政府) are matched by their longest full-name
//! prefix. Ambiguous names (新城镇 ×2) are resolved by the place mentioned just before them,
//! then by the document's own region.

use std::sync::LazyLock;

use regex::Regex;

use crate::lexicon::{self, Level, Unit};

/// One place mention.
#[derive(Clone, Debug, PartialEq)]
pub struct Mention {
    pub id: u64,
    /// The token as written.
    pub token: String,
    pub level: Level,
    /// Where the token starts in the text, in characters.
    pub at: usize,
}

/// Places a text names without being about them: a partner in an agreement
/// (与湖南耒阳市签署…合作协议); see also [`VISITORS`] and [`VENUE`].
static COUNTERPART: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^共合会相不如参])[与同][^。；;，,！？:：]{1,80}?(签署|签订|签约|合作协议|结对|共建|对接)").unwrap()
});
/// After a place, the words that make it a visitor (朝天区考察团) or a venue (在南昌召开).
const VISITORS: &[&str] = &[
    "考察团",
    "代表团",
    "调研组",
    "考察组",
    "学习团",
    "参观团",
    "一行",
];
const VENUE: &[&str] = &["召开", "举行", "举办", "开幕", "闭幕"];
/// After a short place name, a suffix that makes the word a smaller place or a road named after
/// it (蓬莱镇 in Sichuan is not 蓬莱区; 南昌路 is not 南昌).
/// Organisations named after a place (赣州银行, 川投水务集团大英分公司) do not say where a text is.
const NAMED_AFTER: &[&str] = &[
    "镇",
    "乡",
    "村",
    "街道",
    "社区",
    "路",
    "大道",
    "街",
    "分公司",
    "公司",
    "支行",
    "银行",
    "集团",
    "日报",
    "晚报",
    "客户端",
    "电视",
    "广播",
    "在线",
    "融媒",
];

/// Units mentioned in `text`, in order. `scope` (the document's region) breaks ties.
///
/// Matching runs on the folded text (traditional 撫州 is 抚州) and on token boundaries. Towns
/// (the gazetteer has Jiangxi's only) are not taken in a document placed in another province,
/// nor after a place in another province; a town's bare short name needs its own city around
/// it (a county or city of the same city named before it, or the document's place).
pub fn mentions(text: &str, scope: Option<u64>) -> Vec<Mention> {
    let g = lexicon::gazetteer();
    let original: Vec<char> = text.chars().collect();
    let fchars: Vec<char> = original.iter().map(|&c| crate::chars::fold(c)).collect();
    let folded: String = fchars.iter().collect();
    let skipped: Vec<(usize, usize)> = COUNTERPART
        .find_iter(&folded)
        .map(|m| {
            (
                folded[..m.start()].chars().count(),
                folded[..m.end()].chars().count(),
            )
        })
        .collect();
    let scope_line = scope.map(|s| g.ancestors(s)).unwrap_or_default();
    let province = |id: u64| g.ancestors(id).last().copied();
    let city = |id: u64| {
        g.ancestors(id)
            .into_iter()
            .find(|&a| g.get(a).is_some_and(|u| u.level == Level::City))
    };
    let mut out: Vec<Mention> = Vec::new();
    let mut last_any: Option<u64> = None;
    let mut partner_end = 0;
    let mut at = 0;
    for tok in lexicon::jieba().cut(&folded, false) {
        let word = tok.word;
        let start = at;
        at += word.chars().count();
        let mut cands = g.candidates(word);
        let mut len = word.chars().count();
        if cands.is_empty() && len > 3 {
            // 江西省人民政府 → 江西省: longest prefix that is a full name of 3+ characters.
            let chars: Vec<char> = word.chars().collect();
            for n in (3..chars.len()).rev() {
                let prefix: String = chars[..n].iter().collect();
                let full: Vec<&Unit> = g
                    .candidates(&prefix)
                    .into_iter()
                    .filter(|u| u.name == prefix)
                    .collect();
                if !full.is_empty() {
                    cands = full;
                    len = n;
                    break;
                }
            }
        }
        if cands.is_empty() {
            continue;
        }
        let token: String = original[start..start + len].iter().collect();
        let folded_token: String = fchars[start..start + len].iter().collect();
        let rest: String = fchars[(start + len).min(fchars.len())..]
            .iter()
            .take(3)
            .collect();
        // 与湖南耒阳市、上海市宝山区…: the places after 与/同 and the list they open.
        let at_char = |i: Option<usize>| i.and_then(|i| fchars.get(i)).copied();
        let opens = matches!(at_char(start.checked_sub(1)), Some('与' | '同'))
            && !matches!(
                at_char(start.checked_sub(2)),
                Some('参' | '共' | '相' | '不' | '如' | '协' | '会')
            );
        let gap: String = fchars[partner_end.min(start)..start].iter().collect();
        let continues = partner_end > 0
            && (gap.is_empty() || gap.ends_with('、'))
            && !gap.contains(['，', ',', '。', '；', ';', '：', ':']);
        if opens || continues {
            partner_end = start + len;
            continue;
        }
        partner_end = 0;
        if skipped.iter().any(|&(a, b)| start >= a && start < b) {
            continue;
        }
        // The clause after the token, up to the next punctuation.
        let clause: String = fchars[(start + len).min(fchars.len())..]
            .iter()
            .take_while(|c| crate::chars::is_cjk(**c))
            .take(8)
            .collect();
        let visitor = VISITORS.iter().any(|w| clause.contains(w));
        let venue = start > 0
            && fchars[start - 1] == '在'
            && VENUE.iter().any(|w| {
                clause
                    .find(w)
                    .is_some_and(|i| clause[..i].chars().count() <= 2)
            });
        if visitor || venue {
            continue;
        }
        let bare = cands.iter().all(|u| u.name != folded_token);
        if bare && NAMED_AFTER.iter().any(|s| rest.starts_with(s)) {
            continue;
        }
        let prev = out.last().map(|m| m.id);
        let context = last_any.or(scope);
        let cands: Vec<&Unit> = cands
            .into_iter()
            .filter(|u| {
                if u.level != Level::Town {
                    return true;
                }
                let foreign = context.is_some_and(|c| province(c) != province(u.id));
                let placed = [prev, scope]
                    .into_iter()
                    .flatten()
                    .any(|c| city(c).is_some() && city(c) == city(u.id));
                !foreign && (u.name == folded_token || placed)
            })
            .collect();
        let best = cands
            .iter()
            .max_by_key(|u| {
                let mut score = 0;
                if prev.is_some_and(|p| g.is_within(u.id, p)) {
                    score += 100;
                }
                // The deeper the ancestor shared with the document's place, the likelier
                // (新城镇 in a 于都县 bulletin: the one in 赣州市, not in 吉安市).
                let line = g.ancestors(u.id);
                score += 10 * line.iter().filter(|a| scope_line.contains(a)).count() as i32;
                if u.code.starts_with("36") {
                    score += 5;
                }
                // Prefer the broader unit when nothing else decides (湖口 the county, not a town).
                score * 10 - u.level as i32
            })
            .copied();
        if let Some(u) = best {
            last_any = Some(u.id);
            out.push(Mention {
                id: u.id,
                token,
                level: u.level,
                at: start,
            });
        }
    }
    // A town (Jiangxi's only) in a text that names nothing else of its province, in a
    // document not placed there, is a namesake elsewhere (河边镇 in a Sichuan report).
    let home = |id: u64| province(id);
    let anchored: Vec<bool> = out
        .iter()
        .map(|m| {
            m.level != Level::Town
                || scope.is_some_and(|s| home(s) == home(m.id))
                || out
                    .iter()
                    .any(|o| o.level != Level::Town && home(o.id) == home(m.id))
        })
        .collect();
    out.into_iter()
        .zip(anchored)
        .filter_map(|(m, keep)| keep.then_some(m))
        .collect()
}

/// The place a run of names written together means: 江西抚州东乡区 is 东乡区. Starts at the first
/// mention and follows each next mention that is inside the previous one and written right
/// after it.
pub fn written_together(mentions: &[Mention]) -> Option<&Mention> {
    let g = lexicon::gazetteer();
    let mut cur = mentions.first()?;
    for next in &mentions[1..] {
        let end = cur.at + cur.token.chars().count();
        if next.at <= end + 1 && next.id != cur.id && g.is_within(next.id, cur.id) {
            cur = next;
        } else {
            break;
        }
    }
    Some(cur)
}

/// The mentions inside `scope`'s province, or all of them when none is.
fn in_scope(mentions: &[Mention], scope: Option<u64>) -> Vec<&Mention> {
    let g = lexicon::gazetteer();
    let province = scope.and_then(|s| g.ancestors(s).last().copied());
    let inside: Vec<&Mention> = mentions
        .iter()
        .filter(|m| province.is_none_or(|p| g.is_within(m.id, p)))
        .collect();
    if inside.is_empty() {
        mentions.iter().collect()
    } else {
        inside
    }
}

/// The most specific mention, preferring units inside `scope`'s province.
pub fn most_specific(mentions: &[Mention], scope: Option<u64>) -> Option<&Mention> {
    let pool = in_scope(mentions, scope);
    // Earliest among the most specific level.
    let top = pool.iter().map(|m| m.level).max()?;
    pool.into_iter().find(|m| m.level == top)
}

/// The place a title or sentence is about: its most specific place, or where it names several
/// places side by side (拟确定上高县、安义县、安福县…; 吉安、萍乡、上饶…), the smallest unit
/// holding them all. Returns the unit and the token(s) that named it.
pub fn subject(mentions: &[Mention], scope: Option<u64>) -> Option<(u64, String)> {
    let g = lexicon::gazetteer();
    let pool = in_scope(mentions, scope);
    // Names written as a chain (江西省赣州市章贡区) count once, as their last link.
    let mut leaves: Vec<&Mention> = Vec::new();
    for m in &pool {
        let covers_another = pool.iter().any(|o| o.id != m.id && g.is_within(o.id, m.id));
        if !covers_another && !leaves.iter().any(|l| l.id == m.id) {
            leaves.push(m);
        }
    }
    if leaves.len() <= 1 {
        let m = most_specific(mentions, scope)?;
        return Some((m.id, m.token.clone()));
    }
    let first = g.ancestors(leaves[0].id);
    let common = first
        .into_iter()
        .find(|&a| leaves.iter().all(|l| g.is_within(l.id, a)))?;
    let tokens: Vec<&str> = leaves.iter().map(|l| l.token.as_str()).collect();
    Some((common, tokens.join("、")))
}

static BARE_DEPARTMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[*【\[]*)(省|市|县|区)([\p{Han}]{1,8}?(?:局|委员会|委|办公室|办|厅|中心|法院|检察院|署))").unwrap()
});
static NAMED_DEPARTMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([\p{Han}]{1,8}?(?:局|委员会|委|办公室|办|厅|中心|法院|检察院|署))").unwrap()
});

/// True when jieba reads `name` as a noun phrase (信访局, 行政审批局), not as a clause that
/// happens to end in 办 or 局 (推行便民代办).
fn is_noun_phrase(name: &str) -> bool {
    let tags = lexicon::jieba().tag(name, false);
    let (Some(first), Some(last)) = (tags.first(), tags.last()) else {
        return false;
    };
    !["v", "d", "p", "c"]
        .iter()
        .any(|t| first.tag.starts_with(t))
        && ["n", "j", "i"].iter().any(|t| last.tag.starts_with(t))
}

/// A department named at the start of a title: `市信访局让…` → (`市`, `信访局`). The bare
/// prefix means the issuing government's own level.
pub fn bare_department(title: &str) -> Option<(String, String)> {
    let c = BARE_DEPARTMENT.captures(title)?;
    is_noun_phrase(&c[2]).then(|| (c[1].to_string(), c[2].to_string()))
}

/// The department named at the start of `s`, as seen from a document of `region`: 市信访局 in
/// a city's bulletin is the city's own 信访局; 县医保局 there stays 县医保局 (some county's).
pub fn department_at_start(s: &str, region: Option<u64>) -> Option<String> {
    let (prefix, dept) = bare_department(s)?;
    Some(if prefix_matches_level(&prefix, region) {
        dept
    } else {
        format!("{prefix}{dept}")
    })
}

/// True when a bare prefix (省/市/县/区) names the level of `region`.
pub fn prefix_matches_level(prefix: &str, region: Option<u64>) -> bool {
    let level = region
        .and_then(|r| lexicon::gazetteer().get(r))
        .map(|u| u.level);
    matches!(
        (prefix, level),
        ("省", Some(Level::Province))
            | ("市", Some(Level::City))
            | ("县" | "区", Some(Level::County))
            | ("区", Some(Level::Zone))
    )
}

/// A department right after a place name: `赣州市公安局…` with the place token given.
pub fn named_department(title: &str, place_token: &str) -> Option<String> {
    let pos = title.find(place_token)?;
    if pos > 6 {
        return None;
    }
    let rest = &title[pos + place_token.len()..];
    let c = NAMED_DEPARTMENT.captures(rest)?;
    let dept = c[1].to_string();
    // The government itself (江西省人民政府办公厅) is the issuer, not a department; and
    // department names are short (新城镇推进办… is not one).
    let ok = dept.chars().count() <= 7
        && !dept.starts_with("人民政府")
        && !dept.starts_with("政府")
        && is_noun_phrase(&dept);
    ok.then_some(dept)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str, scope: Option<u64>) -> Vec<String> {
        let g = lexicon::gazetteer();
        mentions(text, scope)
            .iter()
            .map(|m| g.get(m.id).unwrap().name.clone())
            .collect()
    }

    #[test]
    fn token_boundaries_avoid_false_hits() {
        assert!(names("红谷滩区:“物管城市”新创举", None) == vec!["红谷滩区"]);
        assert!(names("政务公开平台和政府网站，更高要求，浙江大学", None).is_empty());
    }

    #[test]
    fn ambiguous_towns_follow_their_county() {
        let g = lexicon::gazetteer();
        let m = mentions("大余县新城镇“三个突出”探索", Some(360700));
        let best = most_specific(&m, Some(360700)).unwrap();
        assert_eq!(g.get(best.id).unwrap().code, "360723101");
    }

    #[test]
    fn ambiguous_towns_follow_the_documents_city() {
        let g = lexicon::gazetteer();
        let m = mentions("新城镇推进政务公开", Some(360731));
        assert_eq!(
            g.get(m[0].id).unwrap().code,
            "360723101",
            "新城镇 of 大余县, in the same city as 于都县"
        );
    }

    #[test]
    fn traditional_script_and_abbreviations() {
        assert_eq!(names("撫州市設立臨川區", None), vec!["抚州市", "临川区"]);
        assert_eq!(names("阿坝州人民政府", None), vec!["阿坝藏族羌族自治州"]);
        assert_eq!(names("乳源縣城市管理", None), vec!["乳源瑶族自治县"]);
    }

    #[test]
    fn places_a_text_is_not_about() {
        assert!(names("朝天区考察团来我县考察学习政务公开工作", None).is_empty());
        assert!(names("就24项高频事项与湖南耒阳市签署政务服务合作协议", None).is_empty());
        assert!(names("4月16日,与上海市宝山区行政服务中心、张家港市、昆山市", None).is_empty());
        assert!(names("全省乡镇机构改革工作座谈会在南昌召开", None).is_empty());
        assert_eq!(names("于都县召开政务公开推进会", None), vec!["于都县"]);
        assert_eq!(names("兴国县热情接待朝天区考察团", None), vec!["兴国县"]);
        // 参与 is not 与.
        assert_eq!(names("积极参与瑞金市红色旅游", None), vec!["瑞金市"]);
        assert!(names("蓬莱镇、回马镇等单位", None).is_empty());
        assert!(names("川投水务集团大英分公司", None).is_empty());
    }

    #[test]
    fn towns_need_their_own_province() {
        // 大桥镇 exists in Jiangxi; after a Guangdong county it is that county's own town.
        assert_eq!(
            names("乳源瑶族自治县大桥镇15件", None),
            vec!["乳源瑶族自治县"]
        );
        // A bare town short name (灵溪 of 灵溪街道) needs its city around it.
        assert!(names("“灵溪大讲堂”开讲", None).is_empty());
        assert_eq!(names("湖口县张青乡", None), vec!["湖口县", "张青乡"]);
        // Alone, with nothing of Jiangxi around it, a town name is a namesake elsewhere.
        assert!(names("张青乡李大爷来办事", None).is_empty());
        assert_eq!(names("张青乡李大爷来办事", Some(360000)), vec!["张青乡"]);
    }

    #[test]
    fn lists_are_about_what_holds_them() {
        let g = lexicon::gazetteer();
        let m = mentions("拟确定上高县、安义县、安福县作为我省重点县", None);
        let (id, _) = subject(&m, None).unwrap();
        assert_eq!(g.get(id).unwrap().name, "江西省");
        let m = mentions("采访团走进江西抚州东乡区", None);
        assert_eq!(g.get(subject(&m, None).unwrap().0).unwrap().name, "东乡区");
        assert_eq!(
            g.get(written_together(&m).unwrap().id).unwrap().name,
            "东乡区"
        );
        // Not written together: the first place stands.
        let m = mentions("江西日前发布消息,抚州市民", None);
        assert_eq!(
            g.get(written_together(&m).unwrap().id).unwrap().name,
            "江西省"
        );
        assert!(names("由江西日报社主办,赣州晚报承办", None).is_empty());
    }

    #[test]
    fn compounds_match_their_full_name_prefix() {
        assert_eq!(names("江西省人民政府办公厅文件", None), vec!["江西省"]);
    }

    #[test]
    fn departments() {
        assert_eq!(
            bare_department("市信访局让“网上说事”成“一键维权”"),
            Some(("市".into(), "信访局".into()))
        );
        assert_eq!(bare_department("章贡区践行“五型”要求"), None);
        assert_eq!(named_department("新城镇推行便民代办服务", "新城镇"), None);
        assert_eq!(
            bare_department("市行政审批局试行“一链办理”改革")
                .map(|d| d.1)
                .as_deref(),
            Some("行政审批局")
        );
        assert_eq!(
            named_department("赣州市公安局推出", "赣州市").as_deref(),
            Some("公安局")
        );
        assert_eq!(
            named_department("寻乌县留车镇推进“十县百乡”", "寻乌县"),
            None
        );
        assert_eq!(
            named_department("江西省人民政府办公厅关于印发", "江西省"),
            None
        );
    }
}
