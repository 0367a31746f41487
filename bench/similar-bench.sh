#!/usr/bin/env bash
# Similar incidents: quality against gen-archive.py's hidden classes, and cost, at several sizes.
#
#   bench/similar-bench.sh [SIZE[:RUNS]...]   (default: 1000 10000 50000:1)
#   RUNS=3 KEEP=1 WORK=/tmp/simbench PMARCHIVE=target/release/pmarchive
#
# For each size: generates `gen-archive.py --count SIZE --seed 42` (kept in $WORK between runs),
# builds it RUNS times with `pmarchive build --verbose` (peak memory from /usr/bin/time), takes
# the median of the `similar` phase (term vectors, candidates, scores, classes) and of the whole
# build, and judges the last build's lists (api/postmortems.json) against the hidden classes
# with bench/similar_eval.py. Writes bench/results/similar.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 50000:1)
RUNS="${RUNS:-3}"
WORK="${WORK:-${TMPDIR:-/tmp}/pmarchive-similar-bench}"
bin_src="${PMARCHIVE:-$repo/target/release/pmarchive}"
gen="$repo/bench/gen-archive.py"
[ -x "$bin_src" ] || { echo "build it first: cargo build --release" >&2; exit 2; }
mkdir -p "$WORK"
bin="$WORK/pmarchive"
cp "$bin_src" "$bin"   # a rebuild of target/ during the run cannot mix two versions
hash=$(sha256sum "$bin" | cut -c1-12)
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
out_md="$repo/bench/results/similar.md"
rows=()
for spec in "${sizes[@]}"; do
  n="${spec%%:*}"
  runs="$RUNS"
  [ "$spec" = "$n" ] || runs="${spec#*:}"
  root="$WORK/archive-$n"
  if [ ! -f "$root/content.classes.tsv" ]; then
    rm -rf "$root"; mkdir -p "$root"
    python3 "$gen" --count "$n" --seed 42 --out "$root/content" --quiet
  fi
  sims=(); walls=(); rss=()
  for ((i = 1; i <= runs; i++)); do
    log="$WORK/build-$n.log"
    /usr/bin/time -f "%e %M" -o "$WORK/time-$n" "$bin" build --root "$root" --output "$WORK/site-$n" \
      --today 2025-11-30 --verbose --quiet > "$log" 2>&1 || { tail -20 "$log"; exit 1; }
    sims+=("$(awk '$1 == "similar" {print $2}' "$log")")
    read -r wall mem < "$WORK/time-$n"
    walls+=("$wall"); rss+=("$mem")
    echo "size $n run $i: similar ${sims[-1]} ms, build ${wall} s, peak ${mem} KB" >&2
  done
  # The pass alone (the build runs the search export beside it on the same cores):
  # `pmarchive similar --timings` analyses the texts and computes every list, nothing else.
  any_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["id"])' "$WORK/site-$n/api/postmortems.json")
  alone=()
  for ((i = 1; i <= runs; i++)); do
    alone+=("$("$bin" similar --root "$root" --timings "$any_id" 2>&1 >/dev/null | sed -n 's/.*similar \([0-9.]*\) ms.*/\1/p')")
    echo "size $n run $i: similar alone ${alone[-1]} ms" >&2
  done
  solo=$(printf '%s\n' "${alone[@]}" | median)
  sim=$(printf '%s\n' "${sims[@]}" | median)
  wall=$(printf '%s\n' "${walls[@]}" | median)
  mem=$(printf '%s\n' "${rss[@]}" | median)
  eval_json=$(python3 "$here/similar_eval.py" "$WORK/site-$n" "$root/content.classes.tsv" --json)
  row=$(python3 - "$n" "$sim" "$wall" "$mem" "$eval_json" "$solo" <<'PY'
import json, sys
n, sim, wall, mem, ev = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), json.loads(sys.argv[5])
solo = float(sys.argv[6])
f = lambda v: "–" if v is None else f"{v:.3f}"
print(f"| {int(n):,} | {solo/1000:.2f} s | {solo/int(n)*1000:.0f} µs | {sim/1000:.2f} s | {wall:.1f} s | {mem/1024:.0f} MB | "
      f"{f(ev['precision_at_5'])} | {f(ev['strict_precision_at_5'])} | {ev['mean_links']:.2f} | "
      f"{ev['classes']:,} | {f(ev['class_purity'])} | {f(ev['class_pair_precision'])} | {f(ev['class_pair_recall'])} |")
PY
)
  rows+=("$row")
  [ -n "${KEEP:-}" ] || rm -rf "$WORK/site-$n"
done
{
  echo "# Similar incidents: quality and cost"
  echo
  echo "\`bench/similar-bench.sh ${sizes[*]}\` (RUNS=$RUNS unless SIZE:RUNS), $(date -u +%Y-%m-%d), pmarchive $hash, $(nproc) cores, load at end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "Archives from \`gen-archive.py --count N --seed 42\`; lists judged against its hidden classes (\`bench/similar_eval.py\`)."
  echo
  echo "| postmortems | similar alone (median) | per postmortem | similar phase in the build | whole build | peak memory | precision@5 | strict precision@5 | links per list | classes | class purity | class pair precision | class pair recall |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  printf '%s\n' "${rows[@]}"
  echo
  echo "- similar alone: \`pmarchive similar --timings\` (the pass over the whole archive with the analysis of its texts, both cores, no index). In the build, the search export runs beside it on the same two cores, so its phase there takes longer while the two together finish sooner."
  echo "- precision@5: of the first five links of each list, the share in the incident's hidden class (lists stop where similarity falls off, so a list may be shorter than five)."
  echo "- strict precision@5: same-class links in the first five over min(5, published class mates): also counts the mates a list should have shown."
  echo "- Reference (from the issue): Hugo's related content, fairest settings: 0.79 at 1,000, 0.61 at 10,000; 29 s for a 10,000 build with related content against 5 s without."
} > "$out_md"
cat "$out_md"
