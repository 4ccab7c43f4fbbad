//! The demo's synthetic story: a takedown of a network that originated in
//! Benin and targeted France, and the content two other platforms hold.
//! Every name, domain, handle, address and hash here is invented; the IP
//! block is from the documentation range (RFC 5737).

use crosswatch_model::incident::Narrative;
use crosswatch_model::platform::parse_account;
use crosswatch_model::{
    AssetKind, CountryCode, Decision, HashAlgorithm, Incident, Indicator, Platform, Taxonomy,
    TechniqueRef, Tlp,
};
use time::OffsetDateTime;

/// The sharing platform (it runs the hub's first organisation).
pub const SHARER: &str = "Platform A (social network)";
/// The receiving platforms, with the platform their content lives on.
pub const RECEIVERS: [(&str, &str); 2] = [
    ("Platform B (video sharing)", "youtube"),
    ("Platform C (messaging)", "telegram"),
];
/// The sharing group all three belong to.
pub const GROUP: &str = "France elections 2027";

/// The narrative the network pushed (and its near-copies resurface).
const NARRATIVE: &str = "Le gouvernement cache la vérité sur le vote par correspondance : \
    des milliers de bulletins détruits en secret, partagez avant que ce message soit supprimé";
/// The meme the network posted everywhere, as a PDQ hash.
const MEME_PDQ: &str = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";

fn technique(taxonomy: Taxonomy, id: &str, name: &str) -> Option<TechniqueRef> {
    TechniqueRef::new(taxonomy, id, Some(name.to_string())).ok()
}

fn account(url: &str) -> Option<Indicator> {
    parse_account(url).map(Indicator::account)
}

/// The takedown Platform A shares.
pub fn takedown(now: OffsetDateTime) -> Incident {
    let mut incident = Incident::new("Benin-based network targeting France", Tlp::Green, now);
    incident.summary = "We removed 16 Facebook accounts, 6 Pages and 9 Instagram accounts for \
        violating our policy against coordinated inauthentic behaviour. This network originated \
        in Benin and targeted France with posts in French about French politics, the coming \
        elections and alleged vote fraud, through fictitious news pages and a news website. \
        After our first enforcement, the operators switched to newly created fake accounts \
        and to proxy IP addresses located in France to hide their origin."
        .to_string();
    incident.first_seen = Some(now - time::Duration::days(120));
    incident.last_seen = Some(now - time::Duration::days(3));
    incident.source_org = Some(SHARER.to_string());
    incident.confidence = Some(85);
    if let Ok(origin) = "BJ".parse::<CountryCode>() {
        incident.add_origin(origin);
    }
    if let Ok(target) = "FR".parse::<CountryCode>() {
        incident.add_target(target);
    }
    incident.target_languages.push("fr".to_string());
    incident.add_assets(Platform::Facebook, AssetKind::Account, 16);
    incident.add_assets(Platform::Facebook, AssetKind::Page, 6);
    incident.add_assets(Platform::Instagram, AssetKind::Account, 9);
    for technique in [
        technique(Taxonomy::KillChain, "0.9.1", "Acquiring Facebook assets"),
        technique(
            Taxonomy::Disarm,
            "T0007",
            "Create Inauthentic Social Media Pages and Groups",
        ),
        technique(Taxonomy::Disarm, "T0013", "Create inauthentic websites"),
    ]
    .into_iter()
    .flatten()
    {
        incident.add_technique(technique);
    }
    let indicators = [
        Indicator::domain("hexagone-verite.example").ok(),
        Indicator::url("https://hexagone-verite.example/politique/").ok(),
        account("https://www.facebook.com/hexagone.verite"),
        account("https://x.com/hexagone_verite"),
        account("https://www.youtube.com/@verite-hexagone"),
        account("https://t.me/hexagoneverite"),
        Indicator::ip("198.51.100.0/24").ok().map(|i| {
            i.with_note(Some(
                "Proxy addresses in France used after the first enforcement".to_string(),
            ))
        }),
        Indicator::hash(HashAlgorithm::Pdq, MEME_PDQ).ok(),
    ];
    for indicator in indicators.into_iter().flatten() {
        incident.add_indicator(indicator);
    }
    incident.narratives.push(Narrative {
        text: NARRATIVE.to_string(),
        language: Some("fr".to_string()),
        targets: incident.target_countries.clone(),
    });
    incident.learnings.push(
        "After enforcement the operators returned within days through new fake accounts and \
         French proxy IPs: share address blocks and image hashes, not only account lists."
            .to_string(),
    );
    incident
}

/// Content held by a receiving platform, as the node's JSON Lines input.
pub fn content(platform: &str) -> String {
    let items: &[&str] = match platform {
        "youtube" => &[
            r#"{"id": "video-1001", "account": "@verite-hexagone", "platform": "youtube", "text": "Ce qu'ils ne veulent pas que vous sachiez"}"#,
            r#"{"id": "video-1002", "account": "@actu-libre-2027", "platform": "youtube", "urls": ["https://hexagone-verite.example/politique/bulletins-detruits?utm_source=yt&utm_medium=desc"]}"#,
            r#"{"id": "video-1003", "account": "@citoyen-vigilant-75", "platform": "youtube", "ips": ["198.51.100.23"], "text": "Nouvelle chaîne, même combat"}"#,
            r#"{"id": "video-1004", "account": "@la-france-debout-tv", "platform": "youtube", "media": [{"pdq": "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b23", "quality": 100}]}"#,
            r#"{"id": "video-1005", "account": "@recettes-de-mamie", "platform": "youtube", "urls": ["https://www.example.org/tarte-tatin"], "text": "La vraie tarte Tatin"}"#,
            r#"{"id": "video-1006", "account": "@astronomie-amateur", "platform": "youtube", "text": "Observer Saturne en novembre"}"#,
        ],
        _ => &[
            r#"{"id": "msg-2001", "account": "https://t.me/hexagoneverite", "text": "Abonnez-vous au nouveau canal"}"#,
            r#"{"id": "msg-2002", "account": "@patriotes_unis_fr", "platform": "telegram", "text": "URGENT le gouvernement cache la vérité sur le vote par correspondance : des milliers de bulletins détruits en secret, partagez avant que ce message soit supprimé !!"}"#,
            r#"{"id": "msg-2003", "account": "@club_de_lecture", "platform": "telegram", "text": "Prochaine séance jeudi : Madame Bovary"}"#,
        ],
    };
    let mut text = items.join("\n");
    text.push('\n');
    text
}

/// What a reviewer decides for a hit found by `matcher`: the kind of
/// asset, the decision, and the facts stated.
pub fn decision_for(matcher: &str) -> (AssetKind, Decision, &'static str) {
    match matcher {
        "account" => (
            AssetKind::Account,
            Decision::AccountTerminated,
            "The account is one of the network's accounts named in the shared takedown.",
        ),
        "ip" => (
            AssetKind::Account,
            Decision::AccountTerminated,
            "A new account operated from the network's proxy addresses after its takedown.",
        ),
        _ => (
            AssetKind::Content,
            Decision::ContentRemoved,
            "The content repeats the network's links, images or narrative.",
        ),
    }
}
