//! Nothing injected runs (issue #8): script payloads in every value that reaches a page or the
//! search UI (titles, summaries, services, teams, authors, factors, tags, severities, action
//! items, impact keys, headings, timeline, code blocks, raw HTML, link URLs, the configuration's
//! titles) and in search queries. Every page and feed is loaded in headless Chromium, the search
//! UI is used, and a `pmarchive serve` page with a payload in its error overlay and warnings is
//! loaded too: no payload may run and no executable markup may reach the DOM
//! (`tests/node/inject-test.mjs`).

use std::process::Command;
use std::time::{Duration, Instant};

use crate::browser::browser_ready;
use crate::harness::{repo, Site};
use crate::serve::{get, start};

/// Payloads; `{t}` is replaced by a tag naming where the payload was put.
const PAYLOADS: &[&str] = &[
    "<script>pwn('{t}-script')</script>",
    "<img src=x onerror=pwn('{t}-img')>",
    "\"><svg onload=pwn('{t}-dq')>",
    "'><svg onload=pwn('{t}-sq')>",
    "</script><script>pwn('{t}-close')</script>",
    "</title><script>pwn('{t}-title')</script>",
    "]]><script>pwn('{t}-cdata')</script>",
    "{{ 7*7 }}{% raw %}${pwn('{t}-tpl')}",
    "javascript:pwn('{t}-js')",
];

/// Every payload for one place, joined (TOML basic-string escaped).
fn all(tag: &str) -> String {
    let text = PAYLOADS
        .iter()
        .map(|p| p.replace("{t}", tag))
        .collect::<Vec<_>>()
        .join(" ");
    toml_escape(&format!("{text} pwnable"))
}

fn toml_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn list(tag: &str) -> String {
    let items: Vec<String> = PAYLOADS
        .iter()
        .map(|p| format!("\"{}\"", toml_escape(&p.replace("{t}", tag))))
        .collect();
    format!("[{}]", items.join(", "))
}

const BODY: &str = r#"
Preamble <script>pwn('body-script')</script> and <img src=x onerror=pwn('body-img')> pwnable.

## Summary

<svg onload=pwn('body-svg')></svg> <details open ontoggle=pwn('body-toggle')>x</details>
<iframe src="javascript:pwn('body-iframe')"></iframe><object data="javascript:pwn('body-object')"></object>
<a href="&#106;avascript:pwn('body-entity')">entity link</a> <a href="JaVaScRiPt:pwn('body-case')">case</a>
<form action="javascript:pwn('body-form')"><button formaction="javascript:pwn('body-formaction')">go</button></form>
<input autofocus onfocus=pwn('body-focus')> <math><mtext><table><mglyph><style><img src=x onerror=pwn('body-mxss')></style></mglyph></table></mtext></math>
<style>@import 'javascript:pwn(1)';</style><base href="javascript:pwn('body-base')//">
<meta http-equiv="refresh" content="0;url=javascript:pwn('body-meta')">

[md link](javascript:pwn('md-link')) [md upper](JAVASCRIPT:pwn('md-upper')) <javascript:pwn('md-auto')>
[md data](data:text/html,<script>pwn('md-data')</script>) [md vb](vbscript:pwn('md-vb'))
![md image](javascript:pwn('md-image')) [md title](https://example.com/ "\"><img src=x onerror=pwn('md-title')>")

## Timeline

- 10:00 UTC: <img src=x onerror=pwn('timeline')> resolver fails pwnable.
- 10:05 UTC: Alert `<script>pwn('timeline-code')</script>` fires.

## <img src=x onerror=pwn('heading')> Root cause

Text `</script><script>pwn('inline-code')</script>`.

```html
<script>pwn('code-html')</script>
```

```"><script>pwn('code-lang')</script>
<img src=x onerror=pwn('code-unknown')>
```

    <script>pwn('code-indented')</script>

## Action items

See the tracker.
"#;

fn doc(n: usize, date: &str, refs: &str) -> String {
    format!(
        r#"+++
title = "{title}"
date = {date}T10:00:00Z
severity = "{severity}"
summary = "{summary}"
services = ["checkout", "{service}"]
teams = {teams}
authors = {authors}
contributing_factors = ["dns", "{factor}"]
tags = {tags}
source_url = "javascript:pwn('source-url')"
{refs}
"{warn}" = 1

[timing]
detected = {date}T10:05:00Z
mitigated = {date}T10:30:00Z

[impact]
"{impact}" = 5

[[action_items]]
id = "{ai_id}"
title = "{ai_title}"
owner = "{ai_owner}"
due = 2025-03-20
status = "open"
kind = "{ai_kind}"
priority = "{ai_priority}"
+++
{BODY}"#,
        title = all(&format!("title{n}")),
        severity = toml_escape(SEVERITY),
        summary = all(&format!("summary{n}")),
        service = toml_escape(&PAYLOADS[1].replace("{t}", "service")),
        teams = list("team"),
        authors = list("author"),
        factor = toml_escape(&PAYLOADS[1].replace("{t}", "factor")),
        tags = list("tag"),
        warn = toml_escape("</script><img src=x onerror=pwn('warning')>"),
        impact = toml_escape(&PAYLOADS[1].replace("{t}", "impact")),
        ai_id = toml_escape(&PAYLOADS[2].replace("{t}", "ai-id")),
        ai_title = all("ai-title"),
        ai_owner = toml_escape(&PAYLOADS[1].replace("{t}", "ai-owner")),
        ai_kind = toml_escape(&PAYLOADS[3].replace("{t}", "ai-kind")),
        ai_priority = toml_escape(&PAYLOADS[0].replace("{t}", "ai-priority")),
    )
}

const SEVERITY: &str = "SEV1 <img src=x onerror=pwn('severity')>";

fn config() -> String {
    format!(
        r#"title = "{title}"
description = "{description}"
severities = ["{severity}", "SEV2"]

[factors.themes.dns]
title = "{factor_title}"
description = "{factor_description}"
"#,
        title = all("site-title"),
        description = all("site-description"),
        severity = toml_escape(SEVERITY),
        factor_title = all("theme-title"),
        factor_description = all("theme-description"),
    )
}

fn payload_site() -> Site {
    let site = Site::empty();
    site.write("pmarchive.toml", &config());
    site.write(
        "content/2025-01-10-first.md",
        &doc(1, "2025-01-10", "near_miss = true"),
    );
    site.write(
        "content/2025-02-10-second.md",
        &doc(
            2,
            "2025-02-10",
            "recurrence_of = [\"2025-01-10-first\"]\nsimilar_pinned = [\"2025-01-10-first\"]",
        ),
    );
    site.write(
        "content/2025-03-10-third.md",
        &doc(3, "2025-03-10", "recurrence_of = [\"2025-02-10-second\"]"),
    );
    site
}

/// Static checks of the built page: payloads shown as (escaped) text, not dropped; template
/// syntax printed as written, never evaluated; raw HTML and `javascript:` links gone.
fn static_problems(built: &crate::harness::Built) -> Vec<String> {
    let page = built.text("postmortems/2025-01-10-first/index.html");
    let mut problems = Vec::new();
    if !page.contains("&lt;img src=x onerror=pwn(&#x27;title1-img&#x27;)&gt;") {
        problems.push("the title payload is not shown as escaped text".to_string());
    }
    if !page.contains("{{ 7*7 }}{% raw %}") {
        problems.push("template syntax is not shown as written".into());
    }
    for raw in [
        "<img src=x",
        "<script>pwn",
        "<svg onload",
        "<iframe",
        "<details open ontoggle",
        "href=\"javascript:",
    ] {
        if page.contains(raw) {
            problems.push(format!("{raw} reached the page unescaped"));
        }
    }
    problems
}

#[test]
fn injected_markup_is_shown_as_text_and_never_runs_in_chromium() {
    let site = payload_site();
    let built = site.build_ok(&[]);
    let problems = static_problems(&built);
    if !browser_ready() {
        assert!(problems.is_empty(), "{problems:?}");
        return;
    }
    // Served copies: one with a payload in a page's warnings, one with a payload in the error
    // overlay (an error hides the warnings).
    let warned = payload_site();
    let warned_server = start(&warned, &[]);
    let served = payload_site();
    let server = start(&served, &[]);
    let port = server.port;
    let broken = "+++\ntitle = \"x\"\ndate = 2025-04-01\nseverity = \"</script><script>pwn('overlay')</script>\"\n+++\n";
    let started = Instant::now();
    // Written again until seen: the watcher may start after the address is printed.
    while !get(port, "/__pmarchive/status").1.contains("overlay") {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "serve never reported the broken file"
        );
        served.write("content/2025-04-01-broken.md", broken);
        std::thread::sleep(Duration::from_millis(500));
    }
    let out = Command::new("node")
        .arg(repo().join("tests/node/inject-test.mjs"))
        .arg(site.root().join("public"))
        .arg(format!("http://127.0.0.1:{port}/"))
        .arg(format!(
            "http://127.0.0.1:{port}/postmortems/2025-01-10-first/"
        ))
        .arg(format!(
            "http://127.0.0.1:{}/postmortems/2025-01-10-first/",
            warned_server.port
        ))
        .output()
        .expect("node runs");
    drop(server);
    drop(warned_server);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && report.contains("\"ok\": true"),
        "in Chromium:\n{report}\n{}\nstatic checks: {problems:?}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(problems.is_empty(), "{problems:?}");
}
