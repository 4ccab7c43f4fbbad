//! SLI 16.1.1 figures checked against the actions behind them.

mod common;

use common::*;
use crosswatch_model::platform::AssetKind;
use crosswatch_model::{Action, country::EEA_REPORTING_CODES};
use crosswatch_report::{Cell, Column, KindColumn, Period, RowKey, sli_16_1_1};
use proptest::prelude::*;
use std::collections::BTreeMap;

fn period() -> Period {
    "2025-07-01..2025-12-31".parse().unwrap()
}

fn cell(text: &str) -> Cell {
    text.parse().unwrap()
}

fn fixture() -> Vec<Action> {
    let hub = || Some(provenance("eu-hub", Some("elections"), Some("Meta")));
    vec![
        // Counted: FR and DE, 5 accounts.
        action(
            1,
            IN_PERIOD,
            "ExampleNet",
            AssetKind::Account,
            5,
            &["FR", "DE"],
            hub(),
        ),
        // Counted: FR, 3 pages, another source, no group.
        action(
            2,
            IN_PERIOD,
            "ExampleNet",
            AssetKind::Page,
            3,
            &["FR"],
            Some(provenance("eu-hub", None, Some("TikTok"))),
        ),
        // Own detection: not counted.
        action(
            3,
            IN_PERIOD,
            "ExampleNet",
            AssetKind::Account,
            11,
            &["FR"],
            None,
        ),
        // Outside the period: not counted.
        action(
            4,
            BEFORE_PERIOD,
            "ExampleNet",
            AssetKind::Account,
            13,
            &["FR"],
            hub(),
        ),
        // Another organisation: not counted when filtering on ExampleNet.
        action(
            5,
            IN_PERIOD,
            "OtherNet",
            AssetKind::Group,
            17,
            &["FR"],
            hub(),
        ),
        // Non-EEA Member States only: not counted, reported as outside EEA.
        action(
            6,
            IN_PERIOD,
            "ExampleNet",
            AssetKind::Channel,
            19,
            &["MD", "UA"],
            hub(),
        ),
        // Mixed: only the EEA code counts.
        action(
            7,
            IN_PERIOD,
            "ExampleNet",
            AssetKind::Content,
            2,
            &["MD", "RO"],
            hub(),
        ),
    ]
}

#[test]
fn rows_are_the_30_codes_in_eu_order() {
    let table = sli_16_1_1(&[], &period(), None);
    let codes: Vec<String> = table
        .rows
        .iter()
        .map(|r| match r.key {
            RowKey::Country(c) => c.as_str().to_string(),
            RowKey::Total => "total".into(),
        })
        .collect();
    assert_eq!(codes, EEA_REPORTING_CODES.to_vec());
}

#[test]
fn cells_count_only_shared_in_period_eea_actions_of_the_org() {
    let table = sli_16_1_1(&fixture(), &period(), Some("ExampleNet"));
    // France: actions 1, 2 (own detection 3, old 4, other org 5 excluded).
    assert_eq!(table.value(&cell("FR:actions")), 2);
    assert_eq!(table.value(&cell("FR:items")), 8);
    assert_eq!(table.value(&cell("FR:accounts")), 5);
    assert_eq!(table.value(&cell("FR:pages")), 3);
    assert_eq!(table.value(&cell("FR:groups")), 0);
    assert_eq!(table.value(&cell("DE:accounts")), 5);
    assert_eq!(table.value(&cell("RO:content")), 2);
    assert_eq!(table.value(&cell("FR:forum:eu-hub / elections")), 5);
    assert_eq!(table.value(&cell("FR:forum:eu-hub")), 3);
    assert_eq!(table.value(&cell("FR:source:TikTok")), 3);
    let ids: Vec<u128> = table
        .explain(&cell("FR:items"))
        .actions
        .iter()
        .map(|a| a.action_id.as_u128())
        .collect();
    assert_eq!(ids, vec![1, 2]);
    // Total counts action 1 once although it affected FR and DE.
    assert_eq!(table.value(&cell("total:actions")), 3);
    assert_eq!(table.value(&cell("total:items")), 10);
    let sum_of_rows: u64 = table.rows.iter().map(|r| r.items).sum();
    assert_eq!(sum_of_rows, 15, "5 (FR) + 5 (DE) + 3 (FR) + 2 (RO)");
    assert_eq!(table.own_detection.actions, 1);
    assert_eq!(table.own_detection.items, 11);
    assert_eq!(table.outside_eea.actions, 1);
    assert_eq!(table.outside_eea.items, 19);
}

#[test]
fn without_org_filter_other_platforms_count() {
    let table = sli_16_1_1(&fixture(), &period(), None);
    assert_eq!(table.value(&cell("FR:groups")), 17);
    assert_eq!(table.value(&cell("total:actions")), 4);
}

#[test]
fn the_same_action_listed_twice_counts_once() {
    let mut actions = fixture();
    actions.push(actions[0].clone());
    let table = sli_16_1_1(&actions, &period(), Some("ExampleNet"));
    assert_eq!(table.value(&cell("FR:actions")), 2);
}

#[test]
fn empty_period_gives_zeros_in_every_format() {
    let table = sli_16_1_1(&[], &period(), None);
    assert!(table.rows.iter().all(|r| r.actions == 0 && r.items == 0));
    let json = table.to_json();
    assert_eq!(json["rows"].as_array().unwrap().len(), 30);
    assert_eq!(json["total"]["items"], 0);
    let csv = table.to_csv();
    assert_eq!(csv.lines().count(), 32);
    assert!(csv.lines().nth(31).unwrap().starts_with("Total,0,0"));
    assert!(table.to_markdown().contains("| Total | 0 | 0 |"));
    assert!(table.to_html().contains("<td>Total</td><td>0</td>"));
}

#[test]
fn cell_addresses_parse_and_fail_clearly() {
    assert_eq!(
        cell("el:pages"),
        Cell {
            row: RowKey::Country(cc("GR")),
            column: Column::Kind(KindColumn::Pages)
        }
    );
    assert_eq!(cell("FR:pages").to_string(), "FR:pages");
    assert!(
        "FR".parse::<Cell>()
            .unwrap_err()
            .to_string()
            .contains("ROW:COLUMN")
    );
    assert!(
        "MD:pages"
            .parse::<Cell>()
            .unwrap_err()
            .to_string()
            .contains("EEA")
    );
    assert!("FR:potatoes".parse::<Cell>().is_err());
}

#[test]
fn hostile_forum_names_are_escaped() {
    let actions = vec![action(
        1,
        IN_PERIOD,
        "ExampleNet",
        AssetKind::Account,
        1,
        &["FR"],
        Some(provenance(
            "<script>alert(1)</script>",
            None,
            Some("=HYPERLINK(\"x\")"),
        )),
    )];
    let table = sli_16_1_1(&actions, &period(), None);
    let html = table.to_html();
    assert!(!html.contains("<script>"));
    assert!(html.contains("&lt;script&gt;"));
    let csv = table.to_csv();
    assert!(csv.contains("\"Shared by: =HYPERLINK(\"\"x\"\")\""));
    assert!(!table.to_markdown().contains("<script>"));
}

fn arb_action() -> impl Strategy<Value = Action> {
    let kinds = prop::sample::select(vec![
        AssetKind::Account,
        AssetKind::Page,
        AssetKind::Group,
        AssetKind::Channel,
        AssetKind::Content,
        AssetKind::Event,
        AssetKind::AdAccount,
    ]);
    let states = prop::collection::vec(
        prop::sample::select(vec!["FR", "DE", "GR", "NO", "MD", "US", "IS"]),
        0..4,
    );
    (
        0u128..40,
        0i64..400,
        prop::bool::ANY,
        kinds,
        0u64..50,
        states,
        prop::option::of((0usize..3, 0usize..3)),
    )
        .prop_map(|(id, day, other_org, kind, count, states, prov)| {
            let at = BEFORE_PERIOD + time::Duration::days(day - 30);
            let platform = if other_org { "OtherNet" } else { "ExampleNet" };
            let prov = prov.map(|(hub, src)| {
                provenance(
                    ["hub-a", "hub-b", "hub-c"][hub],
                    None,
                    [Some("Meta"), Some("Google"), None][src],
                )
            });
            let mut a = action(id, at, platform, kind, count, &states, prov);
            a.item_ids.clear();
            a
        })
}

proptest! {
    #[test]
    fn totals_and_explanations_match_a_naive_count(
        actions in prop::collection::vec(arb_action(), 0..30),
        filter in prop::bool::ANY,
    ) {
        let period = period();
        let org = filter.then_some("ExampleNet");
        let table = sli_16_1_1(&actions, &period, org);

        // Naive reference: distinct ids (first occurrence) that qualify.
        let mut seen = std::collections::BTreeSet::new();
        let mut expected_items = 0u64;
        let mut expected_actions = 0u64;
        let mut per_state: BTreeMap<String, u64> = BTreeMap::new();
        for a in &actions {
            if !period.contains(a.taken_at) || org.is_some_and(|o| a.platform != o) || !seen.insert(a.id) {
                continue;
            }
            if a.prompted_by.is_none() { continue; }
            let states: std::collections::BTreeSet<_> = a.member_states.iter().filter(|c| c.is_eea_reporting()).collect();
            if states.is_empty() { continue; }
            expected_items += a.count;
            expected_actions += 1;
            for s in states { *per_state.entry(s.as_str().to_string()).or_insert(0) += a.count; }
        }
        prop_assert_eq!(table.total.items, expected_items);
        prop_assert_eq!(table.total.actions, expected_actions);
        for row in &table.rows {
            if let RowKey::Country(c) = row.key {
                prop_assert_eq!(row.items, per_state.get(c.as_str()).copied().unwrap_or(0));
            }
        }

        // Every cell equals what explain() lists behind it.
        for row in table.rows.iter().map(|r| r.key).chain([RowKey::Total]) {
            for column in table.columns() {
                let cell = Cell { row, column: column.clone() };
                let explanation = table.explain(&cell);
                let sum: u64 = match column {
                    Column::Actions => explanation.actions.len() as u64,
                    _ => explanation.actions.iter().map(|a| a.items).sum(),
                };
                prop_assert_eq!(sum, table.value(&cell), "cell {}", cell);
                if let RowKey::Country(code) = row {
                    prop_assert!(explanation.actions.iter().all(|a| a.member_states.contains(&code)));
                }
            }
        }
    }

    #[test]
    fn cell_parser_never_panics(text in "\\PC{0,30}") {
        let _ = text.parse::<Cell>();
    }
}
