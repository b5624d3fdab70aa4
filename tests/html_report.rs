//! `report --format html` and `--format markdown` on the demo: the HTML is
//! parsed (it is well-formed XML by design) and checked for its parts, for
//! self-containment and for escaping, then rendered in headless Chromium
//! when one is installed.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{copy_tree, fixture, run};

/// A copy of the demo in a temp dir, so the report and its links live there.
fn demo_copy() -> (tempfile::TempDir, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let demo = temp.path().join("demo");
    copy_tree(&fixture("demo"), &demo);
    (temp, demo)
}

fn html_report(project: &Path, extra: &[&str]) -> String {
    let mut args = vec![
        "report",
        "--format",
        "html",
        "--output",
        "report.html",
        "--no-cache",
    ];
    args.extend_from_slice(extra);
    let output = run(project, &args);
    assert_eq!(output.code, Some(0), "{}", output.stderr);
    assert!(output.stdout.is_empty(), "the report goes to --output only");
    std::fs::read_to_string(project.join("report.html")).expect("report.html written")
}

fn parse(html: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse_with_options(
        html,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .unwrap_or_else(|error| panic!("the report is not well-formed: {error}"))
}

fn has_class(node: &roxmltree::Node<'_, '_>, class: &str) -> bool {
    node.attribute("class")
        .is_some_and(|classes| classes.split_whitespace().any(|c| c == class))
}

fn text_of(node: &roxmltree::Node<'_, '_>) -> String {
    node.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect()
}

fn section<'a, 'input>(
    document: &'a roxmltree::Document<'input>,
    id: &str,
) -> roxmltree::Node<'a, 'input> {
    document
        .descendants()
        .find(|node| node.has_tag_name("section") && node.attribute("id") == Some(id))
        .unwrap_or_else(|| panic!("no section#{id}"))
}

/// Nothing is loaded from anywhere: no script, stylesheet link, frame,
/// image or font from a URL.
fn assert_self_contained(html: &str, document: &roxmltree::Document<'_>) {
    assert!(!html.contains("<script"), "no script at all");
    for node in document.descendants().filter(|n| n.is_element()) {
        let tag = node.tag_name().name();
        assert!(
            !matches!(
                tag,
                "script" | "link" | "iframe" | "object" | "embed" | "img" | "base"
            ),
            "unexpected <{tag}>"
        );
        for attribute in node.attributes() {
            let value = attribute.value().trim().to_ascii_lowercase();
            assert!(
                !value.starts_with("http:")
                    && !value.starts_with("https:")
                    && !value.starts_with("//")
                    && !value.starts_with("javascript:"),
                "<{tag} {}=\"{value}\"> loads or runs something",
                attribute.name()
            );
        }
        if tag == "style" {
            let css = text_of(&node);
            assert!(
                !css.contains("url(") && !css.contains("@import"),
                "CSS loads nothing"
            );
        }
    }
    assert!(!html.contains("http://") && !html.contains("https://"));
}

#[test]
fn demo_html_report_structure() {
    let (_temp, demo) = demo_copy();
    let html = html_report(&demo, &[]);
    let document = parse(&html);
    assert_self_contained(&html, &document);
    assert_eq!(document.root_element().tag_name().name(), "html");

    // Headline counts.
    let summary = text_of(&section(&document, "summary"));
    for headline in [
        "4 websocket-manager definition files, 27 violations in 18 files (14 fixable)",
        "2 config-loader definition files, 5 violations in 4 files (2 fixable)",
        "total: 6 definition files, 32 violations in 20 files (16 fixable)",
    ] {
        assert!(summary.contains(headline), "missing headline {headline:?}");
    }

    // One section per concept, each with exactly one counts table.
    let concepts: Vec<_> = document
        .descendants()
        .filter(|n| n.has_tag_name("section") && has_class(n, "concept"))
        .collect();
    assert_eq!(concepts.len(), 2);
    for (concept, name) in concepts.iter().zip(["websocket-manager", "config-loader"]) {
        let heading = concept
            .descendants()
            .find(|n| n.has_tag_name("h2"))
            .map(|n| text_of(&n));
        assert_eq!(heading.as_deref(), Some(name));
        let tables: Vec<_> = concept
            .descendants()
            .filter(|n| n.has_tag_name("table") && has_class(n, "counts"))
            .collect();
        assert_eq!(tables.len(), 1, "one counts table for {name}");
        let table = text_of(&tables[0]);
        for expected in [
            "SSOT001",
            "SSOT002",
            "SSOT003",
            "definition files",
            "compliance",
        ] {
            assert!(table.contains(expected), "{name}: no {expected}");
        }
    }
    let websocket = text_of(&concepts[0]);
    assert!(websocket.contains("38.46%"), "websocket-manager compliance");

    // Violations per directory: an inline SVG bar per directory.
    let directories = section(&document, "directories");
    let chart = directories
        .descendants()
        .find(|n| n.has_tag_name("svg"))
        .expect("an inline svg chart");
    let bars = chart
        .descendants()
        .filter(|n| n.has_tag_name("rect"))
        .count();
    assert_eq!(bars, 7, "seven directories hold violations");
    assert!(text_of(&chart).contains("netra_backend/app/websocket_core"));

    // The rewrite plan.
    let plan = text_of(&section(&document, "plan"));
    assert!(
        plan.contains("12 safe, 4 unsafe edits in 12 files"),
        "{plan}"
    );
    assert!(plan.contains("+ from netra_backend.app.websocket_core.unified_manager import"));

    // Findings link to their file and line, relative to the report.
    let hrefs: Vec<&str> = document
        .descendants()
        .filter_map(|n| n.attribute("href"))
        .collect();
    assert!(hrefs.contains(&"netra_backend/app/main.py#L6"), "{hrefs:?}");
    let line_links: Vec<&&str> = hrefs.iter().filter(|href| href.contains("#L")).collect();
    assert!(line_links.len() >= 33, "every violation links to its line");
    for href in hrefs.iter().filter(|href| !href.starts_with('#')) {
        let file = href.split('#').next().unwrap();
        assert!(demo.join(file).is_file(), "{href} points at no file");
    }
    // No trend without --history.
    assert!(!html.contains("id=\"trend\""));
}

#[test]
fn links_are_relative_to_the_output_file() {
    let (temp, demo) = demo_copy();
    let output = run(
        &demo,
        &[
            "report",
            "--format",
            "html",
            "--output",
            "../out/report.html",
            "--no-cache",
        ],
    );
    // The output directory does not exist: an I/O error, exit 2.
    assert_eq!(output.code, Some(2), "{}", output.stderr);
    std::fs::create_dir(temp.path().join("out")).unwrap();
    let output = run(
        &demo,
        &[
            "report",
            "--format",
            "html",
            "--output",
            "../out/report.html",
            "--no-cache",
        ],
    );
    assert_eq!(output.code, Some(0), "{}", output.stderr);
    let html = std::fs::read_to_string(temp.path().join("out/report.html")).unwrap();
    assert!(html.contains("href=\"../demo/netra_backend/app/main.py#L6\""));
}

#[test]
fn code_base_text_is_escaped() {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path();
    std::fs::write(
        root.join("rules.toml"),
        "[settings]\nsrc = [\".\"]\n\n[[concept]]\nname = \"m<x>&'q\\\"\"\ncanonical = \"pkg.core:Manager\"\nsymbols = [\"Manager\"]\nlegacy_modules = [\"pkg.old\"]\n",
    )
    .unwrap();
    let weird = root.join("we<ird&\"dir");
    std::fs::create_dir_all(root.join("pkg")).unwrap();
    std::fs::create_dir_all(&weird).unwrap();
    std::fs::write(root.join("pkg/__init__.py"), "").unwrap();
    std::fs::write(root.join("pkg/core.py"), "class Manager:\n    pass\n").unwrap();
    std::fs::write(
        weird.join("use.py"),
        "from pkg.old import Manager  # </pre><script>alert(1)</script>\n",
    )
    .unwrap();
    let html = html_report(root, &[]);
    let document = parse(&html);
    assert_self_contained(&html, &document);
    let text = text_of(&document.root());
    assert!(text.contains("m<x>&'q\""), "the concept name round-trips");
    assert!(text.contains("we<ird&\"dir/use.py"), "the path round-trips");
    assert!(
        document
            .descendants()
            .filter_map(|n| n.attribute("href"))
            .any(|href| href == "we%3Cird%26%22dir/use.py#L1"),
        "hrefs are percent-encoded"
    );
}

#[test]
fn history_needs_a_document_format() {
    let output = run(
        &fixture("demo"),
        &["report", "--format", "json", "--history", "--no-cache"],
    );
    assert_eq!(output.code, Some(2));
    assert!(output.stderr.contains("--history"), "{}", output.stderr);
}

fn git(dir: &Path, args: &[&str]) -> bool {
    Command::new("git")
        .args(["-c", "user.name=T", "-c", "user.email=t@example.com"])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_DATE", "2024-02-01T10:00:00+00:00")
        .env("GIT_COMMITTER_DATE", "2024-02-01T10:00:00+00:00")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

#[test]
fn html_and_markdown_with_history() {
    if !support::require_tool("git", "apt-get install git") {
        return;
    }
    let (_temp, demo) = demo_copy();
    assert!(git(&demo, &["init", "-q"]));
    assert!(git(&demo, &["add", "-A"]));
    assert!(git(&demo, &["commit", "-q", "-m", "The demo <service>"]));
    let html = html_report(&demo, &["--history"]);
    let document = parse(&html);
    assert_self_contained(&html, &document);
    let trend = section(&document, "trend");
    let chart = trend
        .descendants()
        .find(|n| n.has_tag_name("svg"))
        .expect("a trend chart");
    assert_eq!(
        chart
            .descendants()
            .filter(|n| n.has_tag_name("circle"))
            .count(),
        2,
        "one point per concept for the one commit"
    );
    assert!(text_of(&trend).contains("The demo <service>"));

    let markdown = run(
        &demo,
        &["report", "--format", "markdown", "--history", "--no-cache"],
    );
    assert_eq!(markdown.code, Some(0), "{}", markdown.stderr);
    // The commit id depends on the demo's bytes: mask it.
    let stdout: String = markdown
        .stdout
        .lines()
        .map(|line| match line.split_once(" | 2024-02-01 |") {
            Some((_, rest)) => format!("| `<commit>` | 2024-02-01 |{rest}\n"),
            None => format!("{line}\n"),
        })
        .collect();
    insta::assert_snapshot!("demo_report_markdown", stdout);
}

/// Chromium, when installed: `/usr/bin/chromium` or `chromium` on PATH.
fn chromium() -> Option<PathBuf> {
    let fixed = PathBuf::from("/usr/bin/chromium");
    if fixed.is_file() {
        return Some(fixed);
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
            .find(|path| path.is_file())
    })
}

#[test]
fn renders_in_headless_chromium() {
    let Some(browser) = chromium() else {
        support::tool_missing("chromium", "apt-get install chromium");
        return;
    };
    let (temp, demo) = demo_copy();
    html_report(&demo, &[]);
    let report = demo.join("report.html");
    let shot = temp.path().join("shot.png");
    let profile = temp.path().join("profile");
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1280,2000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", report.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = child.wait_with_output().unwrap();
    let log = String::from_utf8_lossy(&output.stderr);
    let png =
        std::fs::read(&shot).unwrap_or_else(|_| panic!("no screenshot; chromium said:\n{log}"));
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    // IHDR: width and height, big-endian, at bytes 16..24.
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert_eq!((width, height), (1280, 2000));
    assert!(png.len() > 20_000, "a blank page compresses to far less");
    for line in log.lines() {
        let console = line.contains("CONSOLE") && line.contains("report.html");
        assert!(
            !line.contains("Uncaught") && !line.contains("ERROR:CONSOLE") && !console,
            "page error: {line}"
        );
    }
}
