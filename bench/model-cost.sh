#!/usr/bin/env bash
# What the sentence-embedding model (`[similar] model`) costs a build (issue #20, item 4).
#
#   bench/model-cost.sh MODEL_DIR [SIZE...]      (default sizes: 1000 10000)
#   WORK=/tmp/model-cost PMARCHIVE=target/release/pmarchive
#
# MODEL_DIR holds all-MiniLM-L6-v2 (README: "Similar incidents", how to get it). For each size:
# generates `gen-archive.py --count SIZE --seed 42`, then builds it with
# `pmarchive build --verbose` under /usr/bin/time (wall, user+sys CPU, peak RSS):
#   1. without the model (the archive as it is);
#   2. with the model and no cache (.pmarchive-cache removed): the first build;
#   3. with the model again, nothing changed (every embedding from the cache);
#   4. with the model after one edit (one postmortem's title changed): the rebuild after an edit.
# Prints a Markdown table (also written to $WORK/model-cost.md) with the embedded/cached counts
# the build reports. One run each: the first build at 10,000 takes long on two cores.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
model="${1:?usage: bench/model-cost.sh MODEL_DIR [SIZE...]}"
shift
model="$(cd "$model" && pwd)"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)
WORK="${WORK:-${TMPDIR:-/tmp}/pmarchive-model-cost}"
bin_src="${PMARCHIVE:-$repo/target/release/pmarchive}"
[ -x "$bin_src" ] || { echo "build it first: cargo build --release" >&2; exit 2; }
mkdir -p "$WORK"
bin="$WORK/pmarchive"
cp "$bin_src" "$bin"
hash=$(sha256sum "$bin" | cut -c1-12)
out_md="$WORK/model-cost.md"
{
  echo "Model: \`$model\` · pmarchive $hash · $(nproc) cores · load at start: $(cut -d' ' -f1-3 /proc/loadavg) · $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "| postmortems | build | wall s | CPU s | peak RSS MB | embedded (from the cache) |"
  echo "| ---: | --- | ---: | ---: | ---: | --- |"
} > "$out_md"

run() { # size label root
  local n="$1" label="$2" root="$3" log="$WORK/build.log"
  /usr/bin/time -f '%e %U %S %M' -o "$WORK/time" \
    "$bin" build --root "$root" --output "$WORK/out-$n" --today 2025-11-30 --verbose > "$log" 2>&1 \
    || { cat "$log" >&2; exit 1; }
  read -r wall user sys rss < "$WORK/time"
  local cpu emb
  cpu=$(python3 -c "print(f'{$user + $sys:.2f}')")
  emb=$(sed -n 's/.*embedded \([0-9]*\) postmortems (\([0-9]*\) from the cache).*/\1 (\2)/p' "$log" | tail -1)
  echo "| $n | $label | $wall | $cpu | $((rss / 1024)) | ${emb:--} |" | tee -a "$out_md"
}

for n in "${sizes[@]}"; do
  root="$WORK/archive-$n"
  rm -rf "$root"
  mkdir -p "$root"
  python3 "$repo/bench/gen-archive.py" --count "$n" --seed 42 --out "$root/content" --quiet
  run "$n" "without the model" "$root"
  printf '[similar]\nmodel = "%s"\n' "$model" > "$root/pmarchive.toml"
  rm -rf "$root/.pmarchive-cache"
  run "$n" "with the model, first build (no cache)" "$root"
  run "$n" "with the model, nothing changed" "$root"
  edited=$(find "$root/content" -name '*.md' | sort | sed -n "$(( n / 2 ))p")
  sed -i '0,/^title = "/s//title = "Edited: /' "$edited"
  run "$n" "with the model, one postmortem edited" "$root"
done
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out_md"
