//! Exact matching of shared signals against observed values.
//!
//! A node keeps one [`ExactIndex`] of every shared signal it follows and asks
//! it about each piece of its own content. Signals arrive and expire one at a
//! time, so the index is updated incrementally ([`ExactIndex::insert`],
//! [`ExactIndex::remove`]) and never rebuilt.

use std::hash::Hash;
use std::net::IpAddr;

use rustc_hash::FxHashMap;

use crate::canon::{
    CanonError, CanonicalUrl, HashKind, IpNetwork, canonical_account, canonical_domain,
    canonical_email, canonical_hash, canonical_url, parse_ip_network,
};

/// What kind of value a shared signal is, which decides how it is
/// canonicalised and what it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SignalKind {
    /// A link; matches the same link after canonicalisation.
    Url,
    /// A domain; matches URLs and hosts on it or any of its subdomains.
    Domain,
    /// A social-media account (profile URL or `platform:handle`).
    Account,
    /// An IP address or CIDR block; matches every address inside it.
    Ip,
    /// An e-mail address.
    Email,
    /// An MD5, SHA-1 or SHA-256 digest (told apart by length).
    Hash,
}

impl SignalKind {
    /// Lowercase name (`url`, `domain`, `account`, `ip`, `email`, `hash`).
    pub fn name(self) -> &'static str {
        match self {
            SignalKind::Url => "url",
            SignalKind::Domain => "domain",
            SignalKind::Account => "account",
            SignalKind::Ip => "ip",
            SignalKind::Email => "email",
            SignalKind::Hash => "hash",
        }
    }

    /// The kind that matches a model indicator, if it is exactly matchable
    /// (PDQ hashes and text need similarity search, not this index).
    pub fn of_indicator(indicator: &crosswatch_model::Indicator) -> Option<SignalKind> {
        use crosswatch_model::{HashAlgorithm, IndicatorKind};
        match indicator.kind {
            IndicatorKind::Url => Some(SignalKind::Url),
            IndicatorKind::Domain => Some(SignalKind::Domain),
            IndicatorKind::SocialAccount => Some(SignalKind::Account),
            IndicatorKind::Ip => Some(SignalKind::Ip),
            IndicatorKind::Email => Some(SignalKind::Email),
            IndicatorKind::Hash => match indicator.hash_algorithm {
                Some(HashAlgorithm::Pdq) => None,
                _ => Some(SignalKind::Hash),
            },
            _ => None,
        }
    }
}

/// A signal value reduced to the key it is stored under.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum StoredKey {
    Url(String),
    Domain(String),
    Account(String),
    Ip(IpNetwork),
    Email(String),
    Hash(String),
}

fn hash_key(kind: HashKind, hex: &str) -> String {
    format!("{}:{hex}", kind.name())
}

/// Strip `www.` from a shared domain so that `www.bild.pics` also matches
/// `bild.pics/…`; a registrable domain is never shortened.
fn domain_key(host: &str) -> String {
    let mut key = host;
    while let Some(rest) = key.strip_prefix("www.") {
        if psl::domain_str(rest).is_none() {
            break;
        }
        key = rest;
    }
    key.to_owned()
}

fn stored_key(kind: SignalKind, value: &str) -> Result<StoredKey, CanonError> {
    Ok(match kind {
        SignalKind::Url => StoredKey::Url(canonical_url(value)?.key().to_owned()),
        SignalKind::Domain => StoredKey::Domain(domain_key(&canonical_domain(value)?)),
        SignalKind::Account => StoredKey::Account(canonical_account(value)?),
        SignalKind::Ip => StoredKey::Ip(parse_ip_network(value)?),
        SignalKind::Email => StoredKey::Email(canonical_email(value)?),
        SignalKind::Hash => {
            let (hash_kind, hex) = canonical_hash(value)?;
            StoredKey::Hash(hash_key(hash_kind, &hex))
        }
    })
}

/// Index from canonical keys to the ids of the signals that carry them.
///
/// `Id` is whatever the caller names signals by (a UUID, a string, a number).
///
/// ```
/// use crosswatch_matching::exact::{ExactIndex, SignalKind};
/// let mut index = ExactIndex::new();
/// index.insert(1, SignalKind::Domain, "bild[.]pics").unwrap();
/// index.insert(2, SignalKind::Ip, "192.0.2.0/24").unwrap();
/// assert_eq!(index.lookup_url_str("https://www.bild.pics/politik/?utm_source=x").unwrap(), vec![&1]);
/// assert_eq!(index.lookup_ip("192.0.2.77".parse().unwrap()), vec![&2]);
/// index.remove(&1);
/// assert!(index.lookup_url_str("https://bild.pics/").unwrap().is_empty());
/// ```
#[derive(Debug, Clone)]
pub struct ExactIndex<Id> {
    keyed: FxHashMap<StoredKey, Vec<Id>>,
    networks: IpTrie<Id>,
    by_signal: FxHashMap<Id, Vec<StoredKey>>,
}

impl<Id> Default for ExactIndex<Id> {
    fn default() -> Self {
        ExactIndex {
            keyed: FxHashMap::default(),
            networks: IpTrie::default(),
            by_signal: FxHashMap::default(),
        }
    }
}

impl<Id: Clone + Eq + Hash> ExactIndex<Id> {
    /// An empty index.
    pub fn new() -> Self {
        ExactIndex::default()
    }

    /// Number of signals with at least one value in the index.
    pub fn len(&self) -> usize {
        self.by_signal.len()
    }

    /// Whether the index holds no signal.
    pub fn is_empty(&self) -> bool {
        self.by_signal.is_empty()
    }

    /// Add one value of a signal. A signal may carry several values (call
    /// again with the same id); adding the same value twice is harmless.
    pub fn insert(&mut self, signal: Id, kind: SignalKind, value: &str) -> Result<(), CanonError> {
        let key = stored_key(kind, value)?;
        let keys = self.by_signal.entry(signal.clone()).or_default();
        if keys.contains(&key) {
            return Ok(());
        }
        keys.push(key.clone());
        match key {
            StoredKey::Ip(network) => self.networks.insert(network, signal),
            other => {
                let ids = self.keyed.entry(other).or_default();
                if !ids.contains(&signal) {
                    ids.push(signal);
                }
            }
        }
        Ok(())
    }

    /// Add a model indicator under `signal`. Returns `Ok(false)` for kinds
    /// this index does not match (PDQ, text, counts).
    pub fn insert_indicator(
        &mut self,
        signal: Id,
        indicator: &crosswatch_model::Indicator,
    ) -> Result<bool, CanonError> {
        let Some(kind) = SignalKind::of_indicator(indicator) else {
            return Ok(false);
        };
        let value = match (kind, indicator.account_ref()) {
            (SignalKind::Account, Some(account)) => account.key(),
            _ => indicator.value.clone(),
        };
        self.insert(signal, kind, &value)?;
        Ok(true)
    }

    /// Remove every value of a signal. Returns `false` if it was unknown.
    pub fn remove(&mut self, signal: &Id) -> bool {
        let Some(keys) = self.by_signal.remove(signal) else {
            return false;
        };
        for key in keys {
            match key {
                StoredKey::Ip(network) => self.networks.remove(network, signal),
                other => {
                    if let Some(ids) = self.keyed.get_mut(&other) {
                        ids.retain(|id| id != signal);
                        if ids.is_empty() {
                            self.keyed.remove(&other);
                        }
                    }
                }
            }
        }
        true
    }

    fn ids_for<'a>(&'a self, key: &StoredKey, out: &mut Vec<&'a Id>) {
        if let Some(ids) = self.keyed.get(key) {
            for id in ids {
                if !out.contains(&id) {
                    out.push(id);
                }
            }
        }
    }

    /// Domain signals on `host` or any parent domain down to the
    /// registrable domain.
    fn domain_ids<'a>(&'a self, host: &str, out: &mut Vec<&'a Id>) {
        let mut candidate = host;
        loop {
            self.ids_for(&StoredKey::Domain(candidate.to_owned()), out);
            match candidate.split_once('.') {
                Some((_, parent)) if psl::domain_str(parent).is_some() => candidate = parent,
                _ => break,
            }
        }
    }

    /// Signals matching a canonical URL: the same link, its host or a
    /// parent domain, and, for IP-literal hosts, any block containing it.
    pub fn lookup_url(&self, url: &CanonicalUrl) -> Vec<&Id> {
        let mut out = Vec::new();
        self.ids_for(&StoredKey::Url(url.key().to_owned()), &mut out);
        let host = url.host();
        let literal = host.trim_start_matches('[').trim_end_matches(']');
        match literal.parse::<IpAddr>() {
            Ok(ip) => self.networks.lookup(ip, &mut out),
            Err(_) => self.domain_ids(host, &mut out),
        }
        out
    }

    /// [`ExactIndex::lookup_url`] on a raw (possibly defanged) link.
    pub fn lookup_url_str(&self, url: &str) -> Result<Vec<&Id>, CanonError> {
        Ok(self.lookup_url(&canonical_url(url)?))
    }

    /// Signals matching a host name: the domain itself or a parent domain.
    pub fn lookup_domain(&self, domain: &str) -> Result<Vec<&Id>, CanonError> {
        let host = canonical_domain(domain)?;
        let mut out = Vec::new();
        self.domain_ids(&host, &mut out);
        Ok(out)
    }

    /// Signals whose IP block contains `ip`.
    pub fn lookup_ip(&self, ip: IpAddr) -> Vec<&Id> {
        let mut out = Vec::new();
        self.networks.lookup(ip, &mut out);
        out
    }

    /// Signals naming this account (profile URL, post URL or `platform:handle`).
    pub fn lookup_account(&self, account: &str) -> Result<Vec<&Id>, CanonError> {
        let mut out = Vec::new();
        self.ids_for(&StoredKey::Account(canonical_account(account)?), &mut out);
        Ok(out)
    }

    /// Signals with this e-mail address.
    pub fn lookup_email(&self, email: &str) -> Result<Vec<&Id>, CanonError> {
        let mut out = Vec::new();
        self.ids_for(&StoredKey::Email(canonical_email(email)?), &mut out);
        Ok(out)
    }

    /// Signals with this MD5/SHA-1/SHA-256 digest.
    pub fn lookup_hash(&self, hex: &str) -> Result<Vec<&Id>, CanonError> {
        let (kind, hex) = canonical_hash(hex)?;
        let mut out = Vec::new();
        self.ids_for(&StoredKey::Hash(hash_key(kind, &hex)), &mut out);
        Ok(out)
    }

    /// Look an observed value of a given kind up (a URL also matches domain
    /// signals, a domain also matches parent-domain signals, an IP address
    /// also matches blocks containing it).
    pub fn lookup(&self, kind: SignalKind, value: &str) -> Result<Vec<&Id>, CanonError> {
        match kind {
            SignalKind::Url => self.lookup_url_str(value),
            SignalKind::Domain => self.lookup_domain(value),
            SignalKind::Account => self.lookup_account(value),
            SignalKind::Ip => {
                let network = parse_ip_network(value)?;
                let mut out = Vec::new();
                self.networks.lookup(network.address(), &mut out);
                // An observed block matches signals that contain all of it.
                out.retain(|id| {
                    self.by_signal.get(*id).is_some_and(|keys| {
                        keys.iter().any(|key| match key {
                            StoredKey::Ip(shared) => {
                                shared.prefix_len() <= network.prefix_len()
                                    && shared.contains(network.address())
                            }
                            _ => false,
                        })
                    })
                });
                Ok(out)
            }
            SignalKind::Email => self.lookup_email(value),
            SignalKind::Hash => self.lookup_hash(value),
        }
    }
}

/// A binary trie over address bits, one per family, holding signal ids at the
/// node of each block's prefix. Looking up an address walks at most 32 or 128
/// nodes and collects every block on the way.
#[derive(Debug, Clone)]
struct IpTrie<Id> {
    nodes: Vec<TrieNode<Id>>,
}

#[derive(Debug, Clone)]
struct TrieNode<Id> {
    children: [u32; 2],
    ids: Vec<Id>,
}

impl<Id> TrieNode<Id> {
    fn empty() -> Self {
        TrieNode {
            children: [0, 0],
            ids: Vec::new(),
        }
    }
}

/// Node 0 is the IPv4 root, node 1 the IPv6 root; child 0 means "none"
/// (the IPv4 root is never anyone's child).
const V4_ROOT: usize = 0;
const V6_ROOT: usize = 1;

impl<Id> Default for IpTrie<Id> {
    fn default() -> Self {
        IpTrie {
            nodes: vec![TrieNode::empty(), TrieNode::empty()],
        }
    }
}

fn address_bits(ip: IpAddr) -> (usize, u128, u32) {
    match ip {
        IpAddr::V4(v4) => (V4_ROOT, u128::from(u32::from(v4)) << 96, 32),
        IpAddr::V6(v6) => (V6_ROOT, u128::from(v6), 128),
    }
}

fn bit_at(bits: u128, depth: u32) -> usize {
    usize::from((bits >> (127 - depth)) & 1 == 1)
}

impl<Id: Clone + Eq> IpTrie<Id> {
    fn insert(&mut self, network: IpNetwork, id: Id) {
        let (mut node, bits, _) = address_bits(network.address());
        for depth in 0..u32::from(network.prefix_len()) {
            let bit = bit_at(bits, depth);
            let child = self.nodes.get(node).map_or(0, |n| n.children[bit]);
            node = if child == 0 {
                let fresh = self.nodes.len();
                self.nodes.push(TrieNode::empty());
                if let Some(parent) = self.nodes.get_mut(node) {
                    parent.children[bit] = u32::try_from(fresh).unwrap_or(0);
                }
                fresh
            } else {
                child as usize
            };
        }
        if let Some(target) = self.nodes.get_mut(node)
            && !target.ids.contains(&id)
        {
            target.ids.push(id);
        }
    }

    fn find(&self, network: IpNetwork) -> Option<usize> {
        let (mut node, bits, _) = address_bits(network.address());
        for depth in 0..u32::from(network.prefix_len()) {
            let child = self.nodes.get(node)?.children[bit_at(bits, depth)];
            if child == 0 {
                return None;
            }
            node = child as usize;
        }
        Some(node)
    }

    fn remove(&mut self, network: IpNetwork, id: &Id) {
        if let Some(node) = self.find(network)
            && let Some(target) = self.nodes.get_mut(node)
        {
            target.ids.retain(|held| held != id);
        }
    }

    fn lookup<'a>(&'a self, ip: IpAddr, out: &mut Vec<&'a Id>) {
        let (mut node, bits, width) = address_bits(ip);
        let mut depth = 0;
        loop {
            let Some(current) = self.nodes.get(node) else {
                return;
            };
            for id in &current.ids {
                if !out.contains(&id) {
                    out.push(id);
                }
            }
            if depth == width {
                return;
            }
            let child = current.children[bit_at(bits, depth)];
            if child == 0 {
                return;
            }
            node = child as usize;
            depth += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sorted(ids: Vec<&u32>) -> Vec<u32> {
        let mut ids: Vec<u32> = ids.into_iter().copied().collect();
        ids.sort_unstable();
        ids
    }

    #[test]
    fn url_signals_match_every_variant_of_the_link() {
        let mut index = ExactIndex::new();
        index
            .insert(
                7,
                SignalKind::Url,
                "hxxps://www.example[.]com/story/?utm_source=tg",
            )
            .unwrap();
        for variant in [
            "https://example.com/story",
            "http://m.example.com/story/#comments",
            "example.com/story?fbclid=123",
        ] {
            assert_eq!(
                sorted(index.lookup_url_str(variant).unwrap()),
                vec![7],
                "{variant}"
            );
        }
        assert!(
            index
                .lookup_url_str("https://example.com/other")
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn domain_signals_match_subdomains_but_not_parents_or_lookalikes() {
        let mut index = ExactIndex::new();
        index
            .insert(1, SignalKind::Domain, "www.news.example.com")
            .unwrap();
        index.insert(2, SignalKind::Domain, "example.org").unwrap();
        assert_eq!(
            sorted(
                index
                    .lookup_url_str("https://a.news.example.com/x")
                    .unwrap()
            ),
            vec![1]
        );
        assert_eq!(
            sorted(index.lookup_domain("news.example.com").unwrap()),
            vec![1]
        );
        assert!(index.lookup_domain("example.com").unwrap().is_empty());
        assert!(index.lookup_domain("notexample.org").unwrap().is_empty());
        assert_eq!(
            sorted(index.lookup_domain("deep.sub.example.org").unwrap()),
            vec![2]
        );
    }

    #[test]
    fn ip_blocks_match_contained_addresses() {
        let mut index = ExactIndex::new();
        index.insert(1, SignalKind::Ip, "192.0.2.0/24").unwrap();
        index.insert(2, SignalKind::Ip, "192.0.0.0/16").unwrap();
        index.insert(3, SignalKind::Ip, "2001:db8::/32").unwrap();
        index.insert(4, SignalKind::Ip, "0.0.0.0/0").unwrap();
        assert_eq!(
            sorted(index.lookup_ip("192.0.2.9".parse().unwrap())),
            vec![1, 2, 4]
        );
        assert_eq!(
            sorted(index.lookup_ip("192.0.9.9".parse().unwrap())),
            vec![2, 4]
        );
        assert_eq!(
            sorted(index.lookup_ip("2001:db8:1::5".parse().unwrap())),
            vec![3]
        );
        assert_eq!(
            sorted(index.lookup_url_str("http://192.0.2.1/x").unwrap()),
            vec![1, 2, 4]
        );
        assert_eq!(
            sorted(index.lookup(SignalKind::Ip, "192.0.2.128/25").unwrap()),
            vec![1, 2, 4]
        );
        assert_eq!(
            sorted(index.lookup(SignalKind::Ip, "192.0.0.0/15").unwrap()),
            vec![4]
        );
        index.remove(&4);
        assert!(index.lookup_ip("10.0.0.1".parse().unwrap()).is_empty());
    }

    #[test]
    fn accounts_emails_and_hashes() {
        let mut index = ExactIndex::new();
        index
            .insert(1, SignalKind::Account, "https://twitter.com/SomeName")
            .unwrap();
        index
            .insert(2, SignalKind::Email, "Press[at]Example.com")
            .unwrap();
        index
            .insert(3, SignalKind::Hash, "D41D8CD98F00B204E9800998ECF8427E")
            .unwrap();
        assert_eq!(
            sorted(index.lookup_account("x.com/somename/status/5").unwrap()),
            vec![1]
        );
        assert_eq!(
            sorted(index.lookup_email("press@example.com").unwrap()),
            vec![2]
        );
        assert_eq!(
            sorted(
                index
                    .lookup_hash("d41d8cd98f00b204e9800998ecf8427e")
                    .unwrap()
            ),
            vec![3]
        );
        assert!(index.insert(4, SignalKind::Hash, "xyz").is_err());
        assert_eq!(index.len(), 3);
    }

    #[test]
    fn model_indicators_are_indexed_by_kind() {
        use crosswatch_model::Indicator;
        let mut index = ExactIndex::new();
        let account = Indicator::from_observable("https://t[.]me/insider_md").unwrap();
        assert!(index.insert_indicator("a", &account).unwrap());
        let domain = Indicator::domain("bild[.]pics").unwrap();
        assert!(index.insert_indicator("b", &domain).unwrap());
        assert_eq!(
            index.lookup_account("telegram:insider_md").unwrap(),
            vec![&"a"]
        );
        assert_eq!(
            index.lookup_url_str("https://bild.pics/x").unwrap(),
            vec![&"b"]
        );
    }

    #[test]
    fn removing_one_signal_keeps_others_on_the_same_key() {
        let mut index = ExactIndex::new();
        index.insert(1, SignalKind::Domain, "example.com").unwrap();
        index.insert(2, SignalKind::Domain, "example.com").unwrap();
        index.insert(2, SignalKind::Domain, "example.com").unwrap();
        assert!(index.remove(&1));
        assert!(!index.remove(&1));
        assert_eq!(sorted(index.lookup_domain("example.com").unwrap()), vec![2]);
    }

    #[derive(Debug, Clone)]
    enum Op {
        Insert(u32, SignalKind, String),
        Remove(u32),
    }

    fn value_strategy() -> impl Strategy<Value = (SignalKind, String)> {
        prop_oneof![
            "(www\\.)?(a|b\\.a|c)\\.(com|org)(/p)?".prop_map(|v| (SignalKind::Url, v)),
            "(x\\.)?(a|b\\.a|c)\\.(com|org)".prop_map(|v| (SignalKind::Domain, v)),
            (0u8..4, 0u8..4, 0u8..=32).prop_map(|(a, b, len)| {
                (SignalKind::Ip, format!("10.{a}.{b}.0/{}", len.max(8)))
            }),
            "[ab]@example\\.(com|org)".prop_map(|v| (SignalKind::Email, v)),
        ]
    }

    fn op_strategy() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => (0u32..6, value_strategy()).prop_map(|(id, (kind, value))| Op::Insert(id, kind, value)),
            1 => (0u32..6).prop_map(Op::Remove),
        ]
    }

    /// The reference: every live (id, kind, value) checked one by one.
    fn naive_matches(
        live: &[(u32, SignalKind, String)],
        kind: SignalKind,
        observed: &str,
    ) -> Vec<u32> {
        let mut ids: Vec<u32> = live
            .iter()
            .filter(|(_, signal_kind, value)| match (kind, signal_kind) {
                (SignalKind::Url, SignalKind::Url) => {
                    canonical_url(value).unwrap().key() == canonical_url(observed).unwrap().key()
                }
                (SignalKind::Url, SignalKind::Domain) => {
                    let host = canonical_url(observed).unwrap().host().to_owned();
                    let shared = domain_key(&canonical_domain(value).unwrap());
                    host == shared || host.ends_with(&format!(".{shared}"))
                }
                (SignalKind::Ip, SignalKind::Ip) => parse_ip_network(value)
                    .unwrap()
                    .contains(parse_ip_network(observed).unwrap().address()),
                (SignalKind::Email, SignalKind::Email) => {
                    canonical_email(value).unwrap() == canonical_email(observed).unwrap()
                }
                _ => false,
            })
            .map(|(id, _, _)| *id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    proptest! {
        #[test]
        fn incremental_index_agrees_with_naive_scan(
            ops in prop::collection::vec(op_strategy(), 0..40),
            probes in prop::collection::vec(value_strategy(), 1..10),
        ) {
            let mut index = ExactIndex::new();
            let mut live: Vec<(u32, SignalKind, String)> = Vec::new();
            for op in ops {
                match op {
                    Op::Insert(id, kind, value) => {
                        index.insert(id, kind, &value).unwrap();
                        live.push((id, kind, value));
                    }
                    Op::Remove(id) => {
                        let existed = live.iter().any(|(held, _, _)| *held == id);
                        prop_assert_eq!(index.remove(&id), existed);
                        live.retain(|(held, _, _)| *held != id);
                    }
                }
            }
            for (kind, observed) in probes {
                let observed = match kind {
                    // Probe IPs as single addresses inside the generated blocks.
                    SignalKind::Ip => observed.replace(".0/", ".1/").split('/').next().unwrap_or_default().to_owned(),
                    // Probe domains through URLs so both URL and domain signals answer.
                    SignalKind::Domain => format!("https://{observed}/p"),
                    _ => observed,
                };
                let probe_kind = if kind == SignalKind::Domain { SignalKind::Url } else { kind };
                let fast = sorted(index.lookup(probe_kind, &observed).unwrap());
                prop_assert_eq!(fast, naive_matches(&live, probe_kind, &observed), "{}", observed);
            }
        }
    }
}
