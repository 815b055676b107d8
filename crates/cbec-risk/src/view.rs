//! What one evaluation derives from a [`Subject`] once, for the rules and
//! the warnings alike: lower-cased texts, the keywords found in them, values
//! per kg, the seller party and the route.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};

use aho_corasick::Anchored;
use aho_corasick::automaton::Automaton;
use aho_corasick::dfa::DFA;
use aho_corasick::nfa::contiguous::NFA;
use rust_decimal::Decimal;

use crate::subject::{Item, Party, PartyRole, Subject};

/// The hasher of the engine's indexes: FNV-1a finished by the SplitMix64
/// mix, several times faster than SipHash on the short keys (codes, small
/// numbers) looked up for every list. Flooding is no concern: the keys
/// stored come from rule files and warnings, not from traffic.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct FastHash;

pub(crate) struct FastHasher(u64);

impl BuildHasher for FastHash {
    type Hasher = FastHasher;

    fn build_hasher(&self) -> FastHasher {
        FastHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        crate::draw::mix64(self.0)
    }
}

/// A map of an index.
pub(crate) type FastMap<K, V> = HashMap<K, V, FastHash>;

/// How [`Words`] searches.
#[derive(Debug, Clone)]
enum Matcher {
    /// Fastest search, slower to build: for the rules, compiled once.
    Dfa(DFA),
    /// Quick to build: for many warnings, indexed at every change.
    Nfa(NFA),
    /// Quickest to build: for a few warnings. The words by their first
    /// byte, each tried where that byte occurs.
    FirstByte(Vec<Vec<u32>>),
    /// Word by word, should no automaton build.
    Naive,
}

/// A set of lower-cased words searched in texts (goods names or brands):
/// with an Aho-Corasick automaton stepped byte by byte (every word
/// occurring is found, overlapping ones included).
#[derive(Debug, Clone)]
pub(crate) struct Words {
    pub(crate) words: Vec<String>,
    matcher: Matcher,
}

impl Default for Words {
    fn default() -> Words {
        Words { words: Vec::new(), matcher: Matcher::Naive }
    }
}

/// Words up to which [`Matcher::FirstByte`] is used for a quick build.
const FIRST_BYTE_MAX_WORDS: usize = 128;

/// Appends the ids of the words of `automaton` occurring in `text`; false
/// if the automaton cannot search (then nothing is appended).
fn search(automaton: &impl Automaton, text: &str, out: &mut Vec<u32>) -> bool {
    let Ok(mut sid) = automaton.start_state(Anchored::No) else { return false };
    // With standard match semantics every state lists all the words ending
    // there (those of its failure states too).
    for &b in text.as_bytes() {
        sid = automaton.next_state(Anchored::No, sid, b);
        if automaton.is_special(sid) && automaton.is_match(sid) {
            out.extend((0..automaton.match_len(sid)).map(|i| automaton.match_pattern(sid, i).as_u32()));
        }
    }
    true
}

impl Words {
    /// `words` must be lower-cased and distinct; their position is their
    /// id. `quick_build` trades search speed for build time.
    pub(crate) fn new(words: Vec<String>, quick_build: bool) -> Words {
        let matcher = match (words.is_empty(), quick_build) {
            (true, _) => None,
            // No prefilter: the search steps the automaton itself.
            (false, false) => DFA::builder().prefilter(false).build(&words).ok().map(Matcher::Dfa),
            (false, true) if words.len() > FIRST_BYTE_MAX_WORDS => {
                NFA::builder().prefilter(false).build(&words).ok().map(Matcher::Nfa)
            }
            (false, true) => {
                let mut buckets = vec![Vec::new(); 256];
                for (id, word) in words.iter().enumerate() {
                    if let Some(bucket) = word.as_bytes().first().and_then(|&b| buckets.get_mut(usize::from(b))) {
                        bucket.push(id as u32);
                    }
                }
                Some(Matcher::FirstByte(buckets))
            }
        };
        Words { words, matcher: matcher.unwrap_or(Matcher::Naive) }
    }

    /// The ids of the words occurring in `text` (lower-cased), sorted.
    pub(crate) fn find(&self, text: &str, out: &mut Vec<u32>) {
        out.clear();
        if self.words.is_empty() || text.is_empty() {
            return;
        }
        let searched = match &self.matcher {
            Matcher::Dfa(dfa) => search(dfa, text, out),
            Matcher::Nfa(nfa) => search(nfa, text, out),
            Matcher::FirstByte(buckets) => {
                // A match of UTF-8 in UTF-8 starts on a character boundary,
                // so comparing bytes is comparing text.
                let bytes = text.as_bytes();
                for (pos, &b) in bytes.iter().enumerate() {
                    for &id in buckets.get(usize::from(b)).map_or(&[][..], Vec::as_slice) {
                        let word = self.words.get(id as usize).map_or(&[][..], |w| w.as_bytes());
                        if bytes.get(pos..).is_some_and(|rest| rest.starts_with(word)) {
                            out.push(id);
                        }
                    }
                }
                true
            }
            Matcher::Naive => false,
        };
        if !searched {
            out.extend(self.words.iter().enumerate().filter(|(_, w)| text.contains(w.as_str())).map(|(i, _)| i as u32));
        }
        if out.len() > 1 {
            out.sort_unstable();
            out.dedup();
        }
    }
}

/// Ids by HS code prefix: by chapter (2 digits) for prefixes of 2 or 3
/// digits, by heading (4 digits) for longer ones, so a lookup returns few
/// ids that cannot match.
#[derive(Debug, Clone, Default)]
pub(crate) struct HsIndex {
    by_chapter: FastMap<u16, Vec<u32>>,
    by_heading: FastMap<u16, Vec<u32>>,
}

impl HsIndex {
    /// Files `id` under `prefix`; false when the prefix does not start with
    /// two digits (the caller indexes it otherwise).
    pub(crate) fn insert(&mut self, prefix: &str, id: u32) -> bool {
        let map = match (heading(prefix), chapter(prefix)) {
            (Some(h), _) => self.by_heading.entry(h),
            (None, Some(c)) => self.by_chapter.entry(c),
            (None, None) => return false,
        };
        let list = map.or_default();
        if list.last() != Some(&id) {
            list.push(id);
        }
        true
    }

    /// The ids filed under the chapter and the heading of an item.
    pub(crate) fn lookup(&self, iv: &ItemView<'_>, mut found: impl FnMut(&[u32])) {
        if let Some(list) = iv.chapter.and_then(|c| self.by_chapter.get(&c)) {
            found(list);
        }
        if let Some(list) = iv.heading.and_then(|h| self.by_heading.get(&h)) {
            found(list);
        }
    }
}

/// One item as the conditions see it.
#[derive(Debug)]
pub(crate) struct ItemView<'s> {
    pub(crate) item: &'s Item,
    /// The HS code and origin, trimmed.
    pub(crate) hs: &'s str,
    pub(crate) origin: &'s str,
    /// Goods name and brand, lower-cased.
    pub(crate) name: String,
    pub(crate) brand: String,
    /// Ids of the rule keywords (names) and brands found.
    pub(crate) name_words: Vec<u32>,
    pub(crate) brand_words: Vec<u32>,
    pub(crate) value_per_kg: Option<Decimal>,
    /// The HS chapter (first two digits) and heading (first four).
    pub(crate) chapter: Option<u16>,
    pub(crate) heading: Option<u16>,
}

/// A subject prepared for matching.
#[derive(Debug)]
pub(crate) struct View<'s> {
    pub(crate) subject: &'s Subject,
    /// Head fields, trimmed.
    pub(crate) trade_mode: &'s str,
    pub(crate) customs_code: &'s str,
    pub(crate) port_code: &'s str,
    pub(crate) traf_mode: &'s str,
    pub(crate) country: &'s str,
    pub(crate) items: Vec<ItemView<'s>>,
    /// The e-commerce enterprise (seller): the first `ebc` party.
    pub(crate) seller: Option<&'s Party>,
    /// Party codes, upper-cased.
    pub(crate) party_codes: Vec<Cow<'s, str>>,
}

impl<'s> View<'s> {
    pub(crate) fn new(subject: &'s Subject, names: &Words, brands: &Words) -> View<'s> {
        let items = subject
            .items
            .iter()
            .map(|item| {
                let name = item.name.to_lowercase();
                let brand = item.brand.to_lowercase();
                let mut name_words = Vec::new();
                names.find(&name, &mut name_words);
                let mut brand_words = Vec::new();
                brands.find(&brand, &mut brand_words);
                let hs = item.hs_code.trim();
                ItemView {
                    item,
                    hs,
                    origin: item.origin_country.trim(),
                    value_per_kg: value_per_kg(item, subject),
                    chapter: chapter(hs),
                    heading: heading(hs),
                    name,
                    brand,
                    name_words,
                    brand_words,
                }
            })
            .collect();
        View {
            subject,
            trade_mode: subject.trade_mode.trim(),
            customs_code: subject.customs_code.trim(),
            port_code: subject.port_code.trim(),
            traf_mode: subject.traf_mode.trim(),
            country: subject.country.trim(),
            items,
            seller: subject.parties.iter().find(|p| p.role == PartyRole::Ebc),
            party_codes: subject.parties.iter().map(|p| upper(p.code.trim())).collect(),
        }
    }

    /// Whether the list is declared in its port's customs district: the
    /// first two digits of the customs and port codes agree. `None` when a
    /// code is too short to tell.
    pub(crate) fn same_district(&self) -> Option<bool> {
        let customs = self.customs_code.get(..2)?;
        let port = self.port_code.get(..2)?;
        Some(customs == port)
    }
}

/// A code in upper case, borrowed when it already is.
fn upper(code: &str) -> Cow<'_, str> {
    if code.bytes().any(|b| b.is_ascii_lowercase()) {
        Cow::Owned(code.to_ascii_uppercase())
    } else {
        Cow::Borrowed(code)
    }
}

/// The first `n` characters of a code as a number, if they are digits.
fn leading_digits(hs: &str, n: usize) -> Option<u16> {
    let digits = hs.as_bytes().get(..n)?;
    digits.iter().try_fold(0u16, |acc, b| b.is_ascii_digit().then(|| acc * 10 + u16::from(b - b'0')))
}

/// The HS chapter of a code or prefix: its first two digits as a number.
pub(crate) fn chapter(hs: &str) -> Option<u16> {
    leading_digits(hs, 2)
}

/// The HS heading of a code or prefix: its first four digits as a number.
pub(crate) fn heading(hs: &str) -> Option<u16> {
    leading_digits(hs, 4)
}

/// Value per kg of an item: its total price over its quantity when the unit
/// is kilograms (`035`) or grams (`036`, quantity / 1000); otherwise the
/// list's total value over its net weight when that is positive; otherwise
/// unknown (and a value-per-kg condition does not hold).
pub(crate) fn value_per_kg(item: &Item, subject: &Subject) -> Option<Decimal> {
    let positive = |d: Decimal| d > Decimal::ZERO;
    match item.unit.trim() {
        "035" if positive(item.qty) => item.total_price.checked_div(item.qty),
        "036" if positive(item.qty) => item.total_price.checked_mul(Decimal::ONE_THOUSAND)?.checked_div(item.qty),
        _ => match subject.net_weight {
            Some(w) if positive(w) => subject.total_value.checked_div(w),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_finds_every_occurrence_overlapping_included() {
        let list: Vec<String> = ["fish oil", "oil", "sunscreen", "screen", "奶粉"].map(String::from).into();
        let naive = Words { words: list.clone(), matcher: Matcher::Naive };
        let nfa = Words { words: list.clone(), matcher: NFA::new(&list).map(Matcher::Nfa).unwrap() };
        for words in [Words::new(list.clone(), false), Words::new(list, true), nfa, naive] {
            let mut out = Vec::new();
            words.find("cod fish oil and sunscreen; oil", &mut out);
            assert_eq!(out, [0, 1, 2, 3], "{:?}", words.matcher);
            words.find("婴儿奶粉", &mut out);
            assert_eq!(out, [4]);
            words.find("nothing here", &mut out);
            assert!(out.is_empty());
        }
    }

    #[test]
    fn chapters_and_headings() {
        assert_eq!((chapter("0201300000"), heading("0201300000")), (Some(2), Some(201)));
        assert_eq!((chapter("19"), heading("19")), (Some(19), None));
        assert_eq!((chapter("1x"), heading("ab12")), (None, None));
        assert_eq!(chapter("奶粉"), None);
    }
}
