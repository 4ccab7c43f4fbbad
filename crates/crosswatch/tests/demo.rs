//! `crosswatch demo` end to end: the real binary, hub, store and nodes.

use std::process::Command;

#[test]
fn demo_runs_the_whole_flow_and_counts_every_action() {
    let out = std::env::temp_dir().join(format!("crosswatch-demo-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_crosswatch"))
            .args(["demo", "--out"])
            .arg(&out)
            .output()
            .unwrap()
    };
    let output = run();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Platform B acts on an account, a link, a proxy-IP account and an
    // image; Platform C on a channel and a copied narrative: 3 accounts and
    // 3 items of content, all in France, all prompted by the shared takedown.
    let france = stdout
        .lines()
        .find(|l| l.starts_with("| France |"))
        .unwrap_or_else(|| panic!("no France row in\n{stdout}"));
    assert_eq!(
        france, "| France | 6 | 6 | 3 | 0 | 0 | 0 | 3 | 0 | 6 | 6 |",
        "{stdout}"
    );
    assert!(stdout.contains("Forum: http://127.0.0.1:"));
    assert!(stdout.contains("/ France elections 2027"), "{stdout}");
    for report in [
        "sli-16-1-1.md",
        "sli-16-1-1.csv",
        "sli-16-1-1.html",
        "overview.html",
        "incident.md",
        "dsa-statements.jsonl",
    ] {
        let path = out.join("reports").join(report);
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(!text.is_empty(), "{} is missing or empty", path.display());
    }
    let statements = std::fs::read_to_string(out.join("reports/dsa-statements.jsonl")).unwrap();
    let batch: serde_json::Value =
        serde_json::from_str(statements.lines().next().unwrap()).unwrap();
    assert_eq!(batch["statements"].as_array().unwrap().len(), 6);

    // The QRE reads what Platform B's node received: the incident whole
    // (techniques and targets from the hub's objects) and its forum.
    let qre = Command::new(env!("CARGO_BIN_EXE_crosswatch"))
        .args(["report", "qre", "--period", "2000-01-01..2100-12-31"])
        .args(["--reporter", "Platform B (video sharing)", "--node"])
        .arg(out.join("node-platform-b"))
        .output()
        .unwrap();
    let qre = String::from_utf8_lossy(&qre.stdout);
    assert!(
        qre.contains("Received 1 incident carrying 8 indicators"),
        "{qre}"
    );
    assert!(
        qre.contains("/ France elections 2027 (sharing group)"),
        "{qre}"
    );
    assert!(
        qre.contains("T0007 Create Inauthentic Social Media Pages and Groups: 1 incident"),
        "{qre}"
    );
    assert!(qre.contains("France: 1"), "{qre}");

    // A mistyped organisation is an error naming the ones in the data, not
    // a report of zeros.
    let typo = Command::new(env!("CARGO_BIN_EXE_crosswatch"))
        .args(["report", "sli", "--period", "2000-01-01..2100-12-31"])
        .args(["--org", "Platform Z", "--node"])
        .arg(out.join("node-platform-b"))
        .output()
        .unwrap();
    assert!(!typo.status.success());
    assert!(
        String::from_utf8_lossy(&typo.stderr).contains("Platform B (video sharing)"),
        "{}",
        String::from_utf8_lossy(&typo.stderr)
    );

    // A second run replaces its own earlier output…
    assert!(run().status.success());
    // …but never a directory it did not make.
    std::fs::remove_file(out.join(".crosswatch-demo")).unwrap();
    let refused = run();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not made by `crosswatch demo`"));
    let _ = std::fs::remove_dir_all(&out);
}
