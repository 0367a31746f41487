#!/usr/bin/env bash
# Where a build's time goes: one `pmarchive build` of a generated archive under `perf record`
# (CPU-clock samples with DWARF call stacks), summarised by phase and by library.
#
#   bench/profile.sh [--count 10000] [--freq 499] [--pmarchive PATH] [--work DIR]
#
# Generates `gen-archive.py --count N --seed 42` into the work folder (reused when it is there),
# reads it once (untimed), builds it into a fresh output folder (on /dev/shm when it exists,
# so the profile shows the build, not the disk), then writes bench/results/profile.md and
# prints it. Needs perf (`apt-get install linux-perf`) and python3. See bench/README.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"

count=10000
freq=499
pm="$repo/target/release/pmarchive"
work=""
usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --count) count="$2"; shift 2 ;;
    --freq) freq="$2"; shift 2 ;;
    --pmarchive) pm="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
done
[[ "$count" =~ ^[1-9][0-9]*$ ]] || { echo "--count: a positive integer" >&2; exit 2; }
[[ "$freq" =~ ^[1-9][0-9]*$ ]] || { echo "--freq: a positive integer" >&2; exit 2; }
gen="$repo/bench/gen-archive.py"
[ -x "$pm" ] || { echo "no pmarchive binary at $pm: cargo build --release (or --pmarchive PATH)" >&2; exit 2; }
command -v perf > /dev/null || { echo "needs perf: apt-get install linux-perf" >&2; exit 2; }
command -v python3 > /dev/null || { echo "needs python3" >&2; exit 2; }

if [ -z "$work" ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
root="$work/archive-$count"
if [ ! -f "$root/content.classes.tsv" ]; then
  rm -rf "$root"
  echo "generating $count postmortems (gen-archive.py --seed 42)" >&2
  python3 "$gen" --count "$count" --seed 42 --out "$root/content" --quiet
fi
find "$root/content" -type f -exec cat {} + > /dev/null
out_base="$work"
[ -d /dev/shm ] && [ -w /dev/shm ] && out_base="/dev/shm"
out="$(mktemp -d "$out_base/pmarchive-profile.XXXXXX")"
rm -rf "$out"
data="$work/perf.data"
sync
echo "profiling: pmarchive build of $count postmortems, $freq samples/s per core" >&2
start=$(date +%s.%N)
perf record -q -e cpu-clock -F "$freq" --call-graph dwarf,32768 -o "$data" \
  "$pm" build --root "$root" --output "$out" --today 2025-11-30 --quiet > /dev/null
end=$(date +%s.%N)
rm -rf "$out"
wall=$(python3 -c "print(f'{$end - $start:.2f}')")
# --no-inline: one frame per function (resolving inlined frames takes minutes).
perf script --no-inline -i "$data" 2> /dev/null \
  | python3 "$here/profile_report.py" --freq "$freq" --count "$count" --wall "$wall" \
      --binary "$pm" --commit "$(git -C "$repo" rev-parse --short HEAD 2> /dev/null || echo '?')" \
  > "$here/results/profile.md"
cat "$here/results/profile.md"
