//! DSA Transparency Database statements of reasons for enforcement actions.
//!
//! One statement is written per actioned item (`puid`). Statements use the
//! database API's field names and enumeration keys and are checked against
//! its submission rules by [`validate`] before they are written; actions
//! that cannot become a valid statement are returned with the reason.
//! [`to_json_lines`] batches statements the way the bulk endpoint takes them:
//! one `{"statements": [...]}` body of at most [`MAX_BATCH`] per line.
//!
//! The rules restated from the database's public API documentation:
//! - required: `decision_ground`, `content_type` (non-empty list), `category`,
//!   `application_date`, `content_date`, `decision_facts`, `source_type`,
//!   `automated_detection`, `automated_decision`, `puid`;
//! - at least one of `decision_visibility`, `decision_monetary`,
//!   `decision_provision`, `decision_account`;
//! - enumerated fields take only their listed keys (below);
//! - `DECISION_GROUND_INCOMPATIBLE_CONTENT` requires
//!   `incompatible_content_ground` (≤ 500) and `incompatible_content_explanation`
//!   (≤ 2000); `DECISION_GROUND_ILLEGAL_CONTENT` requires
//!   `illegal_content_legal_ground` (≤ 500) and `illegal_content_explanation`
//!   (≤ 2000); the other ground's fields must then be absent;
//! - an `…_OTHER` choice requires its `…_other` text (≤ 500), which is
//!   otherwise absent; `source_identity` is absent for `SOURCE_VOLUNTARY`;
//! - `decision_facts` ≤ 5000 characters; `puid` ≤ 500 characters of
//!   `A–Z a–z 0–9 - _`;
//! - dates are `YYYY-MM-DD`; `application_date` from 2020-01-01 and
//!   `content_date` from 2000-01-01, both up to 2038-01-01; `end_date_*` not
//!   after 2038-01-01;
//! - `territorial_scope` holds only the 30 EEA reporting codes.

use std::collections::BTreeSet;

use crosswatch_model::{Action, AssetKind, Decision, Incident};
use serde::{Deserialize, Serialize};
use time::{Date, macros::date};
use uuid::Uuid;

use crate::period::{Period, format_date, parse_date};

/// Statements per call the bulk endpoint accepts.
pub const MAX_BATCH: usize = 100;

/// `decision_visibility` keys.
pub const DECISION_VISIBILITIES: &[&str] = &[
    "DECISION_VISIBILITY_CONTENT_REMOVED",
    "DECISION_VISIBILITY_CONTENT_DISABLED",
    "DECISION_VISIBILITY_CONTENT_DEMOTED",
    "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED",
    "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED",
    "DECISION_VISIBILITY_CONTENT_LABELLED",
    "DECISION_VISIBILITY_OTHER",
];
/// `decision_monetary` keys.
pub const DECISION_MONETARIES: &[&str] = &[
    "DECISION_MONETARY_SUSPENSION",
    "DECISION_MONETARY_TERMINATION",
    "DECISION_MONETARY_OTHER",
];
/// `decision_provision` keys.
pub const DECISION_PROVISIONS: &[&str] = &[
    "DECISION_PROVISION_PARTIAL_SUSPENSION",
    "DECISION_PROVISION_TOTAL_SUSPENSION",
    "DECISION_PROVISION_PARTIAL_TERMINATION",
    "DECISION_PROVISION_TOTAL_TERMINATION",
];
/// `decision_account` keys.
pub const DECISION_ACCOUNTS: &[&str] =
    &["DECISION_ACCOUNT_SUSPENDED", "DECISION_ACCOUNT_TERMINATED"];
/// `account_type` keys.
pub const ACCOUNT_TYPES: &[&str] = &["ACCOUNT_TYPE_BUSINESS", "ACCOUNT_TYPE_PRIVATE"];
/// `decision_ground` keys.
pub const DECISION_GROUNDS: &[&str] = &[
    "DECISION_GROUND_ILLEGAL_CONTENT",
    "DECISION_GROUND_INCOMPATIBLE_CONTENT",
];
/// `content_type` keys.
pub const CONTENT_TYPES: &[&str] = &[
    "CONTENT_TYPE_APP",
    "CONTENT_TYPE_AUDIO",
    "CONTENT_TYPE_IMAGE",
    "CONTENT_TYPE_PRODUCT",
    "CONTENT_TYPE_SYNTHETIC_MEDIA",
    "CONTENT_TYPE_TEXT",
    "CONTENT_TYPE_VIDEO",
    "CONTENT_TYPE_OTHER",
];
/// `source_type` keys.
pub const SOURCE_TYPES: &[&str] = &[
    "SOURCE_ARTICLE_16",
    "SOURCE_TRUSTED_FLAGGER",
    "SOURCE_TYPE_OTHER_NOTIFICATION",
    "SOURCE_VOLUNTARY",
];
/// `automated_decision` keys.
pub const AUTOMATED_DECISIONS: &[&str] = &[
    "AUTOMATED_DECISION_FULLY",
    "AUTOMATED_DECISION_PARTIALLY",
    "AUTOMATED_DECISION_NOT_AUTOMATED",
];
/// Values of the yes/no fields (`automated_detection`, `incompatible_content_illegal`).
pub const YES_NO: &[&str] = &["Yes", "No"];
/// `category` and `category_addition` keys.
pub const STATEMENT_CATEGORIES: &[&str] = &[
    "STATEMENT_CATEGORY_ANIMAL_WELFARE",
    "STATEMENT_CATEGORY_CONSUMER_INFORMATION",
    "STATEMENT_CATEGORY_CYBER_VIOLENCE",
    "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN",
    "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
    "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
    "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
    "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
    "STATEMENT_CATEGORY_NON_CONSENSUAL_BEHAVIOUR",
    "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE",
    "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
    "STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT",
    "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
    "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
    "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
    "STATEMENT_CATEGORY_SELF_HARM",
    "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE",
    "STATEMENT_CATEGORY_UNSAFE_AND_ILLEGAL_PRODUCTS",
    "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS",
    "STATEMENT_CATEGORY_VIOLENCE",
];
/// The category Crosswatch files influence-operation enforcement under.
pub const CIVIC_DISCOURSE: &str =
    "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS";
/// `category_specification` keywords the database accepts.
pub const KEYWORDS: &[&str] = &[
    "KEYWORD_ANIMAL_HARM",
    "KEYWORD_UNLAWFUL_SALE_ANIMALS",
    "KEYWORD_HIDDEN_ADVERTISEMENT",
    "KEYWORD_INSUFFICIENT_INFORMATION_ON_TRADERS",
    "KEYWORD_MISLEADING_INFO_CONSUMER_RIGHTS",
    "KEYWORD_MISLEADING_INFO_GOODS_SERVICES",
    "KEYWORD_NONCOMPLIANCE_PRICING",
    "KEYWORD_CYBER_BULLYING_INTIMIDATION",
    "KEYWORD_CYBER_HARASSMENT",
    "KEYWORD_CYBER_INCITEMENT",
    "KEYWORD_CYBER_STALKING",
    "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING",
    "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE",
    "KEYWORD_BULLYING_AGAINST_GIRLS",
    "KEYWORD_CYBER_HARASSMENT_AGAINST_WOMEN",
    "KEYWORD_CYBER_STALKING_AGAINST_WOMEN",
    "KEYWORD_FEMALE_GENDERED_DISINFORMATION",
    "KEYWORD_INCITEMENT_AGAINST_WOMEN",
    "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING_AGAINST_WOMEN",
    "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE_AGAINST_WOMEN",
    "KEYWORD_BIOMETRIC_DATA_BREACH",
    "KEYWORD_MISSING_PROCESSING_GROUND",
    "KEYWORD_RIGHT_TO_BE_FORGOTTEN",
    "KEYWORD_DATA_FALSIFICATION",
    "KEYWORD_DEFAMATION",
    "KEYWORD_DISCRIMINATION",
    "KEYWORD_HATE_SPEECH",
    "KEYWORD_COPYRIGHT_INFRINGEMENT",
    "KEYWORD_DESIGN_INFRINGEMENT",
    "KEYWORD_GEOGRAPHIC_INDICATIONS_INFRINGEMENT",
    "KEYWORD_PATENT_INFRINGEMENT",
    "KEYWORD_TRADE_SECRET_INFRINGEMENT",
    "KEYWORD_TRADEMARK_INFRINGEMENT",
    "KEYWORD_DISINFORMATION",
    "KEYWORD_MISINFORMATION",
    "KEYWORD_MISINFORMATION_DISINFORMATION",
    "KEYWORD_VIOLATION_EU_LAW",
    "KEYWORD_VIOLATION_NATIONAL_LAW",
    "KEYWORD_FOREIGN_INFORMATION_MANIPULATION",
    "KEYWORD_NON_CONSENSUAL_ITEMS_DEEPFAKE",
    "KEYWORD_ONLINE_BULLYING_INTIMIDATION",
    "KEYWORD_STALKING",
    "KEYWORD_ADULT_SEXUAL_MATERIAL",
    "KEYWORD_IMAGE_BASED_SEXUAL_ABUSE",
    "KEYWORD_AGE_SPECIFIC_RESTRICTIONS_MINORS",
    "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL",
    "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE",
    "KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS",
    "KEYWORD_UNSAFE_CHALLENGES",
    "KEYWORD_ILLEGAL_ORGANIZATIONS",
    "KEYWORD_RISK_ENVIRONMENTAL_DAMAGE",
    "KEYWORD_RISK_PUBLIC_HEALTH",
    "KEYWORD_TERRORIST_CONTENT",
    "KEYWORD_INAUTHENTIC_ACCOUNTS",
    "KEYWORD_INAUTHENTIC_LISTINGS",
    "KEYWORD_INAUTHENTIC_USER_REVIEWS",
    "KEYWORD_IMPERSONATION_ACCOUNT_HIJACKING",
    "KEYWORD_PHISHING",
    "KEYWORD_PYRAMID_SCHEMES",
    "KEYWORD_CONTENT_PROMOTING_EATING_DISORDERS",
    "KEYWORD_SELF_MUTILATION",
    "KEYWORD_SUICIDE",
    "KEYWORD_AGE_SPECIFIC_RESTRICTIONS",
    "KEYWORD_GEOGRAPHICAL_REQUIREMENTS",
    "KEYWORD_GOODS_SERVICES_NOT_PERMITTED",
    "KEYWORD_LANGUAGE_REQUIREMENTS",
    "KEYWORD_NUDITY",
    "KEYWORD_INSUFFICIENT_INFORMATION_TRADERS",
    "KEYWORD_PROHIBITED_PRODUCTS",
    "KEYWORD_UNSAFE_PRODUCTS",
    "KEYWORD_REGULATED_GOODS_SERVICES",
    "KEYWORD_DANGEROUS_TOYS",
    "KEYWORD_COORDINATED_HARM",
    "KEYWORD_GENDER_BASED_VIOLENCE",
    "KEYWORD_HUMAN_EXPLOITATION",
    "KEYWORD_HUMAN_TRAFFICKING",
    "KEYWORD_INCITEMENT_VIOLENCE_HATRED",
    "KEYWORD_TRAFFICKING_WOMEN_GIRLS",
    "KEYWORD_OTHER",
];

/// One statement of reasons, field for field as the API takes it: every
/// field carries the API's own name and values (see the module rules), and
/// absent optional fields are left out of the JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decision_visibility: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_visibility_other: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_monetary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_monetary_other: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_provision: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_account: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_type: Option<String>,
    pub decision_ground: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_ground_reference_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub illegal_content_legal_ground: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub illegal_content_explanation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incompatible_content_ground: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incompatible_content_explanation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incompatible_content_illegal: Option<String>,
    pub content_type: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type_other: Option<String>,
    pub category: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub category_addition: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub category_specification: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_specification_other: Option<String>,
    #[serde(default)]
    pub territorial_scope: Vec<String>,
    pub content_date: String,
    pub application_date: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date_account_restriction: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date_visibility_restriction: Option<String>,
    pub decision_facts: String,
    pub source_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_identity: Option<String>,
    pub automated_detection: String,
    pub automated_decision: String,
    pub puid: String,
}

/// Which database rule a statement breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// A required field is missing or empty.
    Required,
    /// None of the four decision fields is set.
    NoDecision,
    /// A value is not one of the field's allowed keys.
    NotAllowed,
    /// A text is longer than the field allows.
    TooLong,
    /// `puid` has characters outside `A–Z a–z 0–9 - _`.
    PuidPattern,
    /// A date is not `YYYY-MM-DD`.
    DateFormat,
    /// A date is outside the accepted range.
    DateRange,
    /// A field that a choice requires is missing.
    ConditionalRequired,
    /// A field that a choice excludes is present.
    ConditionalExcluded,
}

/// One broken rule: the field and what to fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// The statement field.
    pub field: &'static str,
    /// The rule.
    pub rule: Rule,
    /// What is wrong, in words.
    pub message: String,
}

struct Checker {
    violations: Vec<Violation>,
}

impl Checker {
    fn fail(&mut self, field: &'static str, rule: Rule, message: String) {
        self.violations.push(Violation {
            field,
            rule,
            message,
        });
    }

    fn required(&mut self, field: &'static str, value: &str) {
        if value.trim().is_empty() {
            self.fail(field, Rule::Required, format!("`{field}` is required"));
        }
    }

    fn allowed(&mut self, field: &'static str, value: &str, allowed: &[&str]) {
        if !value.is_empty() && !allowed.contains(&value) {
            self.fail(
                field,
                Rule::NotAllowed,
                format!("`{value}` is not an allowed value of `{field}`"),
            );
        }
    }

    fn max_len(&mut self, field: &'static str, value: Option<&str>, max: usize) {
        if let Some(value) = value {
            let len = value.chars().count();
            if len > max {
                self.fail(
                    field,
                    Rule::TooLong,
                    format!("`{field}` has {len} characters; at most {max} are allowed"),
                );
            }
        }
    }

    fn date(&mut self, field: &'static str, value: Option<&str>, min: Option<Date>, max: Date) {
        let Some(value) = value else { return };
        match parse_date(value) {
            None => self.fail(
                field,
                Rule::DateFormat,
                format!("`{field}` `{value}` is not a YYYY-MM-DD date"),
            ),
            Some(day) => {
                if min.is_some_and(|min| day < min) || day > max {
                    self.fail(
                        field,
                        Rule::DateRange,
                        format!(
                            "`{field}` {value} is outside {}..{}",
                            min.map(format_date).unwrap_or_default(),
                            format_date(max)
                        ),
                    );
                }
            }
        }
    }

    /// `other` must be present exactly when `chosen` is true.
    fn conditional(&mut self, field: &'static str, value: Option<&str>, chosen: bool, why: &str) {
        let present = value.is_some_and(|v| !v.trim().is_empty());
        if chosen && !present {
            self.fail(
                field,
                Rule::ConditionalRequired,
                format!("`{field}` is required when {why}"),
            );
        } else if !chosen && value.is_some() {
            self.fail(
                field,
                Rule::ConditionalExcluded,
                format!("`{field}` must be left out unless {why}"),
            );
        }
    }
}

const LATEST: Date = date!(2038 - 01 - 01);

/// Checks a statement against the database's submission rules; returns every
/// broken rule (empty when the statement is valid).
pub fn validate(statement: &Statement) -> Vec<Violation> {
    let s = statement;
    let mut c = Checker {
        violations: Vec::new(),
    };

    // Decisions: at least one, each from its list.
    if s.decision_visibility.is_empty()
        && s.decision_monetary.is_none()
        && s.decision_provision.is_none()
        && s.decision_account.is_none()
    {
        c.fail(
            "decision_visibility",
            Rule::NoDecision,
            "at least one of decision_visibility, decision_monetary, decision_provision or decision_account is required".into(),
        );
    }
    for value in &s.decision_visibility {
        c.allowed("decision_visibility", value, DECISION_VISIBILITIES);
    }
    let visibility_other = s
        .decision_visibility
        .iter()
        .any(|v| v == "DECISION_VISIBILITY_OTHER");
    c.conditional(
        "decision_visibility_other",
        s.decision_visibility_other.as_deref(),
        visibility_other,
        "decision_visibility includes DECISION_VISIBILITY_OTHER",
    );
    c.max_len(
        "decision_visibility_other",
        s.decision_visibility_other.as_deref(),
        500,
    );
    if let Some(v) = &s.decision_monetary {
        c.allowed("decision_monetary", v, DECISION_MONETARIES);
    }
    c.conditional(
        "decision_monetary_other",
        s.decision_monetary_other.as_deref(),
        s.decision_monetary.as_deref() == Some("DECISION_MONETARY_OTHER"),
        "decision_monetary is DECISION_MONETARY_OTHER",
    );
    c.max_len(
        "decision_monetary_other",
        s.decision_monetary_other.as_deref(),
        500,
    );
    if let Some(v) = &s.decision_provision {
        c.allowed("decision_provision", v, DECISION_PROVISIONS);
    }
    if let Some(v) = &s.decision_account {
        c.allowed("decision_account", v, DECISION_ACCOUNTS);
    }
    if let Some(v) = &s.account_type {
        c.allowed("account_type", v, ACCOUNT_TYPES);
    }

    // Ground and its conditional fields.
    c.required("decision_ground", &s.decision_ground);
    c.allowed("decision_ground", &s.decision_ground, DECISION_GROUNDS);
    c.max_len(
        "decision_ground_reference_url",
        s.decision_ground_reference_url.as_deref(),
        500,
    );
    if let Some(url) = &s.decision_ground_reference_url
        && !(url.starts_with("https://") || url.starts_with("http://"))
    {
        c.fail(
            "decision_ground_reference_url",
            Rule::NotAllowed,
            format!("`{url}` is not an http(s) URL"),
        );
    }
    let illegal = s.decision_ground == "DECISION_GROUND_ILLEGAL_CONTENT";
    let incompatible = s.decision_ground == "DECISION_GROUND_INCOMPATIBLE_CONTENT";
    c.conditional(
        "illegal_content_legal_ground",
        s.illegal_content_legal_ground.as_deref(),
        illegal,
        "decision_ground is DECISION_GROUND_ILLEGAL_CONTENT",
    );
    c.conditional(
        "illegal_content_explanation",
        s.illegal_content_explanation.as_deref(),
        illegal,
        "decision_ground is DECISION_GROUND_ILLEGAL_CONTENT",
    );
    c.conditional(
        "incompatible_content_ground",
        s.incompatible_content_ground.as_deref(),
        incompatible,
        "decision_ground is DECISION_GROUND_INCOMPATIBLE_CONTENT",
    );
    c.conditional(
        "incompatible_content_explanation",
        s.incompatible_content_explanation.as_deref(),
        incompatible,
        "decision_ground is DECISION_GROUND_INCOMPATIBLE_CONTENT",
    );
    if !incompatible && s.incompatible_content_illegal.is_some() {
        c.fail(
            "incompatible_content_illegal",
            Rule::ConditionalExcluded,
            "`incompatible_content_illegal` must be left out unless decision_ground is DECISION_GROUND_INCOMPATIBLE_CONTENT".into(),
        );
    }
    if let Some(v) = &s.incompatible_content_illegal {
        c.allowed("incompatible_content_illegal", v, YES_NO);
    }
    c.max_len(
        "illegal_content_legal_ground",
        s.illegal_content_legal_ground.as_deref(),
        500,
    );
    c.max_len(
        "illegal_content_explanation",
        s.illegal_content_explanation.as_deref(),
        2000,
    );
    c.max_len(
        "incompatible_content_ground",
        s.incompatible_content_ground.as_deref(),
        500,
    );
    c.max_len(
        "incompatible_content_explanation",
        s.incompatible_content_explanation.as_deref(),
        2000,
    );

    // Content type.
    if s.content_type.is_empty() {
        c.fail(
            "content_type",
            Rule::Required,
            "`content_type` needs at least one value".into(),
        );
    }
    for v in &s.content_type {
        c.allowed("content_type", v, CONTENT_TYPES);
    }
    c.conditional(
        "content_type_other",
        s.content_type_other.as_deref(),
        s.content_type.iter().any(|v| v == "CONTENT_TYPE_OTHER"),
        "content_type includes CONTENT_TYPE_OTHER",
    );
    c.max_len("content_type_other", s.content_type_other.as_deref(), 500);

    // Category.
    c.required("category", &s.category);
    c.allowed("category", &s.category, STATEMENT_CATEGORIES);
    for v in &s.category_addition {
        c.allowed("category_addition", v, STATEMENT_CATEGORIES);
    }
    for v in &s.category_specification {
        c.allowed("category_specification", v, KEYWORDS);
    }
    c.max_len(
        "category_specification_other",
        s.category_specification_other.as_deref(),
        500,
    );
    for v in &s.territorial_scope {
        c.allowed(
            "territorial_scope",
            v,
            &crosswatch_model::country::EEA_REPORTING_CODES,
        );
    }

    // Dates.
    c.required("content_date", &s.content_date);
    c.required("application_date", &s.application_date);
    if !s.content_date.is_empty() {
        c.date(
            "content_date",
            Some(&s.content_date),
            Some(date!(2000 - 01 - 01)),
            LATEST,
        );
    }
    if !s.application_date.is_empty() {
        c.date(
            "application_date",
            Some(&s.application_date),
            Some(date!(2020 - 01 - 01)),
            LATEST,
        );
    }
    c.date(
        "end_date_account_restriction",
        s.end_date_account_restriction.as_deref(),
        None,
        LATEST,
    );
    c.date(
        "end_date_visibility_restriction",
        s.end_date_visibility_restriction.as_deref(),
        None,
        LATEST,
    );

    // Facts, source, automation, puid.
    c.required("decision_facts", &s.decision_facts);
    c.max_len("decision_facts", Some(&s.decision_facts), 5000);
    c.required("source_type", &s.source_type);
    c.allowed("source_type", &s.source_type, SOURCE_TYPES);
    if s.source_type == "SOURCE_VOLUNTARY" && s.source_identity.is_some() {
        c.fail(
            "source_identity",
            Rule::ConditionalExcluded,
            "`source_identity` must be left out when source_type is SOURCE_VOLUNTARY".into(),
        );
    }
    c.max_len("source_identity", s.source_identity.as_deref(), 500);
    c.required("automated_detection", &s.automated_detection);
    c.allowed("automated_detection", &s.automated_detection, YES_NO);
    c.required("automated_decision", &s.automated_decision);
    c.allowed(
        "automated_decision",
        &s.automated_decision,
        AUTOMATED_DECISIONS,
    );
    c.required("puid", &s.puid);
    c.max_len("puid", Some(&s.puid), 500);
    if !s
        .puid
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        c.fail(
            "puid",
            Rule::PuidPattern,
            format!(
                "`puid` `{}` may contain only letters A–Z/a–z, digits, `-` and `_`",
                s.puid
            ),
        );
    }
    c.violations
}

/// Settings that are the platform's own, not the action's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DsaOptions {
    /// The terms-of-service clause relied on (`incompatible_content_ground`).
    pub contractual_ground: String,
    /// A public link to that clause, if any.
    pub ground_reference_url: Option<String>,
    /// The `content_type` used for items of content.
    pub content_type_for_content: String,
    /// Only actions taken by this organisation, when set.
    pub org: Option<String>,
}

impl Default for DsaOptions {
    fn default() -> Self {
        DsaOptions {
            contractual_ground: "Inauthentic behaviour policy: coordinated inauthentic behaviour"
                .into(),
            ground_reference_url: None,
            content_type_for_content: "CONTENT_TYPE_TEXT".into(),
            org: None,
        }
    }
}

/// An action (or one of its items) that did not become a statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejected {
    /// The action.
    pub action_id: Uuid,
    /// The item, when the problem is specific to one.
    pub item_id: Option<String>,
    /// Why, in words.
    pub reason: String,
    /// The broken rules, when validation failed.
    pub violations: Vec<Violation>,
}

/// The statements for a period and what could not be turned into one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DsaExport {
    /// Valid statements, each with the action it comes from.
    pub statements: Vec<(Uuid, Statement)>,
    /// Actions or items that could not become a valid statement.
    pub rejected: Vec<Rejected>,
    /// Actions that need no statement (no EEA Member State affected).
    pub skipped: Vec<Uuid>,
}

fn decision_fields(statement: &mut Statement, decision: Decision) {
    match decision {
        Decision::AccountTerminated => {
            statement.decision_account = Some("DECISION_ACCOUNT_TERMINATED".into())
        }
        Decision::AccountSuspended => {
            statement.decision_account = Some("DECISION_ACCOUNT_SUSPENDED".into())
        }
        Decision::ContentRemoved => {
            statement.decision_visibility = vec!["DECISION_VISIBILITY_CONTENT_REMOVED".into()]
        }
        Decision::ContentDisabled => {
            statement.decision_visibility = vec!["DECISION_VISIBILITY_CONTENT_DISABLED".into()]
        }
        Decision::VisibilityReduced => {
            statement.decision_visibility = vec!["DECISION_VISIBILITY_CONTENT_DEMOTED".into()]
        }
        Decision::ContentLabelled => {
            statement.decision_visibility = vec!["DECISION_VISIBILITY_CONTENT_LABELLED".into()]
        }
    }
}

fn content_type_fields(statement: &mut Statement, kind: AssetKind, options: &DsaOptions) {
    if kind == AssetKind::Content {
        statement.content_type = vec![options.content_type_for_content.clone()];
    } else {
        statement.content_type = vec!["CONTENT_TYPE_OTHER".into()];
        let noun = match kind {
            AssetKind::Account => "Account",
            AssetKind::Page => "Page",
            AssetKind::Group => "Group",
            AssetKind::Channel => "Channel",
            AssetKind::Event => "Event",
            AssetKind::AdAccount => "Ad account",
            AssetKind::Content => "Content",
        };
        statement.content_type_other = Some(noun.into());
    }
}

fn facts_for(action: &Action) -> String {
    if !action.facts.trim().is_empty() {
        return action.facts.trim().to_string();
    }
    match &action.prompted_by {
        Some(p) => format!(
            "Part of a coordinated inauthentic behaviour network (\"{}\") identified through cross-platform information sharing ({}); reviewed and actioned under our policy against coordinated inauthentic behaviour.",
            p.incident_name,
            crate::sli::forum_label(&p.hub, p.sharing_group.as_deref())
        ),
        None => "Part of a coordinated inauthentic behaviour network identified by our own investigation; reviewed and actioned under our policy against coordinated inauthentic behaviour.".into(),
    }
}

/// Builds, validates and returns the statements of reasons for the actions
/// taken in `period`. `incidents` supply the content date (first seen) of
/// the network behind an action when known; otherwise the application date is
/// used.
pub fn statements_of_reasons(
    actions: &[Action],
    incidents: &[Incident],
    period: &Period,
    options: &DsaOptions,
) -> DsaExport {
    let mut export = DsaExport::default();
    let mut seen_puids = BTreeSet::new();
    for action in actions {
        if !period.contains(action.taken_at) {
            continue;
        }
        if options.org.as_deref().is_some_and(|o| o != action.platform) {
            continue;
        }
        let scope: Vec<String> = action
            .member_states
            .iter()
            .filter(|c| c.is_eea_reporting())
            .map(|c| c.as_str().to_string())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if scope.is_empty() {
            export.skipped.push(action.id);
            continue;
        }
        if action.item_ids.is_empty() {
            export.rejected.push(Rejected {
                action_id: action.id,
                item_id: None,
                reason: "the action records no item ids, so no statement can carry a puid; record the platform ids of what was actioned".into(),
                violations: Vec::new(),
            });
            continue;
        }
        if (action.item_ids.len() as u64) < action.count {
            export.rejected.push(Rejected {
                action_id: action.id,
                item_id: None,
                reason: format!(
                    "the action counts {} items but records {} item ids; statements were written only for the recorded ids",
                    action.count,
                    action.item_ids.len()
                ),
                violations: Vec::new(),
            });
        }
        let application_date = format_date(action.taken_at.date());
        let content_date = action
            .prompted_by
            .as_ref()
            .and_then(|p| incidents.iter().find(|i| i.id == p.incident_id))
            .and_then(|i| i.first_seen)
            .filter(|first| *first <= action.taken_at)
            .map(|first| format_date(first.date()))
            .unwrap_or_else(|| application_date.clone());
        let mut keywords = vec!["KEYWORD_COORDINATED_HARM".to_string()];
        if matches!(action.kind, AssetKind::Account | AssetKind::AdAccount) {
            keywords.push("KEYWORD_INAUTHENTIC_ACCOUNTS".into());
        }
        let mut template = Statement {
            decision_ground: "DECISION_GROUND_INCOMPATIBLE_CONTENT".into(),
            decision_ground_reference_url: options.ground_reference_url.clone(),
            incompatible_content_ground: Some(options.contractual_ground.clone()),
            incompatible_content_explanation: Some(
                "The item belongs to a network of accounts and assets that coordinated to mislead people about who was behind them and what they were doing, which our terms of service prohibit.".into(),
            ),
            incompatible_content_illegal: Some("No".into()),
            category: CIVIC_DISCOURSE.into(),
            category_specification: keywords,
            territorial_scope: scope,
            content_date,
            application_date,
            decision_facts: facts_for(action),
            source_type: "SOURCE_VOLUNTARY".into(),
            automated_detection: if action.automated_detection { "Yes" } else { "No" }.into(),
            automated_decision: "AUTOMATED_DECISION_NOT_AUTOMATED".into(),
            ..Statement::default()
        };
        decision_fields(&mut template, action.decision);
        content_type_fields(&mut template, action.kind, options);
        for item in &action.item_ids {
            let mut statement = template.clone();
            statement.puid = item.clone();
            let violations = validate(&statement);
            if !violations.is_empty() {
                export.rejected.push(Rejected {
                    action_id: action.id,
                    item_id: Some(item.clone()),
                    reason: violations
                        .iter()
                        .map(|v| v.message.clone())
                        .collect::<Vec<_>>()
                        .join("; "),
                    violations,
                });
                continue;
            }
            if !seen_puids.insert(item.clone()) {
                export.rejected.push(Rejected {
                    action_id: action.id,
                    item_id: Some(item.clone()),
                    reason: "the same puid was already reported in this export".into(),
                    violations: Vec::new(),
                });
                continue;
            }
            export.statements.push((action.id, statement));
        }
    }
    export
}

/// Statements as JSON Lines: each line is one bulk-endpoint body
/// `{"statements": [...]}` of at most [`MAX_BATCH`] statements.
pub fn to_json_lines(statements: &[Statement]) -> Result<String, serde_json::Error> {
    let mut out = String::new();
    for batch in statements.chunks(MAX_BATCH) {
        out.push_str(&serde_json::to_string(
            &serde_json::json!({ "statements": batch }),
        )?);
        out.push('\n');
    }
    Ok(out)
}
