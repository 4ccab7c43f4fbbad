//! SLI 16.1.1: actions taken as a result of shared information, by Member
//! State affected, by kind of asset, by sharing forum and by the organisation
//! whose information prompted them.
//!
//! **Counting rule.** An action is *counted* when it was prompted by shared
//! information (`prompted_by` is set), took effect inside the period, was
//! taken by the selected organisation (when one is selected) and affected at
//! least one of the 30 EEA reporting codes. A counted action adds its items to
//! the row of **every** Member State it affected, so country rows may add up
//! to more than the total. The **total row counts each action once**: it is
//! computed over the distinct counted actions, not by summing country rows.
//!
//! Actions from the platform's own detection are never counted; they are
//! reported next to the table (`own_detection`), as are shared-information
//! actions that affected no EEA Member State (`outside_eea`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use crosswatch_model::country::eea_reporting_countries;
use crosswatch_model::{Action, AssetKind, CountryCode};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::escape;
use crate::period::Period;

/// The asset columns the SLI splits actions by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KindColumn {
    /// Accounts (and ad accounts).
    Accounts,
    /// Pages.
    Pages,
    /// Groups.
    Groups,
    /// Channels.
    Channels,
    /// Individual items of content.
    Content,
    /// Anything else (events).
    Other,
}

impl KindColumn {
    /// All columns in table order.
    pub const ALL: [KindColumn; 6] = [
        KindColumn::Accounts,
        KindColumn::Pages,
        KindColumn::Groups,
        KindColumn::Channels,
        KindColumn::Content,
        KindColumn::Other,
    ];

    /// The column an asset kind falls in.
    pub fn of(kind: AssetKind) -> KindColumn {
        match kind {
            AssetKind::Account | AssetKind::AdAccount => KindColumn::Accounts,
            AssetKind::Page => KindColumn::Pages,
            AssetKind::Group => KindColumn::Groups,
            AssetKind::Channel => KindColumn::Channels,
            AssetKind::Content => KindColumn::Content,
            AssetKind::Event => KindColumn::Other,
        }
    }

    /// The key used in cell addresses and JSON (`pages`).
    pub fn key(self) -> &'static str {
        match self {
            KindColumn::Accounts => "accounts",
            KindColumn::Pages => "pages",
            KindColumn::Groups => "groups",
            KindColumn::Channels => "channels",
            KindColumn::Content => "content",
            KindColumn::Other => "other",
        }
    }

    /// The column heading.
    pub fn heading(self) -> &'static str {
        match self {
            KindColumn::Accounts => "Accounts",
            KindColumn::Pages => "Pages",
            KindColumn::Groups => "Groups",
            KindColumn::Channels => "Channels",
            KindColumn::Content => "Items of content",
            KindColumn::Other => "Other assets",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// A row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RowKey {
    /// One of the 30 EEA reporting codes.
    Country(CountryCode),
    /// The total row (each action once).
    Total,
}

/// A column of the table.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Column {
    /// Number of distinct actions.
    Actions,
    /// Number of items actioned (all kinds).
    Items,
    /// Items of one kind.
    Kind(KindColumn),
    /// Items actioned because of information shared in this forum.
    Forum(String),
    /// Items actioned because of information shared by this organisation.
    SourceOrg(String),
}

/// One figure of the table, addressed as `ROW:COLUMN`, e.g. `FR:pages`,
/// `total:actions`, `DE:forum:EU hub / elections`, `IT:source:Meta`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cell {
    /// The row.
    pub row: RowKey,
    /// The column.
    pub column: Column,
}

/// A cell address that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CellError {
    /// No `:` between row and column.
    #[error("cell `{0}` must be ROW:COLUMN, e.g. FR:pages, total:actions or DE:forum:NAME")]
    Shape(String),
    /// The row is neither `total` nor an EEA reporting code.
    #[error(
        "row `{0}` is neither `total` nor one of the 30 EEA reporting codes (AT … SE, IS, LI, NO)"
    )]
    Row(String),
    /// The column is unknown.
    #[error(
        "column `{0}` is unknown; use actions, items, accounts, pages, groups, channels, content, other, forum:NAME or source:NAME"
    )]
    Column(String),
}

impl FromStr for Cell {
    type Err = CellError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (row_text, column_text) = text
            .trim()
            .split_once(':')
            .ok_or_else(|| CellError::Shape(text.to_string()))?;
        let row = if row_text.eq_ignore_ascii_case("total") {
            RowKey::Total
        } else {
            match row_text.parse::<CountryCode>() {
                Ok(code) if code.is_eea_reporting() => RowKey::Country(code),
                _ => return Err(CellError::Row(row_text.to_string())),
            }
        };
        let lower = column_text.to_ascii_lowercase();
        let column = if let Some(name) = column_text
            .strip_prefix("forum:")
            .or_else(|| column_text.strip_prefix("FORUM:"))
        {
            Column::Forum(name.to_string())
        } else if let Some(name) = column_text
            .strip_prefix("source:")
            .or_else(|| column_text.strip_prefix("SOURCE:"))
        {
            Column::SourceOrg(name.to_string())
        } else if lower == "actions" {
            Column::Actions
        } else if lower == "items" {
            Column::Items
        } else if let Some(kind) = KindColumn::ALL.iter().find(|k| k.key() == lower) {
            Column::Kind(*kind)
        } else {
            return Err(CellError::Column(column_text.to_string()));
        };
        Ok(Cell { row, column })
    }
}

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.row {
            RowKey::Country(code) => write!(f, "{code}:")?,
            RowKey::Total => f.write_str("total:")?,
        }
        match &self.column {
            Column::Actions => f.write_str("actions"),
            Column::Items => f.write_str("items"),
            Column::Kind(kind) => f.write_str(kind.key()),
            Column::Forum(name) => write!(f, "forum:{name}"),
            Column::SourceOrg(name) => write!(f, "source:{name}"),
        }
    }
}

/// Counts of actions and the items they covered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Distinct actions.
    pub actions: u64,
    /// Items actioned.
    pub items: u64,
}

impl Tally {
    fn add(&mut self, items: u64) {
        self.actions = self.actions.saturating_add(1);
        self.items = self.items.saturating_add(items);
    }
}

/// The figures of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SliRow {
    /// Which row.
    pub key: RowKey,
    /// Distinct actions.
    pub actions: u64,
    /// Items actioned, all kinds.
    pub items: u64,
    /// Items per kind, indexed like [`KindColumn::ALL`].
    pub by_kind: [u64; 6],
    /// Items per forum.
    pub by_forum: BTreeMap<String, u64>,
    /// Items per source organisation.
    pub by_source: BTreeMap<String, u64>,
}

impl SliRow {
    fn new(key: RowKey) -> SliRow {
        SliRow {
            key,
            actions: 0,
            items: 0,
            by_kind: [0; 6],
            by_forum: BTreeMap::new(),
            by_source: BTreeMap::new(),
        }
    }

    fn add(&mut self, counted: &CountedAction) {
        self.actions = self.actions.saturating_add(1);
        self.items = self.items.saturating_add(counted.items);
        let slot = &mut self.by_kind[counted.kind.index()];
        *slot = slot.saturating_add(counted.items);
        add_to(&mut self.by_forum, &counted.forum, counted.items);
        add_to(&mut self.by_source, &counted.source, counted.items);
    }

    /// The figure in one column of this row.
    pub fn value(&self, column: &Column) -> u64 {
        match column {
            Column::Actions => self.actions,
            Column::Items => self.items,
            Column::Kind(kind) => self.by_kind[kind.index()],
            Column::Forum(name) => self.by_forum.get(name).copied().unwrap_or(0),
            Column::SourceOrg(name) => self.by_source.get(name).copied().unwrap_or(0),
        }
    }

    /// The row label: the country's name, or `Total`.
    pub fn label(&self) -> String {
        match self.key {
            RowKey::Country(code) => country_label(code),
            RowKey::Total => "Total".to_string(),
        }
    }
}

/// Adds to a per-name figure without allocating when the name is known.
fn add_to(map: &mut BTreeMap<String, u64>, name: &str, items: u64) {
    match map.get_mut(name) {
        Some(value) => *value = value.saturating_add(items),
        None => {
            map.insert(name.to_string(), items);
        }
    }
}

/// A country's English name, falling back to its code.
pub(crate) fn country_label(code: CountryCode) -> String {
    let name = code.name();
    if name.is_empty() {
        code.as_str().to_string()
    } else {
        name.to_string()
    }
}

/// One action the SLI counts, with what it contributes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CountedAction {
    /// The action's id.
    pub action_id: Uuid,
    /// The incident that prompted it.
    pub incident_id: Uuid,
    /// That incident's name.
    pub incident_name: String,
    /// Its asset column.
    pub kind: KindColumn,
    /// Items actioned.
    pub items: u64,
    /// The EEA Member States it affected (distinct, sorted).
    pub member_states: Vec<CountryCode>,
    /// The forum the information was shared in.
    pub forum: String,
    /// The organisation that shared it.
    pub source: String,
}

impl CountedAction {
    fn contributes_to(&self, cell: &Cell) -> bool {
        let in_row = match cell.row {
            RowKey::Total => true,
            RowKey::Country(code) => self.member_states.contains(&code),
        };
        in_row
            && match &cell.column {
                Column::Actions | Column::Items => true,
                Column::Kind(kind) => *kind == self.kind,
                Column::Forum(name) => *name == self.forum,
                Column::SourceOrg(name) => *name == self.source,
            }
    }
}

/// The forum label of a provenance: `hub / sharing group`, or the hub alone.
pub fn forum_label(hub: &str, sharing_group: Option<&str>) -> String {
    match sharing_group {
        Some(group) if !group.trim().is_empty() => format!("{hub} / {group}"),
        _ => hub.to_string(),
    }
}

/// The label used when the sharing organisation is not recorded.
pub const UNKNOWN_SOURCE: &str = "(not recorded)";

/// The SLI 16.1.1 table for one period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SliTable {
    /// The period covered.
    pub period: Period,
    /// The acting organisation the table is limited to, if any.
    pub org: Option<String>,
    /// One row per EEA reporting code, in the EU's order.
    pub rows: Vec<SliRow>,
    /// The total row: each counted action once.
    pub total: SliRow,
    /// Forums seen, sorted (the forum columns).
    pub forums: Vec<String>,
    /// Source organisations seen, sorted (the source columns).
    pub sources: Vec<String>,
    /// Actions from own detection in the period (not counted).
    pub own_detection: Tally,
    /// Actions from shared information that affected no EEA Member State (not counted).
    pub outside_eea: Tally,
    /// The actions behind the figures.
    pub counted: Vec<CountedAction>,
}

/// Builds the SLI 16.1.1 table for `period`, optionally limited to actions
/// taken by `org` (the acting platform).
pub fn sli_16_1_1(actions: &[Action], period: &Period, org: Option<&str>) -> SliTable {
    let mut own_detection = Tally::default();
    let mut outside_eea = Tally::default();
    let mut counted = Vec::new();
    let mut seen = BTreeSet::new();
    for action in actions {
        if !period.contains(action.taken_at) {
            continue;
        }
        if org.is_some_and(|org| action.platform != org) {
            continue;
        }
        // The same action listed twice is still one action.
        if !seen.insert(action.id) {
            continue;
        }
        let Some(provenance) = &action.prompted_by else {
            own_detection.add(action.count);
            continue;
        };
        let member_states: Vec<CountryCode> = action
            .member_states
            .iter()
            .filter(|c| c.is_eea_reporting())
            .copied()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if member_states.is_empty() {
            outside_eea.add(action.count);
            continue;
        }
        counted.push(CountedAction {
            action_id: action.id,
            incident_id: provenance.incident_id,
            incident_name: provenance.incident_name.clone(),
            kind: KindColumn::of(action.kind),
            items: action.count,
            member_states,
            forum: forum_label(&provenance.hub, provenance.sharing_group.as_deref()),
            source: provenance
                .source_org
                .clone()
                .filter(|s| !s.trim().is_empty())
                .unwrap_or_else(|| UNKNOWN_SOURCE.to_string()),
        });
    }

    let mut rows: Vec<SliRow> = eea_reporting_countries()
        .map(|code| SliRow::new(RowKey::Country(code)))
        .collect();
    let mut total = SliRow::new(RowKey::Total);
    for action in &counted {
        total.add(action);
        for state in &action.member_states {
            if let Some(row) = rows.iter_mut().find(|r| r.key == RowKey::Country(*state)) {
                row.add(action);
            }
        }
    }
    let forums: Vec<String> = counted
        .iter()
        .map(|c| c.forum.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let sources: Vec<String> = counted
        .iter()
        .map(|c| c.source.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    SliTable {
        period: *period,
        org: org.map(str::to_string),
        rows,
        total,
        forums,
        sources,
        own_detection,
        outside_eea,
        counted,
    }
}

/// A cell together with the actions behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// The cell, as its address.
    pub cell: String,
    /// The figure in the cell.
    pub value: u64,
    /// The actions that make up the figure.
    pub actions: Vec<CountedAction>,
}

impl SliTable {
    /// The row for a key.
    pub fn row(&self, key: RowKey) -> Option<&SliRow> {
        match key {
            RowKey::Total => Some(&self.total),
            RowKey::Country(_) => self.rows.iter().find(|r| r.key == key),
        }
    }

    /// The figure in a cell (0 for rows that are not EEA codes).
    pub fn value(&self, cell: &Cell) -> u64 {
        self.row(cell.row)
            .map(|row| row.value(&cell.column))
            .unwrap_or(0)
    }

    /// The actions behind a cell. For the `actions` column the figure is
    /// their number; for every other column it is the sum of their items.
    pub fn explain(&self, cell: &Cell) -> Explanation {
        Explanation {
            cell: cell.to_string(),
            value: self.value(cell),
            actions: self
                .counted
                .iter()
                .filter(|c| c.contributes_to(cell))
                .cloned()
                .collect(),
        }
    }

    /// Every column in table order.
    pub fn columns(&self) -> Vec<Column> {
        let mut columns = vec![Column::Actions, Column::Items];
        columns.extend(KindColumn::ALL.iter().map(|k| Column::Kind(*k)));
        columns.extend(self.forums.iter().cloned().map(Column::Forum));
        columns.extend(self.sources.iter().cloned().map(Column::SourceOrg));
        columns
    }

    /// The header row: `["Country", …metrics]`.
    pub fn header(&self) -> Vec<String> {
        std::iter::once("Country".to_string())
            .chain(self.columns().iter().map(column_heading))
            .collect()
    }

    /// Header, the 30 country rows and the total row, as text cells.
    pub fn grid(&self) -> Vec<Vec<String>> {
        let columns = self.columns();
        let mut grid = vec![self.header()];
        for row in self.rows.iter().chain(std::iter::once(&self.total)) {
            let mut line = vec![row.label()];
            line.extend(columns.iter().map(|c| row.value(c).to_string()));
            grid.push(line);
        }
        grid
    }

    /// The table as JSON, with the counting rule and the uncounted actions.
    pub fn to_json(&self) -> Value {
        let columns = self.columns();
        let row_json = |row: &SliRow| {
            let mut object = serde_json::Map::new();
            match row.key {
                RowKey::Country(code) => {
                    object.insert("country".into(), json!(code.as_str()));
                    object.insert("name".into(), json!(row.label()));
                }
                RowKey::Total => {
                    object.insert("country".into(), json!("TOTAL"));
                    object.insert("name".into(), json!("Total"));
                }
            }
            object.insert("actions".into(), json!(row.actions));
            object.insert("items".into(), json!(row.items));
            let kinds: serde_json::Map<String, Value> = KindColumn::ALL
                .iter()
                .map(|k| (k.key().to_string(), json!(row.by_kind[k.index()])))
                .collect();
            object.insert("by_kind".into(), Value::Object(kinds));
            object.insert("by_forum".into(), json!(row.by_forum));
            object.insert("by_source_org".into(), json!(row.by_source));
            Value::Object(object)
        };
        json!({
            "indicator": "SLI 16.1.1",
            "title": "Number of actions taken as a result of the collaboration and information sharing, by Member State affected",
            "period": self.period,
            "org": self.org,
            "columns": columns.iter().map(column_heading).collect::<Vec<_>>(),
            "rows": self.rows.iter().map(row_json).collect::<Vec<_>>(),
            "total": row_json(&self.total),
            "counting_rule": COUNTING_RULE,
            "not_counted": {
                "own_detection": self.own_detection,
                "outside_eea": self.outside_eea,
            },
        })
    }

    /// The table as CSV (header, 30 countries, total).
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        for line in self.grid() {
            let fields: Vec<String> = line.iter().map(|f| escape::csv_field(f)).collect();
            out.push_str(&fields.join(","));
            out.push_str("\r\n");
        }
        out
    }

    /// The table as a Markdown section.
    pub fn to_markdown(&self) -> String {
        let mut out = format!(
            "## SLI 16.1.1 — actions taken as a result of information sharing\n\nPeriod: {}{}\n\n",
            escape::markdown(&self.period.to_string()),
            self.org
                .as_deref()
                .map(|o| format!(" · Organisation: {}", escape::markdown(o)))
                .unwrap_or_default()
        );
        out.push_str(&markdown_table(&self.grid()));
        out.push('\n');
        out.push_str(&self.notes_text(escape::markdown));
        out
    }

    /// The table as a standalone HTML page.
    pub fn to_html(&self) -> String {
        let mut body = format!(
            "<h1>SLI 16.1.1 — actions taken as a result of information sharing</h1>\n<p>Period: {}{}</p>\n",
            escape::html(&self.period.to_string()),
            self.org
                .as_deref()
                .map(|o| format!(" · Organisation: {}", escape::html(o)))
                .unwrap_or_default()
        );
        body.push_str(&html_table(&self.grid()));
        for line in self.notes_text(escape::html).lines() {
            body.push_str(&format!("<p>{line}</p>\n"));
        }
        html_page("SLI 16.1.1", &body)
    }

    fn notes_text(&self, esc: fn(&str) -> String) -> String {
        format!(
            "{}\n\nNot counted: {} actions ({} items) from own detection; {} actions ({} items) prompted by shared information that affected no EEA Member State.\n",
            esc(COUNTING_RULE),
            self.own_detection.actions,
            self.own_detection.items,
            self.outside_eea.actions,
            self.outside_eea.items
        )
    }
}

/// The counting rule printed under every rendering.
pub const COUNTING_RULE: &str = "An action affecting several Member States is counted in each of their rows; the Total row counts each action once, so it can be lower than the sum of the country rows.";

fn column_heading(column: &Column) -> String {
    match column {
        Column::Actions => "Actions".to_string(),
        Column::Items => "Items actioned".to_string(),
        Column::Kind(kind) => kind.heading().to_string(),
        Column::Forum(name) => format!("Forum: {name}"),
        Column::SourceOrg(name) => format!("Shared by: {name}"),
    }
}

/// Renders a grid (first line = header) as a Markdown table.
pub(crate) fn markdown_table(grid: &[Vec<String>]) -> String {
    let mut out = String::new();
    for (i, line) in grid.iter().enumerate() {
        let cells: Vec<String> = line.iter().map(|c| escape::markdown(c)).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
        if i == 0 {
            out.push_str(&format!("|{}\n", " --- |".repeat(line.len())));
        }
    }
    out
}

/// Renders a grid (first line = header) as an HTML table.
pub(crate) fn html_table(grid: &[Vec<String>]) -> String {
    let mut out = String::from("<table>\n");
    for (i, line) in grid.iter().enumerate() {
        let tag = if i == 0 { "th" } else { "td" };
        out.push_str("<tr>");
        for cell in line {
            out.push_str(&format!("<{tag}>{}</{tag}>", escape::html(cell)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    out
}

/// Wraps a body in a standalone HTML page with a small inline stylesheet.
pub(crate) fn html_page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\nbody{{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}}\ntable{{border-collapse:collapse;margin:1rem 0}}\nth,td{{border:1px solid #bbb;padding:.25rem .5rem;text-align:right}}\nth:first-child,td:first-child{{text-align:left}}\nth{{background:#eef}}\ncode{{background:#f4f4f4}}\n</style>\n</head>\n<body>\n{}</body>\n</html>\n",
        escape::html(title),
        body
    )
}
