//! One behaviour suite, run against SQLite and PostgreSQL.
//!
//! PostgreSQL variants read `CROSSWATCH_TEST_POSTGRES_URL` and skip with a
//! visible notice when it is unset or unreachable.

use std::collections::{BTreeMap, BTreeSet};

use crosswatch_model::Tlp;
use crosswatch_store::access::may_see;
use crosswatch_store::testing::{postgres_store, sqlite_store};
use crosswatch_store::{
    Caller, Distribution, Feedback, FeedbackKind, ObjectQuery, PutOutcome, Role, Scope,
    SearchField, SearchQuery, Store, StoreError, VersionMatch,
};
use proptest::prelude::*;
use serde_json::{Value, json};

use cases::*;

crosswatch_store::both_backends!(
    tokens_authenticate_expire_and_revoke,
    versions_are_kept_and_matched,
    paging_neither_skips_nor_repeats_under_concurrent_writes,
    deletion_leaves_tombstones_and_checks_ownership,
    sharing_rules_hold_on_every_read_path,
    group_membership_is_private,
    feedback_respects_anonymity_and_visibility,
    retention_expires_old_group_objects,
    audit_log_records_writes,
    status_records_are_per_organisation,
    refuses_invalid_objects_and_foreign_versions,
    search_follows_links_and_respects_visibility,
    large_envelopes_span_statements_in_order,
);

/// A STIX indicator with the given id suffix, modified time and marking.
pub fn indicator(n: u32, modified: &str, tlp: Tlp) -> Value {
    json!({
        "type": "indicator",
        "spec_version": "2.1",
        "id": format!("indicator--00000000-0000-4000-8000-{n:012}"),
        "created": "2024-01-01T00:00:00.000Z",
        "modified": modified,
        "name": format!("indicator {n}"),
        "pattern": "[domain-name:value = 'example.com']",
        "pattern_type": "stix",
        "valid_from": "2024-01-01T00:00:00Z",
        "object_marking_refs": [tlp.stix_marking_id()],
    })
}

pub fn id_of(n: u32) -> String {
    format!("indicator--00000000-0000-4000-8000-{n:012}")
}

pub async fn caller(store: &Store, name: &str, role: Role) -> Caller {
    crosswatch_store::testing::caller(store, name, role)
        .await
        .unwrap()
}

fn all_of(scope: Scope) -> ObjectQuery {
    let mut query = ObjectQuery::new(scope, 10_000);
    query.versions = vec![VersionMatch::All];
    query
}

async fn ids_visible(store: &Store, viewer: i64, query: &ObjectQuery) -> BTreeSet<String> {
    store
        .query_objects(viewer, query)
        .await
        .unwrap()
        .objects
        .into_iter()
        .map(|o| o.stix_id)
        .collect()
}

mod cases {
    pub use super::search_cases::*;
    use super::*;

    pub async fn tokens_authenticate_expire_and_revoke(store: &Store) {
        let org = store.create_org("Alpha").await.unwrap();
        assert!(matches!(
            store.create_org("Alpha").await,
            Err(StoreError::Conflict(_))
        ));
        let (info, secret) = store.create_token(org.id, Role::Sync, None).await.unwrap();
        let caller = store.authenticate(&secret).await.unwrap().unwrap();
        assert_eq!(caller.org, org.id);
        assert_eq!(caller.role, Role::Sync);
        assert_eq!(caller.org_name, "Alpha");
        assert!(store.authenticate("cwt_wrong").await.unwrap().is_none());
        assert!(store.revoke_token(info.id).await.unwrap());
        assert!(store.authenticate(&secret).await.unwrap().is_none());
        assert!(!store.revoke_token(info.id).await.unwrap());

        let (_, short) = store
            .create_token(
                org.id,
                Role::Analyst,
                Some(time::Duration::milliseconds(30)),
            )
            .await
            .unwrap();
        assert!(store.authenticate(&short).await.unwrap().is_some());
        tokio::time::sleep(std::time::Duration::from_millis(60)).await;
        assert!(store.authenticate(&short).await.unwrap().is_none());
        assert!(
            store
                .create_token(org.id, Role::Analyst, Some(time::Duration::days(-1)))
                .await
                .is_err()
        );
    }

    pub async fn versions_are_kept_and_matched(store: &Store) {
        let alpha = caller(store, "Alpha", Role::Analyst).await;
        let versions = [
            "2024-01-01T00:00:00.000Z",
            "2024-02-01T00:00:00.000Z",
            "2024-03-01T00:00:00.000Z",
        ];
        for modified in versions {
            let out = store
                .put_objects(
                    &alpha,
                    &[indicator(1, modified, Tlp::Green)],
                    &Distribution::AllMembers,
                )
                .await
                .unwrap();
            assert!(matches!(out[0], PutOutcome::Stored { .. }), "{out:?}");
        }
        // Re-posting an existing version is a harmless duplicate.
        let out = store
            .put_objects(
                &alpha,
                &[indicator(1, versions[1], Tlp::Green)],
                &Distribution::AllMembers,
            )
            .await
            .unwrap();
        assert!(matches!(out[0], PutOutcome::Duplicate { .. }));

        let mut query = ObjectQuery::new(Scope::AllMembers, 100);
        let last = store.query_objects(alpha.org, &query).await.unwrap();
        assert_eq!(last.objects.len(), 1);
        assert_eq!(last.objects[0].version, versions[2]);
        query.versions = vec![VersionMatch::First];
        let first = store.query_objects(alpha.org, &query).await.unwrap();
        assert_eq!(first.objects[0].version, versions[0]);
        query.versions = vec![VersionMatch::First, VersionMatch::Last];
        assert_eq!(
            store
                .query_objects(alpha.org, &query)
                .await
                .unwrap()
                .objects
                .len(),
            2
        );
        query.versions = vec![VersionMatch::All];
        assert_eq!(
            store
                .query_objects(alpha.org, &query)
                .await
                .unwrap()
                .objects
                .len(),
            3
        );
        query.versions = vec![VersionMatch::At(
            crosswatch_store::stix_check::normalize_timestamp(versions[1]).unwrap(),
        )];
        let at = store.query_objects(alpha.org, &query).await.unwrap();
        assert_eq!(at.objects.len(), 1);
        assert_eq!(at.objects[0].version, versions[1]);
        let raw: Value = serde_json::from_str(&at.objects[0].raw).unwrap();
        assert_eq!(raw["modified"], versions[1]);

        let mut by_type = ObjectQuery::new(Scope::Everything, 100);
        by_type.types = vec!["malware".into()];
        assert!(
            store
                .query_objects(alpha.org, &by_type)
                .await
                .unwrap()
                .objects
                .is_empty()
        );
        by_type.types = vec!["malware".into(), "indicator".into()];
        assert_eq!(store.count_objects(alpha.org, &by_type).await.unwrap(), 1);

        let changes = store.changes_after(alpha.org, 0, 100).await.unwrap();
        let kinds: Vec<&str> = changes.iter().map(|c| c.kind.as_str()).collect();
        assert_eq!(kinds, ["create", "version", "version"]);

        // An older version arriving late, and several versions of one id in
        // one envelope, leave `last` on the newest; deleting the newest
        // brings the one before it back as `last`.
        let late = [
            indicator(2, versions[2], Tlp::Green),
            indicator(2, versions[0], Tlp::Green),
            indicator(2, versions[1], Tlp::Green),
        ];
        let out = store
            .put_objects(&alpha, &late, &Distribution::AllMembers)
            .await
            .unwrap();
        assert!(
            out.iter().all(|o| matches!(o, PutOutcome::Stored { .. })),
            "{out:?}"
        );
        let mut latest = ObjectQuery::new(Scope::AllMembers, 100);
        latest.ids = vec![id_of(2)];
        let newest = store.query_objects(alpha.org, &latest).await.unwrap();
        assert_eq!(newest.objects.len(), 1);
        assert_eq!(newest.objects[0].version, versions[2]);
        let newest_stored = crosswatch_store::stix_check::normalize_timestamp(versions[2]).unwrap();
        store
            .delete_object(&alpha, &id_of(2), Some(&newest_stored))
            .await
            .unwrap();
        let after = store.query_objects(alpha.org, &latest).await.unwrap();
        assert_eq!(after.objects.len(), 1);
        assert_eq!(after.objects[0].version, versions[1]);
    }

    pub async fn paging_neither_skips_nor_repeats_under_concurrent_writes(store: &Store) {
        let alpha = caller(store, "Alpha", Role::Sync).await;
        let bravo = caller(store, "Bravo", Role::Sync).await;
        let initial: Vec<Value> = (0..25)
            .map(|n| indicator(n, "2024-01-01T00:00:00.000Z", Tlp::Green))
            .collect();
        store
            .put_objects(&alpha, &initial, &Distribution::AllMembers)
            .await
            .unwrap();

        let mut seen: Vec<(String, String)> = Vec::new();
        let mut query = ObjectQuery::new(Scope::AllMembers, 7);
        let mut round = 0u32;
        loop {
            let page = store.query_objects(bravo.org, &query).await.unwrap();
            seen.extend(
                page.objects
                    .iter()
                    .map(|o| (o.stix_id.clone(), o.version.clone())),
            );
            // Writes land between pages: new objects, and new versions of
            // objects both already pulled (0) and not yet pulled (24).
            if round < 3 {
                let writes = vec![
                    indicator(100 + round, "2024-01-01T00:00:00.000Z", Tlp::Green),
                    indicator(
                        0,
                        &format!("2024-02-0{}T00:00:00.000Z", round + 1),
                        Tlp::Green,
                    ),
                    indicator(
                        24,
                        &format!("2024-02-0{}T00:00:00.000Z", round + 1),
                        Tlp::Green,
                    ),
                ];
                store
                    .put_objects(&alpha, &writes, &Distribution::AllMembers)
                    .await
                    .unwrap();
            }
            round += 1;
            match page.next_cursor() {
                Some(cursor) => query.after_seq = Some(cursor),
                None => break,
            }
        }
        let unique: BTreeSet<_> = seen.iter().cloned().collect();
        assert_eq!(
            unique.len(),
            seen.len(),
            "a version was returned twice: {seen:?}"
        );
        let ids: BTreeSet<String> = seen.iter().map(|(id, _)| id.clone()).collect();
        for n in (0..25).chain(100..103) {
            assert!(ids.contains(&id_of(n)), "object {n} was skipped");
        }
        // The latest version of every object was delivered.
        let last = store
            .query_objects(bravo.org, &ObjectQuery::new(Scope::AllMembers, 1000))
            .await
            .unwrap();
        for object in last.objects {
            assert!(unique.contains(&(object.stix_id.clone(), object.version.clone())));
        }
    }

    pub async fn deletion_leaves_tombstones_and_checks_ownership(store: &Store) {
        let alpha = caller(store, "Alpha", Role::Analyst).await;
        let bravo = caller(store, "Bravo", Role::Analyst).await;
        let reader = caller(store, "Alpha", Role::ReadOnly).await;
        store
            .put_objects(
                &alpha,
                &[
                    indicator(1, "2024-01-01T00:00:00.000Z", Tlp::Green),
                    indicator(1, "2024-02-01T00:00:00.000Z", Tlp::Green),
                    indicator(2, "2024-01-01T00:00:00.000Z", Tlp::Amber),
                ],
                &Distribution::AllMembers,
            )
            .await
            .unwrap();
        assert!(matches!(
            store.delete_object(&bravo, &id_of(1), None).await,
            Err(StoreError::Forbidden(_))
        ));
        assert!(matches!(
            store.delete_object(&reader, &id_of(1), None).await,
            Err(StoreError::Forbidden(_))
        ));
        assert!(matches!(
            store.delete_object(&alpha, &id_of(9), None).await,
            Err(StoreError::NotFound(_))
        ));
        assert_eq!(
            store.delete_object(&alpha, &id_of(1), None).await.unwrap(),
            2
        );
        let left = ids_visible(store, bravo.org, &all_of(Scope::Everything)).await;
        assert_eq!(left, BTreeSet::from([id_of(2)]));
        let changes = store.changes_after(bravo.org, 0, 100).await.unwrap();
        let tombstones: Vec<_> = changes.iter().filter(|c| c.kind == "delete").collect();
        assert_eq!(tombstones.len(), 2);
        assert!(
            tombstones
                .iter()
                .all(|c| c.stix_id == id_of(1) && c.object.is_none())
        );
        assert!(changes.windows(2).all(|w| w[0].seq < w[1].seq));
        // A deleted version cannot be silently revived.
        let out = store
            .put_objects(
                &alpha,
                &[indicator(1, "2024-02-01T00:00:00.000Z", Tlp::Green)],
                &Distribution::AllMembers,
            )
            .await
            .unwrap();
        assert!(matches!(out[0], PutOutcome::Refused { .. }));
        // A read-only token cannot write at all.
        assert!(matches!(
            store
                .put_objects(&reader, &[], &Distribution::AllMembers)
                .await,
            Err(StoreError::Forbidden(_))
        ));
    }

    pub async fn sharing_rules_hold_on_every_read_path(store: &Store) {
        let alpha = caller(store, "Alpha", Role::Analyst).await;
        let bravo = caller(store, "Bravo", Role::Analyst).await;
        let charlie = caller(store, "Charlie", Role::Analyst).await;
        let group = store
            .create_group("Elections", &[alpha.org, bravo.org], None)
            .await
            .unwrap();
        let t = "2024-01-01T00:00:00.000Z";
        let put = |n: u32, tlp: Tlp, dist: Distribution| {
            let alpha = alpha.clone();
            async move {
                let outcome = store
                    .put_objects(&alpha, &[indicator(n, t, tlp)], &dist)
                    .await
                    .unwrap();
                matches!(outcome[0], PutOutcome::Stored { .. })
            }
        };
        assert!(put(1, Tlp::Green, Distribution::Group(group.id)).await);
        assert!(put(2, Tlp::AmberStrict, Distribution::Group(group.id)).await);
        // Markings that forbid the distribution are refused at write time
        // (and the read rule would hide them anyway).
        assert!(!put(3, Tlp::AmberStrict, Distribution::AllMembers).await);
        assert!(!put(4, Tlp::Red, Distribution::Group(group.id)).await);
        assert!(put(5, Tlp::Red, Distribution::Named(vec![charlie.org])).await);
        assert!(put(6, Tlp::Clear, Distribution::AllMembers).await);
        assert!(put(7, Tlp::Green, Distribution::OwnOrg).await);

        let everything = all_of(Scope::Everything);
        assert_eq!(
            ids_visible(store, alpha.org, &everything).await,
            BTreeSet::from([id_of(1), id_of(2), id_of(5), id_of(6), id_of(7)])
        );
        assert_eq!(
            ids_visible(store, bravo.org, &everything).await,
            BTreeSet::from([id_of(1), id_of(2), id_of(6)])
        );
        assert_eq!(
            ids_visible(store, charlie.org, &everything).await,
            BTreeSet::from([id_of(5), id_of(6)])
        );
        assert_eq!(
            ids_visible(store, charlie.org, &all_of(Scope::Inbox(charlie.org))).await,
            BTreeSet::from([id_of(5)])
        );
        assert!(
            ids_visible(store, charlie.org, &all_of(Scope::Group(group.id)))
                .await
                .is_empty()
        );
        assert_eq!(
            store.count_objects(charlie.org, &everything).await.unwrap(),
            2
        );
        let feed: BTreeSet<String> = store
            .changes_after(charlie.org, 0, 100)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.stix_id)
            .collect();
        assert_eq!(feed, BTreeSet::from([id_of(5), id_of(6)]));
    }

    pub async fn group_membership_is_private(store: &Store) {
        let alpha = caller(store, "Alpha", Role::Analyst).await;
        let bravo = caller(store, "Bravo", Role::Analyst).await;
        let admin = caller(store, "Hub", Role::Admin).await;
        let group = store.create_group("G", &[alpha.org], None).await.unwrap();
        assert_eq!(
            store.group_members(&alpha, group.id).await.unwrap().len(),
            1
        );
        assert!(matches!(
            store.group_members(&bravo, group.id).await,
            Err(StoreError::NotFound(_))
        ));
        assert_eq!(
            store.group_members(&admin, group.id).await.unwrap().len(),
            1
        );
        store.add_group_member(group.id, bravo.org).await.unwrap();
        store.add_group_member(group.id, bravo.org).await.unwrap();
        assert_eq!(
            store.group_members(&bravo, group.id).await.unwrap().len(),
            2
        );
        assert_eq!(
            store.groups_of(bravo.org).await.unwrap(),
            vec![group.clone()]
        );
        assert!(store.create_group("G", &[], None).await.is_err());
        assert!(store.create_group("H", &[9999], None).await.is_err());
    }

    pub async fn feedback_respects_anonymity_and_visibility(store: &Store) {
        let alpha = caller(store, "Alpha", Role::Analyst).await;
        let bravo = caller(store, "Bravo", Role::Analyst).await;
        let charlie = caller(store, "Charlie", Role::Analyst).await;
        store
            .put_objects(
                &alpha,
                &[indicator(1, "2024-01-01T00:00:00.000Z", Tlp::Red)],
                &Distribution::Named(vec![bravo.org]),
            )
            .await
            .unwrap();
        let feedback = Feedback {
            stix_id: id_of(1),
            kind: FeedbackKind::Actioned,
            platform: Some("ExampleTube".into()),
            action_count: Some(12),
            member_states: vec!["DE".into(), "FR".into()],
            anonymous: true,
            note: None,
        };
        store.add_feedback(&bravo, &feedback).await.unwrap();
        assert!(matches!(
            store.add_feedback(&charlie, &feedback).await,
            Err(StoreError::NotFound(_))
        ));
        let seen_by_owner = store.feedback_for(alpha.org, &id_of(1)).await.unwrap();
        assert_eq!(seen_by_owner.len(), 1);
        assert_eq!(seen_by_owner[0].org, None);
        assert_eq!(seen_by_owner[0].feedback, feedback);
        let seen_by_submitter = store.feedback_for(bravo.org, &id_of(1)).await.unwrap();
        assert_eq!(seen_by_submitter[0].org.as_deref(), Some("Bravo"));
        assert!(store.feedback_for(charlie.org, &id_of(1)).await.is_err());
    }

    pub async fn retention_expires_old_group_objects(store: &Store) {
        let alpha = caller(store, "Alpha", Role::Analyst).await;
        let short = store
            .create_group("Short", &[alpha.org], Some(1))
            .await
            .unwrap();
        let forever = store
            .create_group("Forever", &[alpha.org], None)
            .await
            .unwrap();
        let t = "2024-01-01T00:00:00.000Z";
        store
            .put_objects(
                &alpha,
                &[indicator(1, t, Tlp::Green)],
                &Distribution::Group(short.id),
            )
            .await
            .unwrap();
        store
            .put_objects(
                &alpha,
                &[indicator(2, t, Tlp::Green)],
                &Distribution::Group(forever.id),
            )
            .await
            .unwrap();
        let now = time::OffsetDateTime::now_utc();
        assert_eq!(store.sweep_retention(now).await.unwrap(), 0);
        let later = now + time::Duration::days(2);
        assert_eq!(store.sweep_retention(later).await.unwrap(), 1);
        assert_eq!(
            ids_visible(store, alpha.org, &all_of(Scope::Everything)).await,
            BTreeSet::from([id_of(2)])
        );
        let changes = store.changes_after(alpha.org, 0, 100).await.unwrap();
        assert_eq!(changes.last().unwrap().kind, "expire");
        assert_eq!(changes.last().unwrap().stix_id, id_of(1));

        // A policy set later applies to what is already stored.
        assert!(
            store
                .set_group_retention(forever.id, Some(0))
                .await
                .is_err()
        );
        store
            .set_group_retention(forever.id, Some(1))
            .await
            .unwrap();
        assert_eq!(store.sweep_retention(later).await.unwrap(), 1);
        assert!(
            ids_visible(store, alpha.org, &all_of(Scope::Everything))
                .await
                .is_empty()
        );
        store.set_group_retention(forever.id, None).await.unwrap();
        assert_eq!(
            store
                .group_by_name("Forever")
                .await
                .unwrap()
                .unwrap()
                .retention_days,
            None
        );
        assert!(matches!(
            store.set_group_retention(9999, Some(3)).await,
            Err(StoreError::NotFound(_))
        ));
    }

    pub async fn audit_log_records_writes(store: &Store) {
        let alpha = caller(store, "Alpha", Role::Analyst).await;
        store
            .put_objects(
                &alpha,
                &[indicator(1, "2024-01-01T00:00:00.000Z", Tlp::Green)],
                &Distribution::AllMembers,
            )
            .await
            .unwrap();
        store
            .audit(&alpha, "read", "collection:x", "1 object")
            .await
            .unwrap();
        let entries = store.audit_entries(0, 100).await.unwrap();
        let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
        assert!(actions.contains(&"share"));
        assert_eq!(actions.last(), Some(&"read"));
        assert!(
            entries
                .iter()
                .any(|e| e.target == id_of(1) && e.org == Some(alpha.org))
        );
        assert!(entries.windows(2).all(|w| w[0].id < w[1].id));
        let after = store.audit_entries(entries[1].id, 100).await.unwrap();
        assert_eq!(after.len(), entries.len() - 2);
    }

    pub async fn status_records_are_per_organisation(store: &Store) {
        let alpha = caller(store, "Alpha", Role::Analyst).await;
        let bravo = caller(store, "Bravo", Role::Analyst).await;
        store
            .save_status(alpha.org, "s1", "{\"status\":\"complete\"}")
            .await
            .unwrap();
        assert_eq!(
            store.load_status(alpha.org, "s1").await.unwrap().as_deref(),
            Some("{\"status\":\"complete\"}")
        );
        assert_eq!(store.load_status(bravo.org, "s1").await.unwrap(), None);
    }

    pub async fn refuses_invalid_objects_and_foreign_versions(store: &Store) {
        let alpha = caller(store, "Alpha", Role::Analyst).await;
        let bravo = caller(store, "Bravo", Role::Analyst).await;
        let mut bad = indicator(1, "2024-01-01T00:00:00.000Z", Tlp::Green);
        bad["spec_version"] = json!("2.0");
        let good = indicator(2, "2024-01-01T00:00:00.000Z", Tlp::Green);
        let out = store
            .put_objects(&alpha, &[bad, good], &Distribution::AllMembers)
            .await
            .unwrap();
        assert!(
            matches!(&out[0], PutOutcome::Refused { message, .. } if message.contains("spec_version"))
        );
        assert!(matches!(out[1], PutOutcome::Stored { .. }));
        let hijack = indicator(2, "2024-06-01T00:00:00.000Z", Tlp::Green);
        let out = store
            .put_objects(&bravo, &[hijack], &Distribution::AllMembers)
            .await
            .unwrap();
        assert!(
            matches!(&out[0], PutOutcome::Refused { message, .. } if message.contains("another organisation"))
        );
        // Well-known TLP marking definitions may be posted by anyone.
        let marking = json!({
            "type": "marking-definition", "spec_version": "2.1",
            "id": Tlp::Green.stix_marking_id(), "created": "2022-10-01T00:00:00.000Z",
            "name": "TLP:GREEN", "extensions": {}
        });
        let a = store
            .put_objects(
                &alpha,
                std::slice::from_ref(&marking),
                &Distribution::AllMembers,
            )
            .await
            .unwrap();
        let b = store
            .put_objects(&bravo, &[marking], &Distribution::AllMembers)
            .await
            .unwrap();
        assert!(matches!(a[0], PutOutcome::Stored { .. }));
        assert!(matches!(b[0], PutOutcome::Duplicate { .. }));
    }
}

mod search_cases {
    use crosswatch_model::platform::parse_account;
    use crosswatch_model::{AssetKind, Incident, Indicator, Platform, Taxonomy, TechniqueRef};
    use crosswatch_stix::{ExportOptions, export_incident};

    use super::*;

    fn incident_objects(name: &str, domain: &str, technique: &str, target: &str) -> Vec<Value> {
        let now = time::macros::datetime!(2024-06-01 00:00 UTC);
        let mut incident = Incident::new(name, Tlp::Green, now);
        incident.first_seen = Some(time::macros::datetime!(2024-03-01 00:00 UTC));
        incident.last_seen = Some(time::macros::datetime!(2024-05-01 00:00 UTC));
        incident.add_target(target.parse().unwrap());
        incident.add_assets(Platform::Facebook, AssetKind::Account, 7);
        incident.add_technique(TechniqueRef::new(Taxonomy::Disarm, technique, None).unwrap());
        incident.add_indicator(Indicator::domain(domain).unwrap());
        incident.add_indicator(Indicator::account(
            parse_account(&format!("https://t.me/{}", name.replace(' ', "_"))).unwrap(),
        ));
        export_incident(&incident, &ExportOptions::default())
            .objects
            .into_iter()
            .map(|o| o.into_value())
            .collect()
    }

    async fn names(store: &Store, viewer: i64, query: SearchQuery) -> Vec<String> {
        let page = store.search(viewer, &query).await.unwrap();
        page.objects
            .iter()
            .map(|o| {
                let value: Value = serde_json::from_str(&o.raw).unwrap();
                value["name"].as_str().unwrap_or_default().to_string()
            })
            .collect()
    }

    fn incidents(terms: &[(SearchField, &str)]) -> SearchQuery {
        SearchQuery {
            types: vec!["campaign".into()],
            terms: terms
                .iter()
                .map(|(f, v)| (*f, crosswatch_stix::search::normalise(*f, v).unwrap()))
                .collect(),
            follow_links: true,
            limit: 100,
            ..SearchQuery::default()
        }
    }

    /// An envelope far larger than one statement's parameter limit, sent
    /// to named recipients: every object is stored once, in order, with its
    /// recipients and search terms, and a re-send is all duplicates.
    pub async fn large_envelopes_span_statements_in_order(store: &Store) {
        let writer = caller(store, "Large Writer", Role::Analyst).await;
        let reader = caller(store, "Large Reader", Role::ReadOnly).await;
        let outsider = caller(store, "Large Outsider", Role::ReadOnly).await;
        let objects: Vec<Value> = (0..2_500)
            .map(|n| {
                let mut object = indicator(n, "2024-02-01T00:00:00.000Z", Tlp::Amber);
                object["pattern"] = json!(format!("[domain-name:value = 'd{n}.large.example']"));
                object
            })
            .collect();
        let named = Distribution::Named(vec![reader.org]);
        let outcomes = store.put_objects(&writer, &objects, &named).await.unwrap();
        for (n, outcome) in outcomes.iter().enumerate() {
            assert!(
                matches!(outcome, PutOutcome::Stored { id, .. } if *id == id_of(n as u32)),
                "object {n}: {outcome:?}"
            );
        }
        let mut seen = Vec::new();
        let mut query = ObjectQuery::new(Scope::Everything, 1_000);
        loop {
            let page = store.query_objects(reader.org, &query).await.unwrap();
            seen.extend(page.objects.iter().map(|o| o.stix_id.clone()));
            match (page.more, page.objects.last()) {
                (true, Some(last)) => query.after_seq = Some(last.seq),
                _ => break,
            }
        }
        let expected: Vec<String> = (0..2_500).map(id_of).collect();
        assert_eq!(seen, expected, "change-log order is envelope order");
        let page = store
            .query_objects(outsider.org, &ObjectQuery::new(Scope::Everything, 10))
            .await
            .unwrap();
        assert!(page.objects.is_empty(), "named recipients only");
        let search = SearchQuery {
            terms: vec![(SearchField::Value, "d2499.large.example".into())],
            limit: 10,
            ..SearchQuery::default()
        };
        let found = store.search(reader.org, &search).await.unwrap();
        assert_eq!(found.objects.len(), 1);
        assert_eq!(found.objects[0].stix_id, id_of(2_499));
        let again = store.put_objects(&writer, &objects, &named).await.unwrap();
        assert!(
            again
                .iter()
                .all(|o| matches!(o, PutOutcome::Duplicate { .. }))
        );
        // One audit entry for the write, naming the change-log range that
        // holds each object.
        let shares: Vec<_> = store
            .audit_entries(0, 1_000)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "share" && e.org == Some(writer.org))
            .collect();
        assert_eq!(shares.len(), 1, "{shares:?}");
        assert_eq!(shares[0].target, "2500 objects");
        assert!(
            shares[0].detail.contains("change log seq"),
            "{}",
            shares[0].detail
        );
    }

    pub async fn search_follows_links_and_respects_visibility(store: &Store) {
        let alpha = caller(store, "Alpha", Role::Analyst).await;
        let beta = caller(store, "Beta", Role::Analyst).await;
        let shared = incident_objects("Benin network", "newwayforward.us", "T0007", "FR");
        let private = incident_objects("Private network", "hidden-example.org", "T0086", "DE");
        store
            .put_objects(&alpha, &shared, &Distribution::AllMembers)
            .await
            .unwrap();
        store
            .put_objects(&alpha, &private, &Distribution::OwnOrg)
            .await
            .unwrap();

        let by_domain = incidents(&[(SearchField::Value, "newwayforward[.]us")]);
        assert_eq!(
            names(store, beta.org, by_domain.clone()).await,
            ["Benin network"]
        );
        let by_technique = incidents(&[(SearchField::Technique, "t0007")]);
        assert_eq!(
            names(store, beta.org, by_technique).await,
            ["Benin network"]
        );
        let by_country = incidents(&[(SearchField::Country, "fr")]);
        assert_eq!(names(store, beta.org, by_country).await, ["Benin network"]);
        let by_platform = incidents(&[(SearchField::Platform, "facebook")]);
        assert_eq!(
            names(store, beta.org, by_platform.clone()).await,
            ["Benin network"]
        );
        assert_eq!(
            names(store, alpha.org, by_platform).await,
            ["Benin network", "Private network"]
        );
        // Terms are AND'ed.
        let both = incidents(&[
            (SearchField::Country, "FR"),
            (SearchField::Technique, "T0086"),
        ]);
        assert!(names(store, alpha.org, both).await.is_empty());
        // The private incident exists but Beta cannot find it by any key.
        for query in [
            incidents(&[(SearchField::Value, "hidden-example.org")]),
            incidents(&[(SearchField::Country, "DE")]),
            incidents(&[(SearchField::Technique, "T0086")]),
        ] {
            assert!(names(store, beta.org, query.clone()).await.is_empty());
            assert_eq!(names(store, alpha.org, query).await, ["Private network"]);
        }
        // Indicators by value, without following links.
        let indicators = SearchQuery {
            types: vec!["indicator".into()],
            terms: vec![(SearchField::Kind, "domain".into())],
            limit: 100,
            ..SearchQuery::default()
        };
        assert_eq!(
            names(store, beta.org, indicators).await,
            ["domain: newwayforward.us"]
        );
        // Text and time.
        let text = SearchQuery {
            types: vec!["campaign".into()],
            text: Some("BENIN".into()),
            limit: 100,
            ..SearchQuery::default()
        };
        assert_eq!(names(store, beta.org, text).await, ["Benin network"]);
        let mut later = incidents(&[]);
        later.active_from = Some("2024-06-01T00:00:00.000000Z".into());
        assert!(names(store, alpha.org, later).await.is_empty());
        let mut during = incidents(&[]);
        during.active_from = Some("2024-04-01T00:00:00.000000Z".into());
        during.active_until = Some("2024-04-02T00:00:00.000000Z".into());
        assert_eq!(names(store, beta.org, during).await, ["Benin network"]);
        // Deleting the indicator removes the link path too.
        let domain_indicator = store
            .search(
                beta.org,
                &SearchQuery {
                    types: vec!["indicator".into()],
                    terms: vec![(SearchField::Value, "newwayforward.us".into())],
                    limit: 10,
                    ..SearchQuery::default()
                },
            )
            .await
            .unwrap()
            .objects[0]
            .stix_id
            .clone();
        store
            .delete_object(&alpha, &domain_indicator, None)
            .await
            .unwrap();
        assert!(names(store, beta.org, by_domain).await.is_empty());
    }
}

// ----- property test: the store agrees with the reference rule ----------

#[derive(Debug, Clone)]
struct Scenario {
    orgs: usize,
    groups: Vec<Vec<bool>>,
    objects: Vec<(usize, usize, u8, usize, Vec<bool>)>,
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (2usize..5, 0usize..3).prop_flat_map(|(orgs, groups)| {
        (
            Just(orgs),
            proptest::collection::vec(proptest::collection::vec(any::<bool>(), orgs), groups),
            proptest::collection::vec(
                (
                    0..orgs,
                    0usize..5,
                    0u8..4,
                    0usize..3,
                    proptest::collection::vec(any::<bool>(), orgs),
                ),
                1..12,
            ),
        )
            .prop_map(|(orgs, groups, objects)| Scenario {
                orgs,
                groups,
                objects,
            })
    })
}

async fn check_scenario(store: &Store, scenario: &Scenario) {
    let mut callers = Vec::new();
    for n in 0..scenario.orgs {
        callers.push(caller(store, &format!("Org {n}"), Role::Sync).await);
    }
    let mut groups = Vec::new();
    let mut membership: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
    for (g, members) in scenario.groups.iter().enumerate() {
        let ids: Vec<i64> = members
            .iter()
            .enumerate()
            .filter(|(_, m)| **m)
            .map(|(i, _)| callers[i].org)
            .collect();
        let group = store
            .create_group(&format!("Group {g}"), &ids, None)
            .await
            .unwrap();
        for id in &ids {
            membership.entry(*id).or_default().insert(group.id);
        }
        groups.push(group.id);
    }
    let mut expected: Vec<(String, i64, Tlp, Distribution)> = Vec::new();
    for (n, (owner, tlp, kind, group, named)) in scenario.objects.iter().enumerate() {
        let tlp = Tlp::ALL[*tlp];
        let dist = match (kind, groups.get(*group)) {
            (0, _) => Distribution::OwnOrg,
            (1, Some(g)) => Distribution::Group(*g),
            (2, _) => Distribution::Named(
                named
                    .iter()
                    .enumerate()
                    .filter(|(_, m)| **m)
                    .map(|(i, _)| callers[i].org)
                    .collect(),
            ),
            _ => Distribution::AllMembers,
        };
        let n = u32::try_from(n).unwrap();
        let outcome = store
            .put_objects(
                &callers[*owner],
                &[indicator(n, "2024-01-01T00:00:00.000Z", tlp)],
                &dist,
            )
            .await
            .unwrap();
        // A marking that forbids the distribution is refused at write time.
        let allowed = crosswatch_store::access::check_distribution(tlp, &dist).is_ok();
        assert_eq!(matches!(outcome[0], PutOutcome::Stored { .. }), allowed);
        if allowed {
            expected.push((id_of(n), callers[*owner].org, tlp, dist));
        }
    }
    let empty = BTreeSet::new();
    for viewer in &callers {
        let viewer_groups = membership.get(&viewer.org).unwrap_or(&empty);
        let reference: BTreeSet<String> = expected
            .iter()
            .filter(|(_, owner, tlp, dist)| may_see(viewer.org, viewer_groups, *owner, *tlp, dist))
            .map(|(id, ..)| id.clone())
            .collect();
        let everything = ids_visible(store, viewer.org, &all_of(Scope::Everything)).await;
        assert_eq!(everything, reference, "viewer {}", viewer.org_name);
        let count = store
            .count_objects(viewer.org, &all_of(Scope::Everything))
            .await
            .unwrap();
        assert_eq!(usize::try_from(count).unwrap(), reference.len());
        let feed: BTreeSet<String> = store
            .changes_after(viewer.org, 0, 1000)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.stix_id)
            .collect();
        assert_eq!(feed, reference);
        let search = SearchQuery {
            terms: vec![(SearchField::Value, "example.com".into())],
            follow_links: true,
            limit: 1000,
            ..SearchQuery::default()
        };
        let found: BTreeSet<String> = store
            .search(viewer.org, &search)
            .await
            .unwrap()
            .objects
            .into_iter()
            .map(|o| o.stix_id)
            .collect();
        assert_eq!(found, reference, "search as {}", viewer.org_name);
        // Each collection shows exactly the visible objects shared there.
        let mut scopes = vec![Scope::AllMembers, Scope::Inbox(viewer.org)];
        scopes.extend(groups.iter().map(|g| Scope::Group(*g)));
        for scope in scopes {
            let in_scope: BTreeSet<String> = expected
                .iter()
                .filter(|(id, owner, _, dist)| {
                    reference.contains(id)
                        && match (&scope, dist) {
                            (Scope::AllMembers, Distribution::AllMembers) => true,
                            (Scope::Group(g), Distribution::Group(d)) => g == d,
                            (Scope::Inbox(o), Distribution::Named(r)) => r.contains(o),
                            (Scope::Inbox(o), Distribution::OwnOrg) => owner == o,
                            _ => false,
                        }
                })
                .map(|(id, ..)| id.clone())
                .collect();
            assert_eq!(
                ids_visible(store, viewer.org, &all_of(scope.clone())).await,
                in_scope,
                "{scope:?}"
            );
            json_pages_match_row_pages(store, viewer.org, scope).await;
        }
    }
}

/// Paging a scope as JSON text gives, page by page, the objects, cursor,
/// `more` and date range that paging it as rows gives.
async fn json_pages_match_row_pages(store: &Store, viewer: i64, scope: Scope) {
    let mut query = ObjectQuery::new(scope, 3);
    loop {
        let rows = store.query_objects(viewer, &query).await.unwrap();
        let json = store.query_objects_json(viewer, &query).await.unwrap();
        let texts: Vec<&str> = rows.objects.iter().map(|o| o.raw.as_str()).collect();
        assert_eq!(json.objects_json, format!("[{}]", texts.join(",")));
        assert_eq!(json.count, rows.objects.len());
        assert_eq!(json.more, rows.more);
        assert_eq!(json.next_cursor(), rows.next_cursor());
        let added = rows.objects.iter().map(|o| o.date_added.clone());
        assert_eq!(json.date_added_range, added.clone().min().zip(added.max()),);
        match rows.next_cursor() {
            Some(next) => query.after_seq = Some(next),
            None => break,
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn sqlite_never_shows_an_object_its_marking_excludes(scenario in scenario()) {
        runtime().block_on(async {
            let (store, _dir) = sqlite_store().await.unwrap();
            check_scenario(&store, &scenario).await;
            store.close().await;
        });
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]
    #[test]
    fn postgres_never_shows_an_object_its_marking_excludes(scenario in scenario()) {
        runtime().block_on(async {
            let Some(store) = postgres_store("postgres_never_shows_an_object_its_marking_excludes").await else {
                return;
            };
            check_scenario(&store, &scenario).await;
            store.close().await;
        });
    }
}
