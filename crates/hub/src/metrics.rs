//! Prometheus counters in the text exposition format, written by hand to
//! keep the dependency tree small.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

/// A monotonically increasing counter.
#[derive(Default)]
pub struct Counter(AtomicU64);

impl Counter {
    /// Adds one.
    pub fn inc(&self) {
        self.add(1);
    }
    /// Adds `n`.
    pub fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }
    /// Current value.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// The hub's counters.
#[derive(Default)]
pub struct Metrics {
    /// Responses by status class.
    pub responses_2xx: Counter,
    /// 4xx responses.
    pub responses_4xx: Counter,
    /// 5xx responses.
    pub responses_5xx: Counter,
    /// Objects stored by POSTs.
    pub objects_stored: Counter,
    /// Objects refused by POSTs.
    pub objects_refused: Counter,
    /// Objects returned by reads.
    pub objects_served: Counter,
    /// Rejected tokens.
    pub auth_failures: Counter,
}

impl Metrics {
    /// Records a response status.
    pub fn record_status(&self, status: u16) {
        match status {
            200..=299 => self.responses_2xx.inc(),
            400..=499 => self.responses_4xx.inc(),
            500..=599 => self.responses_5xx.inc(),
            _ => {}
        }
    }

    /// Renders the exposition text.
    pub fn render(&self, latest_seq: i64) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP crosswatch_http_responses_total HTTP responses by status class."
        );
        let _ = writeln!(out, "# TYPE crosswatch_http_responses_total counter");
        for (class, counter) in [
            ("2xx", &self.responses_2xx),
            ("4xx", &self.responses_4xx),
            ("5xx", &self.responses_5xx),
        ] {
            let _ = writeln!(
                out,
                "crosswatch_http_responses_total{{class=\"{class}\"}} {}",
                counter.get()
            );
        }
        for (name, help, counter) in [
            (
                "crosswatch_objects_stored_total",
                "STIX objects stored.",
                &self.objects_stored,
            ),
            (
                "crosswatch_objects_refused_total",
                "STIX objects refused.",
                &self.objects_refused,
            ),
            (
                "crosswatch_objects_served_total",
                "STIX objects returned to readers.",
                &self.objects_served,
            ),
            (
                "crosswatch_auth_failures_total",
                "Requests with an unknown, revoked or expired token.",
                &self.auth_failures,
            ),
        ] {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} counter");
            let _ = writeln!(out, "{name} {}", counter.get());
        }
        let _ = writeln!(
            out,
            "# HELP crosswatch_change_log_sequence Latest change-log sequence number."
        );
        let _ = writeln!(out, "# TYPE crosswatch_change_log_sequence gauge");
        let _ = writeln!(out, "crosswatch_change_log_sequence {latest_seq}");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters() {
        let metrics = Metrics::default();
        metrics.record_status(201);
        metrics.record_status(404);
        metrics.objects_stored.add(3);
        let text = metrics.render(7);
        assert!(text.contains("crosswatch_http_responses_total{class=\"2xx\"} 1"));
        assert!(text.contains("crosswatch_http_responses_total{class=\"4xx\"} 1"));
        assert!(text.contains("crosswatch_objects_stored_total 3"));
        assert!(text.contains("crosswatch_change_log_sequence 7"));
    }
}
