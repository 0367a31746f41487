#!/usr/bin/env python3
"""Where a built site's bytes are (issue #22: the whole site under 350 MB at 10,000 postmortems).

    python3 bench/site-size.py SITE [OTHER_SITE]

Prints, for one built site or two side by side (say main's and a branch's build of the same
archive): the total as `du -sb` counts it (file bytes plus each directory's own size: a page
is a folder with an index.html, and on ext4 each folder is 4 KB), the files' bytes alone (what
a static host stores, and the output size of bench/results/build.md), then bytes and files per
top-level folder and per kind of page (postmortem pages, listings, recurring classes, the action
register...), and what an average postmortem page spends on each of its parts (head, site
header, details, contents, body, similar incidents, action tracker...). Standard library only.
"""
import os
import re
import sys

# Where a postmortem page's parts start, in page order (each runs to the next one found).
PARTS = [
    ("head", "<!DOCTYPE"),
    ("site header", "<body"),
    ("title, summary, recurrence", "<article"),
    ("details", '<section class="pm-meta"'),
    ("contents", '<nav class="toc"'),
    ("body", '<div class="prose pm-body">'),
    ("similar incidents", '<section class="similar"'),
    ("action tracker", '<section class="tracker"'),
    ("footer", "<footer"),
]


def kind(rel):
    """The kind of page or file at `rel` (relative to the site)."""
    top = rel.split("/", 1)[0]
    if top == "postmortems":
        return "listing: all" if rel.startswith("postmortems/page/") or rel == "postmortems/index.html" else "postmortem pages"
    if top in ("years", "severities", "tags", "services", "teams", "factors"):
        if rel.endswith(".xml"):
            return "feeds"
        return f"listing: {top}"
    if top == "recurring":
        return "recurring classes"
    if top == "actions":
        return "action register"
    if top in ("api", "search", "static", "insights"):
        return top
    return "other"


def measure(site):
    tops, kinds, dirs = {}, {}, 0
    parts = {name: 0 for name, _ in PARTS}
    pages = 0
    for folder, subdirs, files in os.walk(site):
        rel_dir = os.path.relpath(folder, site)
        size = os.lstat(folder).st_size
        dirs += size
        top = rel_dir.split("/", 1)[0] if rel_dir != "." else "."
        b, n = tops.get(top, (0, 0))
        tops[top] = (b + size, n)
        for f in files:
            path = os.path.join(folder, f)
            rel = os.path.relpath(path, site)
            size = os.lstat(path).st_size
            top = rel.split("/", 1)[0] if "/" in rel else "(root files)"
            b, n = tops.get(top, (0, 0))
            tops[top] = (b + size, n + 1)
            k = kind(rel)
            b, n = kinds.get(k, (0, 0))
            kinds[k] = (b + size, n + 1)
            if k == "postmortem pages" and f == "index.html":
                pages += 1
                text = open(path, encoding="utf-8").read()
                found = [(text.find(mark), name) for name, mark in PARTS if text.find(mark) >= 0]
                found.sort()
                for i, (at, name) in enumerate(found):
                    end = found[i + 1][0] if i + 1 < len(found) else len(text)
                    parts[name] += end - at
    total = sum(b for b, _ in tops.values())
    return {"total": total, "dirs": dirs, "tops": tops, "kinds": kinds, "parts": parts, "pages": pages}


def mb(b):
    return f"{b / 1e6:,.1f}"


def main():
    sites = sys.argv[1:]
    if not 1 <= len(sites) <= 2 or any(not os.path.isdir(s) for s in sites):
        sys.exit(__doc__)
    got = [measure(s) for s in sites]
    names = [os.path.basename(os.path.normpath(s)) for s in sites]
    head = " | ".join(names)
    print(f"# Site size: {head}\n")
    print("| | " + " | ".join(f"{n} MB" for n in names) + " |")
    print("| --- |" + " ---: |" * len(names))
    print("| total (du -sb) | " + " | ".join(mb(g["total"]) for g in got) + " |")
    print("| of which folders' own size | " + " | ".join(mb(g["dirs"]) for g in got) + " |")
    # The files alone: what a static host stores and serves (an object store has no folders),
    # and the "output MB" of bench/results/build.md (and of the 775 MB at 10,000).
    print("| the files' bytes | " + " | ".join(mb(g["total"] - g["dirs"]) for g in got) + " |")
    for title, key in (("top-level folder", "tops"), ("kind of file", "kinds")):
        keys = sorted({k for g in got for k in g[key]}, key=lambda k: -max(g[key].get(k, (0, 0))[0] for g in got))
        print(f"\n| {title} | " + " | ".join(f"{n} MB (files)" for n in names) + " |")
        print("| --- |" + " ---: |" * len(names))
        for k in keys:
            cells = [f"{mb(g[key].get(k, (0, 0))[0])} ({g[key].get(k, (0, 0))[1]:,})" for g in got]
            print(f"| {k} | " + " | ".join(cells) + " |")
    print("\n| postmortem page, average bytes | " + " | ".join(names) + " |")
    print("| --- |" + " ---: |" * len(names))
    for name, _ in PARTS + [("whole page", None)]:
        cells = []
        for g in got:
            n = max(g["pages"], 1)
            v = sum(g["parts"].values()) if name == "whole page" else g["parts"][name]
            cells.append(f"{v / n:,.0f}")
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
