//! DSA statements of reasons: produced statements validate, and the
//! validator rejects each kind of invalid statement.

mod common;

use common::*;
use crosswatch_model::platform::AssetKind;
use crosswatch_report::Period;
use crosswatch_report::dsa::{
    DsaOptions, MAX_BATCH, Rule, Statement, statements_of_reasons, to_json_lines, validate,
};

fn period() -> Period {
    "2025-07-01..2025-12-31".parse().unwrap()
}

fn valid() -> Statement {
    let actions = vec![action(
        1,
        IN_PERIOD,
        "ExampleNet",
        AssetKind::Account,
        1,
        &["FR"],
        Some(provenance("eu-hub", None, Some("Meta"))),
    )];
    let export = statements_of_reasons(&actions, &[], &period(), &DsaOptions::default());
    export.statements[0].1.clone()
}

fn rules_broken(statement: &Statement) -> Vec<(&'static str, Rule)> {
    validate(statement)
        .into_iter()
        .map(|v| (v.field, v.rule))
        .collect()
}

#[test]
fn produced_statements_all_validate_and_use_api_values() {
    let mut actions = vec![
        action(
            1,
            IN_PERIOD,
            "ExampleNet",
            AssetKind::Account,
            3,
            &["FR", "DE", "MD"],
            Some(provenance("eu-hub", Some("g"), Some("Meta"))),
        ),
        action(
            2,
            IN_PERIOD,
            "ExampleNet",
            AssetKind::Content,
            2,
            &["IT"],
            None,
        ),
        action(
            3,
            IN_PERIOD,
            "ExampleNet",
            AssetKind::Page,
            1,
            &["NO"],
            None,
        ),
    ];
    actions[2].decision = crosswatch_model::Decision::VisibilityReduced;
    let mut incident = incident("net");
    incident.first_seen = Some(time::macros::datetime!(2025-03-02 00:00 UTC));
    let export = statements_of_reasons(&actions, &[incident], &period(), &DsaOptions::default());
    assert_eq!(export.statements.len(), 6);
    assert!(export.rejected.is_empty(), "{:?}", export.rejected);
    for (_, statement) in &export.statements {
        assert!(validate(statement).is_empty(), "{statement:?}");
    }
    let (_, first) = &export.statements[0];
    assert_eq!(
        first.decision_account.as_deref(),
        Some("DECISION_ACCOUNT_TERMINATED")
    );
    assert_eq!(
        first.decision_ground,
        "DECISION_GROUND_INCOMPATIBLE_CONTENT"
    );
    assert_eq!(
        first.category,
        "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS"
    );
    assert!(
        first
            .category_specification
            .contains(&"KEYWORD_INAUTHENTIC_ACCOUNTS".to_string())
    );
    assert_eq!(first.territorial_scope, vec!["DE", "FR"]);
    assert_eq!(first.application_date, "2025-09-15");
    assert_eq!(first.content_date, "2025-03-02");
    assert_eq!(first.automated_detection, "Yes");
    assert_eq!(first.automated_decision, "AUTOMATED_DECISION_NOT_AUTOMATED");
    assert_eq!(first.source_type, "SOURCE_VOLUNTARY");
    assert_eq!(first.content_type, vec!["CONTENT_TYPE_OTHER"]);
    assert_eq!(first.content_type_other.as_deref(), Some("Account"));
    let content = &export.statements[3].1;
    assert_eq!(
        content.decision_visibility,
        vec!["DECISION_VISIBILITY_CONTENT_REMOVED"]
    );
    assert_eq!(content.content_type, vec!["CONTENT_TYPE_TEXT"]);
    let demoted = &export.statements[5].1;
    assert_eq!(
        demoted.decision_visibility,
        vec!["DECISION_VISIBILITY_CONTENT_DEMOTED"]
    );
    let json = serde_json::to_value(first).unwrap();
    assert!(json.get("illegal_content_legal_ground").is_none());
    assert!(json.get("source_identity").is_none());
}

#[test]
fn actions_that_cannot_become_statements_are_reported() {
    let mut no_ids = action(
        1,
        IN_PERIOD,
        "ExampleNet",
        AssetKind::Account,
        2,
        &["FR"],
        None,
    );
    no_ids.item_ids.clear();
    let mut bad_puid = action(
        2,
        IN_PERIOD,
        "ExampleNet",
        AssetKind::Account,
        1,
        &["FR"],
        None,
    );
    bad_puid.item_ids = vec!["https://example.com/u/1".into()];
    let mut long_facts = action(
        3,
        IN_PERIOD,
        "ExampleNet",
        AssetKind::Account,
        1,
        &["FR"],
        None,
    );
    long_facts.facts = "x".repeat(5001);
    let no_eea = action(
        4,
        IN_PERIOD,
        "ExampleNet",
        AssetKind::Account,
        1,
        &["US"],
        None,
    );
    let old = action(
        5,
        BEFORE_PERIOD,
        "ExampleNet",
        AssetKind::Account,
        1,
        &["FR"],
        None,
    );
    let export = statements_of_reasons(
        &[no_ids, bad_puid, long_facts, no_eea, old],
        &[],
        &period(),
        &DsaOptions::default(),
    );
    assert!(export.statements.is_empty());
    assert_eq!(export.skipped.len(), 1);
    assert_eq!(export.rejected.len(), 3);
    assert!(export.rejected[0].reason.contains("item ids"));
    assert_eq!(export.rejected[1].violations[0].rule, Rule::PuidPattern);
    assert_eq!(export.rejected[2].violations[0].rule, Rule::TooLong);
}

#[test]
fn json_lines_batch_at_most_100() {
    let statements = vec![valid(); 250];
    let lines = to_json_lines(&statements).unwrap();
    let sizes: Vec<usize> = lines
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["statements"].as_array().unwrap().len()
        })
        .collect();
    assert_eq!(sizes, vec![MAX_BATCH, MAX_BATCH, 50]);
    assert_eq!(to_json_lines(&[]).unwrap(), "");
}

#[test]
fn valid_fixture_is_valid() {
    assert!(validate(&valid()).is_empty());
}

#[test]
fn rejects_missing_required_field() {
    let mut s = valid();
    s.decision_facts = String::new();
    assert_eq!(rules_broken(&s), vec![("decision_facts", Rule::Required)]);
}

#[test]
fn rejects_statement_without_decision() {
    let mut s = valid();
    s.decision_account = None;
    assert_eq!(
        rules_broken(&s),
        vec![("decision_visibility", Rule::NoDecision)]
    );
}

#[test]
fn rejects_value_outside_enumeration() {
    let mut s = valid();
    s.decision_account = Some("DECISION_ACCOUNT_BANNED".into());
    s.territorial_scope = vec!["MD".into()];
    assert_eq!(
        rules_broken(&s),
        vec![
            ("decision_account", Rule::NotAllowed),
            ("territorial_scope", Rule::NotAllowed)
        ]
    );
}

#[test]
fn rejects_unknown_keyword() {
    let mut s = valid();
    s.category_specification = vec!["KEYWORD_CIB".into()];
    assert_eq!(
        rules_broken(&s),
        vec![("category_specification", Rule::NotAllowed)]
    );
}

#[test]
fn rejects_too_long_text() {
    let mut s = valid();
    s.incompatible_content_explanation = Some("y".repeat(2001));
    assert_eq!(
        rules_broken(&s),
        vec![("incompatible_content_explanation", Rule::TooLong)]
    );
}

#[test]
fn rejects_too_long_puid() {
    let mut s = valid();
    s.puid = "a".repeat(501);
    assert_eq!(rules_broken(&s), vec![("puid", Rule::TooLong)]);
}

#[test]
fn rejects_puid_outside_pattern() {
    let mut s = valid();
    s.puid = "abc 123".into();
    assert_eq!(rules_broken(&s), vec![("puid", Rule::PuidPattern)]);
}

#[test]
fn rejects_bad_date_format() {
    let mut s = valid();
    s.application_date = "2025-09-15-12".into();
    assert_eq!(
        rules_broken(&s),
        vec![("application_date", Rule::DateFormat)]
    );
}

#[test]
fn rejects_date_out_of_range() {
    let mut s = valid();
    s.content_date = "1999-12-31".into();
    assert_eq!(rules_broken(&s), vec![("content_date", Rule::DateRange)]);
}

#[test]
fn rejects_missing_conditional_field() {
    let mut s = valid();
    s.incompatible_content_ground = None;
    assert_eq!(
        rules_broken(&s),
        vec![("incompatible_content_ground", Rule::ConditionalRequired)]
    );
    let mut s = valid();
    s.content_type = vec!["CONTENT_TYPE_OTHER".into()];
    s.content_type_other = None;
    assert_eq!(
        rules_broken(&s),
        vec![("content_type_other", Rule::ConditionalRequired)]
    );
}

#[test]
fn rejects_field_its_choice_excludes() {
    let mut s = valid();
    s.illegal_content_legal_ground = Some("Art. 1".into());
    assert_eq!(
        rules_broken(&s),
        vec![("illegal_content_legal_ground", Rule::ConditionalExcluded)]
    );
    let mut s = valid();
    s.source_identity = Some("someone".into());
    assert_eq!(
        rules_broken(&s),
        vec![("source_identity", Rule::ConditionalExcluded)]
    );
}

#[test]
fn rejects_empty_content_type() {
    let mut s = valid();
    s.content_type.clear();
    s.content_type_other = None;
    assert_eq!(rules_broken(&s), vec![("content_type", Rule::Required)]);
}
