//! The matching engine: shared signals in, hits on one content item out.
//!
//! Pure computation (no IO). Signals are added and removed one at a time as
//! syncs change them; [`Engine::match_item`] reports every hit into a
//! caller-provided [`Sink`], so the caller decides whether hits are printed,
//! stored or counted.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;

use crosswatch_matching::canon::{canonical_account, canonical_url};
use crosswatch_matching::exact::ExactIndex;
use crosswatch_matching::lookalike::LookalikeIndex;
use crosswatch_minhash::{LshIndex, LshParams, MinHashConfig, MinHasher, ShingleSet};
use crosswatch_model::{HashAlgorithm, Indicator, IndicatorKind};
use crosswatch_pdq::{MATCH_DISTANCE_THRESHOLD, MIN_USEFUL_QUALITY, PdqHash, PdqIndex};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::item::ContentItem;

/// A shared signal as the engine sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Signal {
    /// Local row id; hits name signals by it.
    pub id: i64,
    /// The STIX id of the indicator it came from.
    pub stix_id: String,
    /// The incident it belongs to, when known.
    pub incident_id: Option<Uuid>,
    /// What to look for.
    pub indicator: Indicator,
}

/// Which matcher produced a hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Matcher {
    /// The same link after canonicalisation.
    Url,
    /// A link or host on a shared domain or one of its subdomains.
    Domain,
    /// A shared account: the item's author or an account it links to.
    Account,
    /// An address inside a shared IP block.
    Ip,
    /// A shared e-mail address.
    Email,
    /// An MD5, SHA-1 or SHA-256 digest of attached media.
    Hash,
    /// A link to a domain imitating a protected outlet.
    Lookalike,
    /// A perceptually similar image (PDQ).
    Pdq,
    /// A near-duplicate of a shared text (MinHash, verified Jaccard).
    Text,
}

impl Matcher {
    /// The name stored and printed.
    pub fn as_str(self) -> &'static str {
        match self {
            Matcher::Url => "url",
            Matcher::Domain => "domain",
            Matcher::Account => "account",
            Matcher::Ip => "ip",
            Matcher::Email => "email",
            Matcher::Hash => "hash",
            Matcher::Lookalike => "lookalike",
            Matcher::Pdq => "pdq",
            Matcher::Text => "text",
        }
    }
}

/// One match of a signal (or a protected-outlet look-alike) on an item.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The item's own id.
    pub item_id: String,
    /// The signal's local id; `None` for look-alikes of protected outlets,
    /// which come from the platform's own list, not from sharing.
    pub signal_id: Option<i64>,
    /// The signal's STIX id.
    pub signal_stix_id: Option<String>,
    /// The incident behind the signal.
    pub incident_id: Option<Uuid>,
    /// Which matcher fired.
    pub matcher: Matcher,
    /// What matched what: `{"field", "observed", "signal", …}` plus
    /// `distance` (PDQ), `similarity` (text) or `reason`/`score` (look-alike).
    pub evidence: Value,
}

/// Receives hits as they are found (ripgrep-style sink).
pub trait Sink {
    /// Called once per hit.
    fn hit(&mut self, hit: Hit);
}

impl<F: FnMut(Hit)> Sink for F {
    fn hit(&mut self, hit: Hit) {
        self(hit)
    }
}

/// Thresholds of the similarity matchers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EngineConfig {
    /// Largest PDQ Hamming distance that matches (Meta recommends 31).
    pub pdq_max_distance: u32,
    /// Smallest PDQ quality of an item's image worth matching, when given.
    pub pdq_min_quality: u32,
    /// Smallest verified Jaccard similarity for a text hit.
    pub text_threshold: f64,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            pdq_max_distance: MATCH_DISTANCE_THRESHOLD,
            pdq_min_quality: MIN_USEFUL_QUALITY,
            text_threshold: 0.5,
        }
    }
}

/// Why a signal or setting could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The indicator value cannot be canonicalised.
    #[error("signal {stix_id}: value `{value}` cannot be matched: {reason}")]
    BadSignal {
        /// The signal's STIX id.
        stix_id: String,
        /// Its value.
        value: String,
        /// Why.
        reason: String,
    },
    /// A threshold is out of range.
    #[error("invalid matching setting: {0}")]
    Config(String),
}

#[derive(Debug, Clone)]
struct Loaded {
    stix_id: String,
    incident_id: Option<Uuid>,
    matcher: Matcher,
    value: String,
    pdq: Option<PdqHash>,
}

/// Indexes of every loaded signal.
pub struct Engine {
    config: EngineConfig,
    signals: HashMap<i64, Loaded>,
    exact: ExactIndex<i64>,
    pdq: PdqIndex<i64>,
    hasher: MinHasher,
    text: LshIndex<i64>,
    text_shingles: HashMap<i64, ShingleSet>,
    protected: LookalikeIndex,
    /// Shared domain and URL signals that are themselves look-alikes of a
    /// protected outlet, by that outlet: a *new* look-alike of the same
    /// outlet is the cloned-site operation coming back under another
    /// domain, so its hit is attributed to the incident that shared them.
    clones: BTreeMap<String, BTreeSet<i64>>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("config", &self.config)
            .field("signals", &self.signals.len())
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// An empty engine.
    pub fn new(config: EngineConfig) -> Result<Engine, EngineError> {
        if !(0.0..=1.0).contains(&config.text_threshold) || config.text_threshold == 0.0 {
            return Err(EngineError::Config(format!(
                "text threshold {} must be in (0, 1]",
                config.text_threshold
            )));
        }
        let hasher = MinHasher::new(MinHashConfig::default())
            .map_err(|e| EngineError::Config(e.to_string()))?;
        let params = LshParams::optimal(config.text_threshold, hasher.num_perm(), 0.5, 0.5)
            .map_err(|e| EngineError::Config(e.to_string()))?;
        let text = LshIndex::new(hasher.num_perm(), params)
            .map_err(|e| EngineError::Config(e.to_string()))?;
        Ok(Engine {
            config,
            signals: HashMap::new(),
            exact: ExactIndex::new(),
            pdq: PdqIndex::new(),
            hasher,
            text,
            text_shingles: HashMap::new(),
            protected: LookalikeIndex::new(),
            clones: BTreeMap::new(),
        })
    }

    /// Sets the protected outlets whose look-alikes are flagged.
    pub fn set_protected(&mut self, protected: LookalikeIndex) {
        self.protected = protected;
        self.clones.clear();
        let ids: Vec<i64> = self.signals.keys().copied().collect();
        for id in ids {
            self.register_clone(id);
        }
    }

    /// Records which protected outlets a shared domain or URL signal imitates.
    fn register_clone(&mut self, id: i64) {
        let Some(loaded) = self.signals.get(&id) else {
            return;
        };
        let host = match loaded.matcher {
            Matcher::Domain => loaded.value.clone(),
            Matcher::Url => match canonical_url(&loaded.value) {
                Ok(url) => url.host().to_string(),
                Err(_) => return,
            },
            _ => return,
        };
        for found in self.protected.check(&host) {
            self.clones.entry(found.protected).or_default().insert(id);
        }
    }

    /// Number of loaded signals.
    pub fn len(&self) -> usize {
        self.signals.len()
    }

    /// Whether no signal is loaded.
    pub fn is_empty(&self) -> bool {
        self.signals.is_empty()
    }

    /// Whether a signal is loaded.
    pub fn contains(&self, id: i64) -> bool {
        self.signals.contains_key(&id)
    }

    /// Loads (or reloads) a signal. Returns `Ok(false)` for kinds that are
    /// not matched against content (outlet names, ad spend, follower counts).
    pub fn add(&mut self, signal: Signal) -> Result<bool, EngineError> {
        self.remove(signal.id);
        let indicator = &signal.indicator;
        let bad = |reason: String| EngineError::BadSignal {
            stix_id: signal.stix_id.clone(),
            value: indicator.value.clone(),
            reason,
        };
        let (matcher, pdq) = match (indicator.kind, indicator.hash_algorithm) {
            (IndicatorKind::Hash, Some(HashAlgorithm::Pdq)) => {
                let hash = PdqHash::from_hex(&indicator.value).map_err(|e| bad(e.to_string()))?;
                self.pdq
                    .insert(signal.id, hash)
                    .map_err(|e| bad(e.to_string()))?;
                (Matcher::Pdq, Some(hash))
            }
            (IndicatorKind::Text, _) => {
                let (signature, shingles) = self.hasher.signature_and_shingles(&indicator.value);
                if shingles.is_empty() {
                    return Err(bad("text has nothing to compare".into()));
                }
                self.text
                    .insert(signal.id, signature)
                    .map_err(|e| bad(e.to_string()))?;
                self.text_shingles.insert(signal.id, shingles);
                (Matcher::Text, None)
            }
            (kind, _) => {
                let matcher = match kind {
                    IndicatorKind::Url => Matcher::Url,
                    IndicatorKind::Domain => Matcher::Domain,
                    IndicatorKind::SocialAccount => Matcher::Account,
                    IndicatorKind::Ip => Matcher::Ip,
                    IndicatorKind::Email => Matcher::Email,
                    IndicatorKind::Hash => Matcher::Hash,
                    _ => return Ok(false),
                };
                let indexed = self
                    .exact
                    .insert_indicator(signal.id, indicator)
                    .map_err(|e| bad(e.to_string()))?;
                if !indexed {
                    return Ok(false);
                }
                (matcher, None)
            }
        };
        self.signals.insert(
            signal.id,
            Loaded {
                stix_id: signal.stix_id,
                incident_id: signal.incident_id,
                matcher,
                value: signal.indicator.value,
                pdq,
            },
        );
        self.register_clone(signal.id);
        Ok(true)
    }

    /// Unloads a signal; it stops matching at once. Returns whether it was loaded.
    pub fn remove(&mut self, id: i64) -> bool {
        let Some(loaded) = self.signals.remove(&id) else {
            return false;
        };
        self.clones.retain(|_, ids| {
            ids.remove(&id);
            !ids.is_empty()
        });
        match loaded.matcher {
            Matcher::Pdq => {
                if let Some(hash) = loaded.pdq {
                    self.pdq.remove(&id, &hash);
                }
            }
            Matcher::Text => {
                self.text.remove(&id);
                self.text_shingles.remove(&id);
            }
            _ => {
                self.exact.remove(&id);
            }
        }
        true
    }

    /// A look-alike hit: attributed to a shared signal imitating the same
    /// outlet when there is one (the clone operation under a new domain),
    /// else the platform's own detection.
    fn lookalike_hit(
        &self,
        item: &ContentItem,
        field: &str,
        raw: &str,
        host: &str,
        found: crosswatch_matching::lookalike::LookalikeHit,
    ) -> Hit {
        let mut evidence = json!({
            "field": field,
            "observed": raw,
            "host": host,
            "protected": found.protected,
            "reason": found.reason.to_string(),
            "score": (f64::from(found.score) * 1000.0).round() / 1000.0,
        });
        let clone = self
            .clones
            .get(&found.protected)
            .and_then(|ids| ids.iter().next())
            .and_then(|id| self.signals.get(id).map(|loaded| (*id, loaded)));
        match clone {
            Some((id, loaded)) => {
                evidence["signal"] = json!(loaded.value);
                evidence["shared_clone_of"] = json!(found.protected);
                Hit {
                    item_id: item.id.clone(),
                    signal_id: Some(id),
                    signal_stix_id: Some(loaded.stix_id.clone()),
                    incident_id: loaded.incident_id,
                    matcher: Matcher::Lookalike,
                    evidence,
                }
            }
            None => Hit {
                item_id: item.id.clone(),
                signal_id: None,
                signal_stix_id: None,
                incident_id: None,
                matcher: Matcher::Lookalike,
                evidence,
            },
        }
    }

    /// Matches one item, reporting each (signal, item) pair at most once.
    pub fn match_item(&self, item: &ContentItem, sink: &mut impl Sink) {
        let mut seen: Vec<i64> = Vec::new();
        let mut report = |id: i64, field: &str, observed: &str, extra: Value| {
            if seen.contains(&id) {
                return;
            }
            let Some(loaded) = self.signals.get(&id) else {
                return;
            };
            seen.push(id);
            let mut evidence = json!({
                "field": field,
                "observed": observed,
                "signal": loaded.value,
            });
            if let (Value::Object(map), Value::Object(more)) = (&mut evidence, extra) {
                map.extend(more);
            }
            sink.hit(Hit {
                item_id: item.id.clone(),
                signal_id: Some(id),
                signal_stix_id: Some(loaded.stix_id.clone()),
                incident_id: loaded.incident_id,
                matcher: loaded.matcher,
                evidence,
            });
        };

        if let Some(account) = item.account_key()
            && let Ok(ids) = self.exact.lookup_account(&account)
        {
            for id in ids {
                report(*id, "account", &account, json!({}));
            }
        }
        let mut lookalike_hosts: Vec<String> = Vec::new();
        let mut lookalikes: Vec<Hit> = Vec::new();
        for (index, raw) in item.urls.iter().enumerate() {
            let field = format!("urls[{index}]");
            if let Ok(url) = canonical_url(raw) {
                let shared = self.exact.lookup_url(&url);
                for id in &shared {
                    report(**id, &field, raw, json!({}));
                }
                let host = url.host().to_string();
                // A link already on a shared signal needs no look-alike hit.
                if shared.is_empty()
                    && !self.protected.is_empty()
                    && !lookalike_hosts.contains(&host)
                {
                    for found in self.protected.check(&host) {
                        lookalikes.push(self.lookalike_hit(item, &field, raw, &host, found));
                    }
                    lookalike_hosts.push(host);
                }
            }
            if let Ok(account) = canonical_account(raw)
                && let Ok(ids) = self.exact.lookup_account(&account)
            {
                for id in ids {
                    report(*id, &field, raw, json!({ "account": account }));
                }
            }
        }
        for (index, raw) in item.ips.iter().enumerate() {
            if let Ok(ip) = raw.trim().parse::<IpAddr>() {
                for id in self.exact.lookup_ip(ip) {
                    report(*id, &format!("ips[{index}]"), raw, json!({}));
                }
            }
        }
        for (index, raw) in item.emails.iter().enumerate() {
            if let Ok(ids) = self.exact.lookup_email(raw) {
                for id in ids {
                    report(*id, &format!("emails[{index}]"), raw, json!({}));
                }
            }
        }
        for (index, media) in item.media.iter().enumerate() {
            let field = format!("media[{index}]");
            for digest in media.digests() {
                if let Ok(ids) = self.exact.lookup_hash(digest) {
                    for id in ids {
                        report(*id, &field, digest, json!({}));
                    }
                }
            }
            let quality_ok = media
                .quality()
                .is_none_or(|quality| quality >= self.config.pdq_min_quality);
            if let Some(pdq) = media.pdq()
                && quality_ok
                && let Ok(hash) = PdqHash::from_hex(pdq)
            {
                let mut found = self.pdq.query(&hash, self.config.pdq_max_distance);
                found.sort_by_key(|(id, distance)| (*distance, *id));
                for (id, distance) in found {
                    report(id, &field, pdq, json!({ "distance": distance }));
                }
            }
        }
        if let Some(text) = item.text.as_deref()
            && !self.text.is_empty()
        {
            let (signature, shingles) = self.hasher.signature_and_shingles(text);
            if !shingles.is_empty()
                && let Ok(found) = self.text.query_verified_exact(
                    &signature,
                    &shingles,
                    self.config.text_threshold,
                    |id| self.text_shingles.get(id),
                )
            {
                for found in found {
                    let similarity = (found.similarity * 1000.0).round() / 1000.0;
                    report(
                        *found.key,
                        "text",
                        &excerpt(text),
                        json!({ "similarity": similarity }),
                    );
                }
            }
        }
        for hit in lookalikes {
            sink.hit(hit);
        }
    }
}

/// The first 200 characters, for evidence.
fn excerpt(text: &str) -> String {
    let mut out: String = text.chars().take(200).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}
