//! One standalone HTML page with the period at a glance: networks by origin
//! country, actions by Member State, TTP frequency and the monthly time series
//! of shared incidents and actions, as inline SVG.

use std::collections::BTreeMap;

use crosswatch_model::{Action, Incident};

use crate::doc::{self, Block};
use crate::period::Period;
use crate::sli::{country_label, html_page, sli_16_1_1};
use crate::svg::{bar_chart, line_chart};

/// What the overview covers.
#[derive(Debug, Clone, Copy)]
pub struct OverviewInput<'a> {
    /// Page title.
    pub title: &'a str,
    /// The period.
    pub period: Period,
    /// Incidents (those created in the period are charted).
    pub incidents: &'a [Incident],
    /// Actions (those taken in the period are charted).
    pub actions: &'a [Action],
}

fn sorted_bars(map: BTreeMap<String, u64>, limit: usize) -> Vec<(String, u64)> {
    let mut bars: Vec<(String, u64)> = map.into_iter().collect();
    bars.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    bars.truncate(limit);
    bars
}

/// The SVG charts of the overview, in page order.
pub fn overview_charts(input: &OverviewInput<'_>) -> Vec<String> {
    let period = input.period;
    let incidents: Vec<&Incident> = input
        .incidents
        .iter()
        .filter(|i| period.contains(i.created))
        .collect();

    let mut by_origin: BTreeMap<String, u64> = BTreeMap::new();
    for incident in &incidents {
        if incident.origin_countries.is_empty() {
            *by_origin.entry("Unknown".into()).or_insert(0) += 1;
        }
        for origin in &incident.origin_countries {
            *by_origin.entry(country_label(*origin)).or_insert(0) += 1;
        }
    }

    let table = sli_16_1_1(input.actions, &period, None);
    let by_state: Vec<(String, u64)> = table
        .rows
        .iter()
        .filter(|r| r.items > 0)
        .map(|r| (r.label(), r.items))
        .collect();

    let mut by_ttp: BTreeMap<String, u64> = BTreeMap::new();
    for incident in &incidents {
        for technique in &incident.techniques {
            *by_ttp.entry(technique.to_string()).or_insert(0) += 1;
        }
    }

    let months = period.months();
    let labels: Vec<String> = months
        .iter()
        .map(|(y, m)| format!("{y}-{:02}", *m as u8))
        .collect();
    let month_index = |t: time::OffsetDateTime| {
        let t = t.to_offset(time::UtcOffset::UTC);
        months
            .iter()
            .position(|(y, m)| *y == t.year() && *m == t.month())
    };
    let mut shared = vec![0u64; months.len()];
    for incident in &incidents {
        if let Some(i) = month_index(incident.created)
            && let Some(slot) = shared.get_mut(i)
        {
            *slot += 1;
        }
    }
    let mut actioned = vec![0u64; months.len()];
    for action in input.actions.iter().filter(|a| period.contains(a.taken_at)) {
        if let Some(i) = month_index(action.taken_at)
            && let Some(slot) = actioned.get_mut(i)
        {
            *slot += 1;
        }
    }

    vec![
        bar_chart("Networks by origin country", &sorted_bars(by_origin, 20)),
        bar_chart(
            "Items actioned after information sharing, by Member State",
            &by_state,
        ),
        bar_chart("Most frequent TTPs", &sorted_bars(by_ttp, 20)),
        line_chart(
            "Incidents and actions per month",
            &labels,
            &[
                ("Incidents".to_string(), shared),
                ("Actions".to_string(), actioned),
            ],
        ),
    ]
}

/// The overview as a standalone HTML page.
pub fn overview_html(input: &OverviewInput<'_>) -> String {
    let mut blocks = vec![
        Block::Heading(1, input.title.to_string()),
        Block::Para(format!("Period: {}", input.period)),
    ];
    blocks.extend(overview_charts(input).into_iter().map(Block::RawHtml));
    html_page(input.title, &doc::to_html(&blocks))
}
