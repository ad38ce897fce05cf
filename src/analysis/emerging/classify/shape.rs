//! The shape of a candidate as jieba reads it: whole formulations built on
//! a shorter one, loose edges, meetings, persons, organisations and words of
//! the general dictionary — grammar of the language, not lists of answers.

use super::*;

/// Whether `longer` is a whole formulation built on `shorter` (网络空间 +
/// 命运共同体, 高质量 + 发展) rather than a use of it: a verb, adverb,
/// preposition or conjunction before it (构建新发展格局, 全面贯彻…) or a
/// locative, particle or verb after it (新常态下, …的) makes a phrase that
/// uses the formulation, and the shorter string stays a line of its own.
///
/// `shorter_verbal` is [`short_verb_phrase`] of `shorter`, worked out once
/// per candidate by the caller (a candidate has many longer ones).
pub(in crate::analysis::emerging) fn builds_on(
    jieba: &jieba_rs::Jieba,
    longer: &str,
    shorter: &str,
    shorter_verbal: bool,
) -> bool {
    let Some(at) = longer.find(shorter) else {
        return false;
    };
    let (left, right) = (&longer[..at], &longer[at + shorter.len()..]);
    // A clause ending in 的 before it (以合作共赢为核心的新型国际关系)
    // describes the formulation rather than making a new one.
    let use_before = |tag: &str| matches!(tag.chars().next(), Some('v' | 'd' | 'p' | 'c' | 'u'));
    let use_after = |tag: &str| {
        matches!(
            tag.chars().next(),
            Some('v' | 'f' | 'u' | 'p' | 'c' | 'd' | 'y')
        ) && tag != "vn"
    };
    if !left.is_empty()
        && jieba
            .tag(left, false)
            .last()
            .is_some_and(|t| use_before(t.tag) && !(shorter_verbal && t.tag == "v"))
    {
        return false;
    }
    if !right.is_empty()
        && jieba
            .tag(right, false)
            .first()
            .is_some_and(|t| use_after(t.tag))
    {
        return false;
    }
    true
}

/// Whether a candidate is a short verb phrase (at most two jieba words, the
/// last a verb: 降费, 大保护). A verb before such a phrase joins it (减税 +
/// 降费, 共抓 + 大保护); before a nominal one or a clause (使 +
/// 市场在资源配置中起决定性作用) it takes the formulation as its object.
pub(in crate::analysis::emerging) fn short_verb_phrase(
    jieba: &jieba_rs::Jieba,
    term: &str,
) -> bool {
    let tags = jieba.tag(term, false);
    tags.len() <= 2 && tags.last().is_some_and(|t| t.tag == "v")
}

/// The jieba part of speech at an edge of the candidate that makes it a
/// piece of a sentence rather than a name for something: a locative,
/// particle, preposition or conjunction (峰会上, 保持中, 年后).
pub(in crate::analysis::emerging) fn loose_edge(
    jieba: &jieba_rs::Jieba,
    term: &str,
) -> Option<String> {
    let tags = jieba.tag(term, false);
    if tags.len() < 2 {
        return None;
    }
    let loose = |tag: &str| matches!(tag.chars().next(), Some('f' | 'u' | 'p' | 'c'));
    // A personal or demonstrative pronoun (我们希望, 这次访问) or a modal verb
    // (要加强, 必须坚持) opens a clause, not a name; 自我 (自我革命) and 各
    // are pronouns of another kind.
    if let Some(first) = tags.first()
        && ((first.tag == "r" && first.word.starts_with(DEICTIC)) || MODALS.contains(&first.word))
    {
        return Some(format!("{}/{}", first.word, first.tag));
    }
    // A dummy verb (进行, 加以, 给予, 作出…) names no action of its own and
    // always governs an object: at either edge it makes a verb phrase or
    // cuts one (进行国事访问, 人类命运共同体作出). A modal verb last has lost
    // what it governs (双方能够; not 需要, also a noun: 美好生活需要).
    if let (Some(first), Some(last)) = (tags.first(), tags.last())
        && (DUMMY_VERBS.contains(&first.word)
            || DUMMY_VERBS.contains(&last.word)
            || (last.word != "需要" && MODALS.contains(&last.word)))
    {
        let edge = if DUMMY_VERBS.contains(&first.word) {
            first
        } else {
            last
        };
        return Some(format!("{}/{}", edge.word, edge.tag));
    }
    // A particle (的, 了, 着) or the suffix 们 never begins a word:
    // standing first, it closes the word before the string (的初心, 们认为),
    // even where lone characters follow. jieba's dictionary holds the words
    // that begin with these characters (的确, 了解), so a lone one is a cut.
    // 化 and 性 before one word are suffixes cut the same way (化防控 of
    // 常态化防控); 化 is also a verb (化危为机, 化被动为主动).
    if let Some(first) = tags.first()
        && (first.tag.starts_with('u')
            || first.tag == "k"
            || (tags.len() == 2 && BOUND_SUFFIXES.contains(&first.word)))
    {
        return Some(format!("{}/{}", first.word, first.tag));
    }
    // Inside a run of lone characters (a word jieba does not know: 碳/中/和)
    // the edge character belongs to that word.
    let single = |i: usize| tags.get(i).is_some_and(|t| t.word.chars().nth(1).is_none());
    let n = tags.len();
    let (first, last) = (tags.first()?, tags.last()?);
    if loose(first.tag) && !(single(0) && single(1) && single(2)) {
        return Some(format!("{}/{}", first.word, first.tag));
    }
    // jieba's dictionary tags some lone localizers nouns (内/n): by the
    // grammar they are locatives all the same (框架内, 峰会上); only short
    // strings count, since a slogan may end on one (永远在路上: 路上/s).
    let localizer = n <= 3 && LOCALIZERS.contains(&last.word);
    if (loose(last.tag) || localizer)
        && !(n >= 3 && single(n - 1) && single(n - 2) && single(n - 3))
    {
        return Some(format!("{}/{}", last.word, last.tag));
    }
    None
}

/// Localizers (方位词) of one character: after a noun they make a place or
/// time phrase (框架内, 新形势下), not a name.
pub(super) const LOCALIZERS: &[&str] = &["上", "下", "内", "外", "中", "里", "前", "后", "间"];

/// Dummy verbs (形式动词): they carry no action of their own and always take
/// an object (进行审议, 给予支持) — a closed class of the grammar.
pub(super) const DUMMY_VERBS: &[&str] = &["进行", "加以", "给予", "给以", "予以", "作出", "做出"];

/// Derivational suffixes that close the word before them (现代化, 历史性):
/// one standing alone at the start of a string was cut from that word.
pub(super) const BOUND_SUFFIXES: &[&str] = &["化", "性"];

/// Verbs of saying: a string ending on one introduces what is said (已经说,
/// 会议强调, 中方认为) — how texts report speech, not a name for anything.
pub(super) const SAYING_VERBS: &[&str] = &[
    "说", "表示", "指出", "强调", "认为", "称", "介绍", "宣布", "透露", "回答", "提出",
];

/// The verb of saying a string of two or more words ends on.
pub(in crate::analysis::emerging) fn ends_on_saying(
    jieba: &jieba_rs::Jieba,
    term: &str,
) -> Option<String> {
    let tags = jieba.tag(term, false);
    let last = tags.last()?;
    (tags.len() >= 2 && SAYING_VERBS.contains(&last.word)).then(|| last.word.to_string())
}

/// How personal and demonstrative pronouns begin (我们, 你们, 他们, 这次, 那些).
pub(super) const DEICTIC: &[char] = &['我', '你', '他', '她', '它', '咱', '这', '那'];

/// Modal verbs: what follows one is said of something, not named.
pub(super) const MODALS: &[&str] = &["要", "应", "应当", "应该", "必须", "需要", "能够", "可以"];

/// Heads of the names of events: games, fairs, forums, summits and
/// meetings (北京冬奥会, 进博会, 中非合作论坛约翰内斯堡峰会, 专题民主生活会) —
/// the grammar of event names, like the organisation heads below. 社会 and
/// 机会 end in 会 but name no gathering, so only these heads count.
pub(super) const EVENT_HEADS: &[&str] = &[
    "峰会",
    "论坛",
    "大会",
    "年会",
    "会议",
    "博会",
    "博览会",
    "交易会",
    "展览会",
    "运动会",
    "奥运会",
    "冬奥会",
    "残奥会",
    "亚运会",
    "大运会",
    "座谈会",
    "研讨会",
    "发布会",
    "生活会",
    "洽谈会",
    "招待会",
    "见面会",
    "联欢会",
];

/// The event head a candidate ends on, when something stands before it
/// (a head alone is one dictionary word, decided as such).
pub(in crate::analysis::emerging) fn event(term: &str) -> Option<String> {
    EVENT_HEADS
        .iter()
        .filter(|h| term.len() > h.len() && term.ends_with(*h))
        .max_by_key(|h| h.len())
        .map(|h| (*h).to_string())
}

/// A verb phrase of two words, each of two or more characters, an
/// adverbial or verb before a verb (加快/构建, 持续/推进, 统筹/推进): the
/// second verb governs an object, so where the phrase goes on in most
/// documents it is the head of longer phrases, not a name. One-character
/// verbs make the compact items of numbered formulations (保/就业, 去/产能,
/// 降/成本), so they do not count.
pub(in crate::analysis::emerging) fn open_verb_phrase(
    jieba: &jieba_rs::Jieba,
    term: &str,
) -> Option<String> {
    let tags = jieba.tag(term, false);
    let [first, last] = tags.as_slice() else {
        return None;
    };
    let long = |w: &str| w.chars().nth(1).is_some();
    (long(first.word)
        && long(last.word)
        && matches!(first.tag, "v" | "vd" | "d" | "ad")
        && last.tag == "v")
        .then(|| format!("{}/{} {}/{}", first.word, first.tag, last.word, last.tag))
}

/// Han numerals, for the ordinals of meetings.
pub(super) const HAN_NUMERALS: &str = "一二三四五六七八九十";

/// The ordinal of a meeting in a candidate: a numeral of two or more
/// characters with 十 before 大 or 届 (十九大, 二十大, 十三届: a congress or
/// a session; 三大攻坚战 and 十大 are not), or any numeral before 中全会,
/// 次会议, 次全体会议 or 次全会 (五中全会, 一次会议).
pub(in crate::analysis::emerging) fn meeting(term: &str) -> Option<String> {
    let chars: Vec<char> = term.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !HAN_NUMERALS.contains(chars[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && HAN_NUMERALS.contains(chars[i]) {
            i += 1;
        }
        let numeral: String = chars[start..i].iter().collect();
        let rest: String = chars[i..].iter().collect();
        let congress = numeral.chars().count() >= 2
            && numeral.contains('十')
            && (rest.starts_with('大') || rest.starts_with('届'));
        let plenum = ["中全会", "次会议", "次全体会议", "次全会"]
            .iter()
            .any(|m| rest.starts_with(m));
        if congress || plenum {
            let head = if congress { 1 } else { 3 };
            let end = (i + head).min(chars.len());
            return Some(chars[start..end].iter().collect());
        }
    }
    None
}

/// A person's full name (three characters, as jieba tags it: its dictionary
/// tags verbs such as 弘扬 as two-character names) at the candidate's edge.
pub(in crate::analysis::emerging) fn person_edge(
    jieba: &jieba_rs::Jieba,
    term: &str,
) -> Option<PersonEdge> {
    let tags = jieba.tag(term, false);
    let name =
        |t: &jieba_rs::Tag| matches!(t.tag, "nr" | "nrfg" | "nrt") && t.word.chars().count() == 3;
    let (first, last) = (tags.first()?, tags.last()?);
    if tags.len() == 2 && name(first) && tags[1].tag.starts_with('v') {
        return Some(PersonEdge::NameVerb(format!(
            "{}{}",
            first.word, tags[1].word
        )));
    }
    // A name the dictionary lacks (韩正, 刘鹤), as jieba's HMM finds it: a
    // word outside the dictionary tagged a person's name, then a verb of
    // reporting — the HMM also tags pieces of new compounds as names
    // (普惠/包容), so any verb would not do.
    if let [who, verb] = jieba.tag(term, true).as_slice()
        && who.tag == "nr"
        && !jieba.has_word(who.word)
        && REPORTING_VERBS.contains(&verb.word)
    {
        return Some(PersonEdge::NameVerb(format!("{}{}", who.word, verb.word)));
    }
    let before = tags.len().checked_sub(2).map(|i| &tags[i])?;
    // A title next to the name (国家主席习近平, 习近平和夫人彭丽媛, 李克强总理):
    // titles are a closed class of words, so a noun jieba mistakes for a
    // name (安全观) does not pass for a person.
    if name(last) && TITLES.contains(&before.word) {
        return Some(PersonEdge::Titled(format!("{}{}", before.word, last.word)));
    }
    if name(before) && TITLES.contains(&last.word) {
        return Some(PersonEdge::Titled(format!("{}{}", before.word, last.word)));
    }
    // A person named by a title, then a verb or preposition inside the
    // string (国家主席习近平在北京): the news reporting what someone did.
    // A noun after the pair keeps a formulation (习近平总书记系列重要讲话精神).
    if let Some(w) = tags.windows(3).find(|w| {
        let titled = (TITLES.contains(&w[0].word) && name(&w[1]))
            || (name(&w[0]) && TITLES.contains(&w[1].word));
        titled && matches!(w[2].tag.chars().next(), Some('v' | 'p'))
    }) {
        return Some(PersonEdge::NameVerb(format!(
            "{}{}{}",
            w[0].word, w[1].word, w[2].word
        )));
    }
    // Only after a verb, pronoun or preposition (这是习近平, 坚持以习近平): a
    // name closing a piece of a sentence. After a noun it may be no name at
    // all (总体国家安全观: jieba tags 安全观 a name).
    (name(last) && matches!(before.tag.chars().next(), Some('v' | 'r' | 'p')))
        .then(|| PersonEdge::EndsOnName(last.word.to_string()))
}

/// Titles by which texts name a person (head of state or government, party
/// secretary, minister, ambassador, spokesperson, spouse): a closed class of
/// the language, not of this corpus.
pub(super) const TITLES: &[&str] = &[
    "主席",
    "副主席",
    "国家主席",
    "总书记",
    "书记",
    "总理",
    "副总理",
    "委员长",
    "国务委员",
    "部长",
    "外长",
    "总统",
    "副总统",
    "首相",
    "大使",
    "发言人",
    "秘书长",
    "夫人",
];

/// The verbs with which the news reports what a person did or said
/// (attended, chaired, met, inspected; said, pointed out, stressed).
pub(super) const REPORTING_VERBS: &[&str] = &[
    "出席", "主持", "会见", "会谈", "参加", "考察", "调研", "视察", "看望", "慰问", "致辞", "讲话",
    "表示", "指出", "强调", "说", "称", "介绍", "宣布", "签署",
];

/// Characters that end the name of an organisation in Chinese (a ministry
/// 部, bureau 局, commission 委, office 办, administration 署, court or
/// academy 院, department 厅, station 台, bank 行, company 司, centre 中心…):
/// a morphological class of the language, not of this corpus.
pub(super) const ORGANISATION_HEADS: &[&str] = &[
    "部",
    "局",
    "署",
    "委",
    "办",
    "院",
    "厅",
    "台",
    "行",
    "司",
    "所",
    "中心",
    "集团",
    "公司",
    "协会",
    "委员会",
    "组织",
];

/// Heads that follow a field to name an office (市场监督管理 + 总局 or 部门):
/// not ends of a word of their own, so only for what follows a candidate.
pub(super) const NAME_PREFIXED_HEADS: &[&str] = &["总局", "部门", "领导小组", "办公室"];

/// The last word of a candidate that names an organisation: a noun (as
/// jieba tags it) of three or more characters ending in an organisation head
/// (应急管理部 ends in 管理部, 亚洲基础设施投资银行 in 投资银行). Two-character
/// words such as 部署 (deploy) or 银行 alone are left out.
///
/// Two more shapes of the same grammar: a one-character head standing as a
/// word of its own after a noun phrase of two or more characters
/// (自然资源/部, 国家医保/局), and a word jieba's dictionary tags as an
/// organisation (统战部/nt, 中央军委/nt).
pub(in crate::analysis::emerging) fn organisation(
    jieba: &jieba_rs::Jieba,
    term: &str,
) -> Option<String> {
    let tags = jieba.tag(term, false);
    let last = tags.last()?;
    let noun = last.tag.starts_with('n') && last.tag != "nr" && last.tag != "nrfg";
    let chars = last.word.chars().count();
    if noun && chars >= 3 && ORGANISATION_HEADS.iter().any(|h| last.word.ends_with(h)) {
        return Some(last.word.to_string());
    }
    if last.tag == "nt" && chars >= 3 {
        return Some(last.word.to_string());
    }
    let before = tags.len().checked_sub(2).map(|i| &tags[i])?;
    let noun_phrase = matches!(before.tag.chars().next(), Some('n' | 'l' | 'j'))
        && !before.tag.starts_with("nr")
        && before.word.chars().count() >= 2;
    (noun_phrase && SINGLE_HEADS.contains(&last.word))
        .then(|| format!("{}{}", before.word, last.word))
}

/// Organisation heads that stand as a word of their own after the field they
/// govern (自然资源/部): ministry, bureau, commission, administration,
/// department, court or academy, office.
pub(super) const SINGLE_HEADS: &[&str] = &["部", "局", "委", "署", "厅", "院", "办"];

/// The dictionary entry of a candidate that jieba reads as one word of its
/// dictionary.
pub(in crate::analysis::emerging) fn dictionary_word(
    jieba: &jieba_rs::Jieba,
    term: &str,
) -> Option<DictionaryWord> {
    if !jieba.has_word(term) || jieba.cut(term, false).len() != 1 {
        return None;
    }
    let tag = jieba
        .tag(term, false)
        .first()
        .map_or(String::new(), |t| t.tag.to_string());
    // For one dictionary word suggest_freq is its frequency + 1.
    Some(DictionaryWord {
        freq: jieba.suggest_freq(term).saturating_sub(1),
        tag,
    })
}

/// Whether the text after a candidate starts with the head of an
/// organisation's name (部, 委员会, 总局…), unless the head character begins
/// another word of the dictionary (部署, 局面, 办法, 司法).
pub(super) fn goes_on_into_name(jieba: &jieba_rs::Jieba, rest: &str) -> bool {
    let heads = ORGANISATION_HEADS.iter().chain(NAME_PREFIXED_HEADS);
    heads.clone().any(|h| {
        let Some(after) = rest.strip_prefix(h) else {
            return false;
        };
        let Some(c) = after.chars().next() else {
            return true;
        };
        let word = &rest[..h.len() + c.len_utf8()];
        !jieba.has_word(word) || heads.clone().any(|o| o == &word)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_formulations_and_uses_of_them() {
        let jieba = jieba_rs::Jieba::new();
        let built = |longer: &str, shorter: &str| {
            builds_on(&jieba, longer, shorter, short_verb_phrase(&jieba, shorter))
        };
        // A noun before or a noun after: a whole formulation built on it.
        assert!(built("网络空间命运共同体", "命运共同体"));
        assert!(built("高质量发展", "高质量"));
        // A verb before, a locative after: a use of the formulation.
        assert!(!built("构建新发展格局", "新发展格局"));
        // A verb before a short verb phrase joins it; before a clause it
        // takes it as its object.
        assert!(built("减税降费", "降费"));
        assert!(!built(
            "使市场在资源配置中起决定性作用",
            "市场在资源配置中起决定性作用"
        ));
        assert!(!built("新常态下", "新常态"));
        assert!(loose_edge(&jieba, "峰会上").is_some());
        assert!(loose_edge(&jieba, "命运共同体").is_none());
        // 和 ends 碳中和, a word jieba cuts into lone characters (碳/中/和).
        assert!(loose_edge(&jieba, "碳中和").is_none());
        assert!(loose_edge(&jieba, "改革和").is_some());
        // A clause opened by a pronoun or a modal verb; 自我革命 is a name.
        assert!(loose_edge(&jieba, "我们希望").is_some());
        assert!(loose_edge(&jieba, "这次访问").is_some());
        assert!(loose_edge(&jieba, "要加强").is_some());
        assert!(loose_edge(&jieba, "自我革命").is_none());
        assert!(loose_edge(&jieba, "要素市场").is_none());
        // A particle or suffix first was cut from the word before (words
        // that begin with those characters are whole); a dummy verb at an
        // edge or a modal verb last makes a verb phrase, not a name.
        let cuts = [
            "的初心",
            "们认为",
            "化防控",
            "性变革",
            "得更好",
            "进行时",
            "进行国事访问",
        ];
        let more_cuts = ["人类命运共同体作出", "双方能够", "各级党委要", "框架内"];
        for cut in cuts.iter().chain(&more_cuts) {
            assert!(loose_edge(&jieba, cut).is_some(), "{cut}");
        }
        let wholes = [
            "化解风险",
            "了解情况",
            "性别平等",
            "着力推进",
            "化危为机",
            "化被动为主动",
        ];
        let more_wholes = [
            "美好生活需要",
            "人民日益增长的美好生活需要",
            "重要举措",
            "进行曲",
            "永远在路上",
        ];
        for whole in wholes.iter().chain(&more_wholes) {
            assert!(loose_edge(&jieba, whole).is_none(), "{whole}");
        }
        // A verb of saying last reports speech; 说 inside a word does not.
        assert_eq!(ends_on_saying(&jieba, "已经说").as_deref(), Some("说"));
        assert_eq!(ends_on_saying(&jieba, "会议强调").as_deref(), Some("强调"));
        assert!(ends_on_saying(&jieba, "说").is_none());
        assert!(ends_on_saying(&jieba, "中国梦").is_none());
        assert!(ends_on_saying(&jieba, "学说").is_none());
        // An office goes on after it; 部署 and 局面 are words, not offices.
        assert!(goes_on_into_name(&jieba, "委今天通报"));
        assert!(goes_on_into_name(&jieba, "部"));
        assert!(goes_on_into_name(&jieba, "总局局长"));
        assert!(!goes_on_into_name(&jieba, "部署"));
        assert!(!goes_on_into_name(&jieba, "局面"));
        assert!(!goes_on_into_name(&jieba, "发展"));
        assert!(dictionary_word(&jieba, "巴黎").is_some_and(|w| w.tag == "ns"));
        // A clause ending in 的 describes the formulation: a use, not a whole.
        assert!(!built("合作共赢为核心的新型国际关系", "新型国际关系"));
        // Names of organisations by their last word; a verb or a concept is not one.
        assert_eq!(
            organisation(&jieba, "应急管理部").as_deref(),
            Some("管理部")
        );
        assert_eq!(
            organisation(&jieba, "亚洲基础设施投资银行").as_deref(),
            Some("投资银行")
        );
        assert_eq!(
            organisation(&jieba, "自然资源部").as_deref(),
            Some("自然资源部")
        );
        assert!(organisation(&jieba, "统战部").is_some());
        for not_one in [
            "决策部署",
            "新发展格局",
            "人类命运共同体",
            "全过程人民民主",
            "主体责任",
            "党的建设",
        ] {
            assert_eq!(organisation(&jieba, not_one), None, "{not_one}");
        }
        assert!(dictionary_word(&jieba, "一带一路").is_none());
    }

    /// The same name or number before it in most documents makes it the tail
    /// of a longer name; a verb or a minority of documents does not.

    #[test]
    fn meetings_by_their_ordinals() {
        for (term, m) in [
            ("十九大", "十九大"),
            ("党的十九大精神", "十九大"),
            ("二十大胜利召开", "二十大"),
            ("十三届全国人大", "十三届"),
            ("五中全会", "五中全会"),
            ("十二届全国人大一次会议", "十二届"),
        ] {
            assert_eq!(meeting(term).as_deref(), Some(m), "{term}");
        }
        for none in [
            "三大攻坚战",
            "十大",
            "十三五",
            "四个全面",
            "第二个百年奋斗目标",
            "两个一百年",
        ] {
            assert_eq!(meeting(none), None, "{none}");
        }
    }

    #[test]
    fn events_by_their_heads() {
        for (term, head) in [
            ("北京冬奥会", "冬奥会"),
            ("冬残奥会", "残奥会"),
            ("进博会", "博会"),
            ("中非合作论坛约翰内斯堡峰会", "峰会"),
            ("专题民主生活会", "生活会"),
        ] {
            assert_eq!(event(term).as_deref(), Some(head), "{term}");
        }
        for none in [
            "和谐社会",
            "全面建成小康社会",
            "峰会",
            "发展机会",
            "人类命运共同体",
        ] {
            assert_eq!(event(none), None, "{none}");
        }
    }

    #[test]
    fn open_verb_phrases_of_two_long_words() {
        let jieba = jieba_rs::Jieba::new();
        for term in ["加快构建", "持续推进", "统筹推进", "深入实施"] {
            assert!(open_verb_phrase(&jieba, term).is_some(), "{term}");
        }
        // One-character verbs (numbered items), nouns last, three words.
        for term in [
            "保就业",
            "去产能",
            "乡村振兴",
            "高质量发展",
            "推动高质量发展",
        ] {
            assert_eq!(open_verb_phrase(&jieba, term), None, "{term}");
        }
    }

    #[test]
    fn a_persons_name_at_the_edge() {
        let jieba = jieba_rs::Jieba::new();
        assert!(matches!(
            person_edge(&jieba, "李克强主持"),
            Some(PersonEdge::NameVerb(_))
        ));
        // A name jieba's dictionary lacks, found by its HMM.
        assert!(matches!(
            person_edge(&jieba, "韩正出席"),
            Some(PersonEdge::NameVerb(nv)) if nv == "韩正出席"
        ));
        assert!(matches!(
            person_edge(&jieba, "这是习近平"),
            Some(PersonEdge::EndsOnName(n)) if n == "习近平"
        ));
        // A name with its title, either side, is a person named.
        for titled in ["中央军委主席习近平", "习近平和夫人彭丽媛", "李克强总理"]
        {
            assert!(
                matches!(person_edge(&jieba, titled), Some(PersonEdge::Titled(_))),
                "{titled}"
            );
        }
        // A titled name going on into what the person did.
        assert!(matches!(
            person_edge(&jieba, "国家主席习近平在北京"),
            Some(PersonEdge::NameVerb(nv)) if nv == "主席习近平在"
        ));
        // The name inside a formulation, or a verb jieba tags as a name (弘扬).
        for none in [
            "习近平总书记系列重要讲话精神",
            "习近平新时代中国特色社会主义思想",
            "大力弘扬",
            "习近平",
            "人类命运共同体",
            "总体国家安全观",
            "减税降费",
            "稳就业",
            "放管服",
            "双碳",
            "普惠包容",
        ] {
            assert!(person_edge(&jieba, none).is_none(), "{none}");
        }
    }
}
