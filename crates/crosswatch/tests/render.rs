//! The HTML reports and SVG charts that `crosswatch demo` writes, rendered
//! in headless Chromium: every SVG parses, every page shows its charts and
//! tables, and the overview paints more than a blank page.
//!
//! Skips with a visible notice when no Chromium is installed (`.ci/run`
//! installs Debian's `chromium`).

use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> Option<PathBuf> {
    let candidates = ["chromium", "chromium-browser", "google-chrome"];
    std::env::var_os("CROSSWATCH_CHROMIUM")
        .map(PathBuf::from)
        .into_iter()
        .chain(candidates.iter().flat_map(|name| {
            std::env::var_os("PATH")
                .map(|paths| {
                    std::env::split_paths(&paths)
                        .map(|dir| dir.join(name))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        }))
        .find(|path| path.is_file())
}

fn headless(browser: &Path, profile: &Path) -> Command {
    let mut command = Command::new(browser);
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--no-first-run",
    ]);
    command.arg(format!("--user-data-dir={}", profile.display()));
    command
}

/// The DOM Chromium built from `file`.
fn dump_dom(browser: &Path, profile: &Path, file: &Path) -> String {
    let output = headless(browser, profile)
        .arg("--dump-dom")
        .arg(format!("file://{}", file.display()))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn reports_render_in_headless_chromium() {
    let Some(browser) = chromium() else {
        eprintln!(
            "SKIPPED reports_render_in_headless_chromium: no chromium on PATH (apt-get install chromium)"
        );
        return;
    };
    let out = std::env::temp_dir().join(format!("crosswatch-render-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let demo = Command::new(env!("CARGO_BIN_EXE_crosswatch"))
        .args(["demo", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let reports = out.join("reports");
    let profile = out.join("chromium-profile");

    let mut charts = 0;
    for entry in std::fs::read_dir(&reports).unwrap().flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "svg") {
            charts += 1;
            let dom = dump_dom(&browser, &profile, &path);
            assert!(
                !dom.contains("parsererror"),
                "{} does not parse:\n{dom}",
                path.display()
            );
            assert!(
                dom.contains("<rect") || dom.contains("<path") || dom.contains("<polyline"),
                "{} draws nothing",
                path.display()
            );
        }
    }
    assert!(
        charts >= 3,
        "expected the overview's charts as SVG files, found {charts}"
    );

    let overview = dump_dom(&browser, &profile, &reports.join("overview.html"));
    assert!(overview.matches("<svg").count() >= 3, "{overview}");
    assert!(
        overview.contains("France"),
        "the Member State chart should name France"
    );
    let sli = dump_dom(&browser, &profile, &reports.join("sli-16-1-1.html"));
    assert!(sli.contains("<table"), "{sli}");
    assert!(sli.contains("Liechtenstein"), "every EEA row should render");
    let incident = dump_dom(&browser, &profile, &reports.join("incident.html"));
    assert!(incident.contains("Benin"), "{incident}");

    // The overview paints real content, not a blank page.
    let shot = out.join("overview.png");
    let status = headless(&browser, &profile)
        .arg(format!("--screenshot={}", shot.display()))
        .arg("--window-size=1000,760")
        .arg(format!(
            "file://{}",
            reports.join("overview.html").display()
        ))
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut pixels).unwrap();
    let colours: std::collections::HashSet<&[u8]> = pixels[..frame.buffer_size()]
        .chunks(frame.color_type.samples())
        .collect();
    assert!(
        colours.len() > 16,
        "the screenshot has {} colours: a blank page?",
        colours.len()
    );
    if let Ok(keep) = std::env::var("CROSSWATCH_SCREENSHOT_TO") {
        std::fs::copy(&shot, keep).unwrap();
    }
    let _ = std::fs::remove_dir_all(&out);
}
