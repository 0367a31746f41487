#!/usr/bin/env bash
# Whole-site build: pmarchive against Hugo on the same generated archives (issue #9).
#
#   bench/build-bench.sh [--counts 1000,10000,50000] [--runs 3] [--skip-hugo] [--hugo-related]
#                        [--keep] [--pmarchive PATH] [--work DIR]
#
# For each count: generates `gen-archive.py --count N --seed 42`, then builds it --runs times with
# `pmarchive build --today 2025-11-30 --quiet` and, in the same round, with Hugo (a minimal site
# this script writes: the same taxonomies, cheap templates) and, with --hugo-related, Hugo with
# related content. Each build gets a fresh output folder and is measured by /usr/bin/time (wall,
# user, sys, peak RSS); outputs are counted (files, bytes) and moved aside, and deleted only
# when every build is done (in the background, never timed): on ext4 without a journal, files
# created within minutes of a large deletion are much slower to create. Before each build the
# disk is synced (untimed), so no build pays for writing back what the one before it wrote
# (or what setting up the round wrote); each archive is read once before its first build, so
# every build finds it in the page cache. Writes
# bench/results/build.md (medians, min-max, ratios, goals) and prints it. See bench/README.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"

counts="1000,10000,50000"
runs=3
skip_hugo=""
hugo_related=""
keep=""
pm_src="$repo/target/release/pmarchive"
work_arg=""
usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --counts) counts="$2"; shift 2 ;;
    --counts=*) counts="${1#*=}"; shift ;;
    --runs) runs="$2"; shift 2 ;;
    --runs=*) runs="${1#*=}"; shift ;;
    --skip-hugo) skip_hugo=1; shift ;;
    --hugo-related) hugo_related=1; shift ;;
    --keep) keep=1; shift ;;
    --pmarchive) pm_src="$2"; shift 2 ;;
    --pmarchive=*) pm_src="${1#*=}"; shift ;;
    --work) work_arg="$2"; shift 2 ;;
    --work=*) work_arg="${1#*=}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "--runs: a positive integer" >&2; exit 2; }
IFS=, read -r -a count_list <<< "$counts"
for n in "${count_list[@]}"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "--counts: comma-separated positive integers, not '$n'" >&2; exit 2; }
done
[ -z "$skip_hugo" ] || [ -z "$hugo_related" ] || { echo "--hugo-related needs Hugo (drop --skip-hugo)" >&2; exit 2; }

# --- prerequisites: nothing is installed here, only explained -------------------------------
gen="$repo/bench/gen-archive.py"
[ -x "$pm_src" ] || { echo "no pmarchive binary at $pm_src: cargo build --release (or --pmarchive PATH)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs GNU time at /usr/bin/time: apt-get install time" >&2; exit 2; }
command -v python3 > /dev/null || { echo "needs python3" >&2; exit 2; }
hugo_version=""
if [ -z "$skip_hugo" ]; then
  if ! command -v hugo > /dev/null || ! hugo_version="$(hugo version 2>&1)"; then
    echo "Hugo is missing or does not run ('hugo version' failed)." >&2
    echo "Install Debian's package:  sudo apt-get install hugo   (or run with --skip-hugo)" >&2
    exit 2
  fi
fi

# --- work folder ------------------------------------------------------------------------------
if [ -n "$work_arg" ]; then
  work="$work_arg"; mkdir -p "$work"; keep=1   # a named folder is kept (corpora are reused)
else
  base="${TMPDIR:-/tmp}"
  if [ "$(stat -f -c %T "$base" 2> /dev/null)" = tmpfs ]; then
    echo "warning: $base is a tmpfs: outputs would sit in memory; use --work DIR on a disk" >&2
  fi
  work="$(mktemp -d "$base/pmarchive-build-bench.XXXXXX")"
fi
work="$(cd "$work" && pwd)"
mkdir -p "$work/trash"
# Outputs are moved aside, not deleted, until every build is done: ext4 without a journal (this
# machine's disk) checks, for each inode it allocates, whether that inode was freed within the
# last minute (five while its table block is unwritten) and skips it if so. A build just after
# deleting a site of the same size paid seconds of kernel CPU for that (measured at 10,000
# postmortems: 2.6-7 s of system time against 1 s on tmpfs), and so would whichever tool
# followed a deletion here.
discard() {  # move an output aside at once (a rename: nothing is freed)
  local dir="$1" dest
  [ -e "$dir" ] || return 0
  dest="$(mktemp -d "$work/trash/x.XXXXXX")"
  mv "$dir" "$dest/"
}
# The same holds between runs of this script: the next run waits until the last one's deletion
# is over and six minutes old (measured here: builds at 10,000 postmortems started 2-5 minutes
# after such a deletion spent 3.3-6 s of system time, six minutes after it 1.9-2.1 s).
deleted_mark="${TMPDIR:-/tmp}/pmarchive-build-bench.deleted"
wait_for_deletions() {
  local pid when now left said=""
  while [ -f "$deleted_mark" ] && read -r pid when < "$deleted_mark" 2> /dev/null; do
    now="$(date +%s)"
    if [ "$pid" != done ] && kill -0 "$pid" 2> /dev/null; then
      [ -n "$said" ] || echo "waiting for an earlier run's outputs to be deleted (pid $pid)" >&2
      said=1; sleep 5; continue
    fi
    [ "$pid" = done ] || when="$(stat -c %Y "$deleted_mark")"
    left=$(( when + 360 - now ))
    [ "$left" -gt 0 ] || break
    echo "waiting ${left} s: files freed within minutes make ext4 slow to create new ones" >&2
    sleep "$left"
    break
  done
}
delete_in_background() {  # DIR: at idle priority; marks when it is done for the next run
  ( nice -n 19 ionice -c3 rm -rf "$1" > /dev/null 2>&1; echo "done $(date +%s)" > "$deleted_mark" ) &
  echo "$! $(date +%s)" > "$deleted_mark"
}
cleanup() {  # never waits for deletions: at idle I/O priority on a busy machine they take minutes
  local rc=$?
  if [ -z "$keep" ]; then
    delete_in_background "$work"
    echo "deleting $work in the background" >&2
  else
    delete_in_background "$work/trash"
    echo "kept $work (the outputs in $work/trash are being deleted in the background)" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
wait_for_deletions

bin="$work/pmarchive"
cp "$pm_src" "$bin"   # a rebuild of target/ during the run cannot mix two versions
pm_sha="$(sha256sum "$bin" | cut -d' ' -f1)"
load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
started="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "work: $work; pmarchive ${pm_sha:0:12}; $(nproc) cores; load $load_start" >&2

# --- the Hugo site: the same taxonomies, templates as cheap as the comparison allows ------------
hugo_minor=0
if [ -n "$hugo_version" ]; then
  hugo_minor="$(sed -n 's/^hugo v0\.\([0-9]*\).*/\1/p' <<< "$hugo_version")"
  hugo_minor="${hugo_minor:-999}"
fi
write_hugo_site() {  # SITE: config, related config, layouts (content is added per count)
  local site="$1"
  mkdir -p "$site/layouts/_default"
  {
    echo 'baseURL = "http://example.org/"'
    echo 'title = "Postmortems (Hugo build bench)"'
    echo 'buildFuture = true            # Hugo has no --today: build every dated postmortem'
    echo 'disableKinds = ["sitemap", "robotsTXT"]   # pmarchive writes neither'
    echo 'relativeURLs = true           # as pmarchive: every link relative'
    if [ "$hugo_minor" -ge 128 ]; then
      printf '[pagination]\npagerSize = 50                # listings of 50, as pmarchive\n'
    else
      echo 'paginate = 50                 # listings of 50, as pmarchive'
    fi
    cat << 'EOF'

# pmarchive's archives: factor themes, services, teams, tags, severities. A Hugo taxonomy reads
# the front-matter key named by its plural, so the factors taxonomy is `contributing_factors`
# (also its URL) and `severity` (a string, not a list) is a taxonomy of one term per page.
[taxonomies]
factor = "contributing_factors"
service = "services"
team = "teams"
tag = "tags"
severity = "severity"

[permalinks]
postmortems = "/postmortems/:filename/"   # as pmarchive: postmortems/<id>/

[services.rss]
limit = 50                                # as pmarchive's feeds: 50 newest

[markup.highlight]
noClasses = false                         # CSS classes, as pmarchive's syntax.css
EOF
  } > "$site/hugo.toml"
  cat > "$site/related.toml" << 'EOF'
# --hugo-related: the same taxonomies as related-content indices, weighted like pmarchive's
# similar incidents (factors, then services, then tags), five links a page.
[params]
related = true

[related]
includeNewer = true
threshold = 80
toLower = false
[[related.indices]]
name = "contributing_factors"
weight = 100
[[related.indices]]
name = "services"
weight = 40
[[related.indices]]
name = "tags"
weight = 20
[[related.indices]]
name = "teams"
weight = 20
[[related.indices]]
name = "severity"
weight = 10
EOF
  cat > "$site/layouts/_default/baseof.html" << 'EOF'
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} · {{ .Site.Title }}</title></head>
<body><header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main></body></html>
EOF
  cat > "$site/layouts/_default/single.html" << 'EOF'
{{ define "main" }}<article class="postmortem">
<h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "January 2, 2006" }}</time> · {{ .Params.severity }}</p>
<p class="lede">{{ .Params.summary }}</p>
{{ range $tax, $_ := .Site.Taxonomies }}{{ with $.GetTerms $tax }}<p>{{ $tax }}: {{ range . }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}</p>{{ end }}{{ end }}
{{ .Content }}
{{ if .Site.Params.related }}{{ with first 5 (.Site.RegularPages.Related .) }}<section class="similar"><h2>Similar incidents</h2><ul>{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></section>{{ end }}{{ end }}
</article>{{ end }}
EOF
  cat > "$site/layouts/_default/list.html" << 'EOF'
{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Paginator.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time>{{ .Date.Format "2006-01-02" }}</time> {{ .Params.severity }}<br>{{ .Params.summary }}</li>{{ end }}</ul>
{{ with .Paginator.Prev }}<a href="{{ .URL }}">Previous</a>{{ end }} {{ with .Paginator.Next }}<a href="{{ .URL }}">Next</a>{{ end }}{{ end }}
EOF
  cp "$site/layouts/_default/list.html" "$site/layouts/_default/term.html"
  cat > "$site/layouts/_default/taxonomy.html" << 'EOF'
{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.ByCount }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.LinkTitle }}</a> ({{ .Count }})</li>{{ end }}</ul>{{ end }}
EOF
  cat > "$site/layouts/index.html" << 'EOF'
{{ define "main" }}<h1>{{ .Site.Title }}</h1>
<ul>{{ range first 10 .Site.RegularPages.ByDate.Reverse }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time>{{ .Date.Format "2006-01-02" }}</time> {{ .Params.severity }}</li>{{ end }}</ul>
<ul>{{ range $tax, $_ := .Site.Taxonomies }}<li><a href="{{ (print "/" $tax "/") | relURL }}">{{ $tax }}</a> ({{ len $_ }})</li>{{ end }}</ul>{{ end }}
EOF
}

# --- one measured build -------------------------------------------------------------------------
raw="$work/runs.tsv"
printf 'count\ttool\trun\twall_s\tuser_s\tsys_s\tmax_rss_kb\tfile_bytes\tdu_bytes\tfiles\tpostmortem_pages\tstatus\n' > "$raw"
failures=0
measure() {  # N TOOL RUN OUT CMD...: time CMD, check and count OUT, append a row, discard OUT
  local n="$1" tool="$2" run="$3" out="$4"; shift 4
  local log="$work/log-$tool-$n-$run" tfile="$work/time-$tool-$n-$run"
  local rc=0 wall user sys rss
  # Untimed: the previous build's output (685 MB at 10,000 postmortems) is still being written
  # to disk, and that writeback takes the cores and the file system's locks from whichever tool
  # runs next. Each build starts from a quiet disk.
  sync
  /usr/bin/time -f '%e %U %S %M' -o "$tfile" "$@" > "$log" 2>&1 || rc=$?
  read -r wall user sys rss < <(tail -n 1 "$tfile")
  if [ "$rc" -ne 0 ]; then
    # Recorded and reported (an out-of-memory kill at 50,000 is a result too); the run goes on
    # and the script exits 1 at the end.
    local why="exit $rc"
    grep -q '^Command terminated by signal' "$tfile" && why="$(sed -n 's/^Command terminated by //p' "$tfile")"
    echo "FAILED: $tool, $n postmortems, run $run ($why, peak $(( rss / 1024 )) MB): $*" >&2
    tail -n 20 "$log" >&2
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t0\t0\t0\t0\t%s\n' "$n" "$tool" "$run" "$wall" "$user" "$sys" "$rss" "$why" >> "$raw"
    failures=$((failures + 1)); keep=1
    discard "$out"
    return 0
  fi
  # Postmortem pages: both write postmortems/<id>/index.html (postmortems/page/N/ are listings).
  local pages
  pages=$(find "$out/postmortems" -mindepth 2 -maxdepth 2 -name index.html -printf . 2> /dev/null | wc -c)
  if [ "$pages" -ne "$n" ]; then
    echo "FAILED: $tool rendered $pages postmortem pages out of $n ($out/postmortems/<id>/index.html)." >&2
    echo "Missing, first 10:" >&2
    comm -23 <(find "$work/archive-$n/content" -name '*.md' -printf '%f\n' | sed 's/\.md$//' | sort) \
      <(find "$out/postmortems" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2> /dev/null | sort) | head -10 >&2
    [ -s "$log" ] && { echo "--- $tool output:" >&2; tail -n 30 "$log" >&2; }
    keep=1
    exit 1
  fi
  local sizes
  sizes=$(find "$out" -printf '%y %s\n' | awk '$1 == "f" {fb += $2; nf++} {all += $2} END {printf "%.0f %.0f %d", fb, all, nf}')
  local fbytes dbytes files
  read -r fbytes dbytes files <<< "$sizes"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\tok\n' "$n" "$tool" "$run" "$wall" "$user" "$sys" "$rss" \
    "$fbytes" "$dbytes" "$files" "$pages" >> "$raw"
  if [ "$tool" != pmarchive ] && grep -qE '^(WARN|ERROR)' "$log"; then
    echo "  $tool printed warnings (see $log):" >&2
    grep -E '^(WARN|ERROR)' "$log" | sort | uniq -c | head -5 >&2
    keep=1
  fi
  awk -v t="$tool" -v n="$n" -v r="$run" -v w="$wall" -v u="$user" -v s="$sys" -v m="$rss" -v b="$fbytes" -v f="$files" \
    'BEGIN {printf "  %-12s %6d postmortems, run %d: %7.2f s wall, %7.2f s CPU, %6.0f MB peak, %7.1f MB in %d files\n", t, n, r, w, u + s, m / 1024, b / 1048576, f}' >&2
  discard "$out"
}

# --- the rounds ---------------------------------------------------------------------------------
for n in "${count_list[@]}"; do
  root="$work/archive-$n"
  if [ -f "$root/content.classes.tsv" ] \
      && [ "$(find "$root/content" -name '*.md' -printf . | wc -c)" -eq "$n" ]; then
    echo "corpus $n: reusing $root" >&2
  else
    rm -rf "$root"; mkdir -p "$root"
    echo "corpus $n: generating (gen-archive.py --count $n --seed 42)" >&2
    python3 "$gen" --count "$n" --seed 42 --out "$root/content" --quiet
  fi
  if [ -z "$skip_hugo" ]; then
    site="$work/hugo-$n"
    discard "$site"
    write_hugo_site "$site"
    mkdir -p "$site/content"
    # Hard links (the same files, no copy) when the work folder allows, else a copy.
    cp -al "$root/content" "$site/content/postmortems" 2> /dev/null \
      || { rm -rf "$site/content/postmortems"; cp -r "$root/content" "$site/content/postmortems"; }
  fi
  # Read once, untimed: the first tool of the first round would otherwise read the archive
  # from disk and the others from the page cache (380 MB at 50,000 postmortems).
  find "$root/content" -type f -exec cat {} + > /dev/null
  # Each round builds once with every tool, so a change of load hits them alike.
  for ((i = 1; i <= runs; i++)); do
    out="$work/out-pmarchive-$n-$i"
    measure "$n" pmarchive "$i" "$out" \
      "$bin" build --root "$root" --output "$out" --today 2025-11-30 --quiet
    if [ -z "$skip_hugo" ]; then
      out="$work/out-hugo-$n-$i"
      measure "$n" hugo "$i" "$out" \
        hugo --quiet --source "$site" --config "$site/hugo.toml" --destination "$out"
      if [ -n "$hugo_related" ]; then
        out="$work/out-hugo-related-$n-$i"
        measure "$n" hugo-related "$i" "$out" \
          hugo --quiet --source "$site" --config "$site/hugo.toml,$site/related.toml" --destination "$out"
      fi
    fi
  done
done

# --- the report ----------------------------------------------------------------------------------
cmdline="bench/build-bench.sh --counts $counts --runs $runs${skip_hugo:+ --skip-hugo}${hugo_related:+ --hugo-related}"
mkdir -p "$repo/bench/results"
python3 "$here/build_report.py" "$raw" \
  --command "$cmdline" \
  --started "$started" \
  --pmarchive-sha256 "$pm_sha" \
  --pmarchive-path "$pm_src" \
  --repo-head "$(git -C "$repo" rev-parse --short HEAD 2> /dev/null || echo unknown)" \
  --hugo-version "${hugo_version:-not run}" \
  --nproc "$(nproc)" \
  --cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" \
  --mem-kb "$(awk '/^MemTotal/ {print $2}' /proc/meminfo)" \
  --load "$load_start|$(cut -d' ' -f1-3 /proc/loadavg)" \
  > "$repo/bench/results/build.md"
cat "$repo/bench/results/build.md"
[ "$failures" -eq 0 ] || { echo "$failures build(s) failed: see the report and the logs in $work" >&2; exit 1; }
