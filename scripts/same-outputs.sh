#!/usr/bin/env bash
# Shows that a change keeps prep's outputs byte for byte: runs two builds of the CLI on the same
# inputs and flags, and compares every output file (manifest.json and report.html without timings).
# Usage: scripts/same-outputs.sh BASE_MAIN_JS NEW_MAIN_JS [INPUT...]
set -euo pipefail
base=$1 new=$2; shift 2
inputs=("$@")
[ ${#inputs[@]} -gt 0 ] || inputs=(fixtures/*.jsonl fixtures/*.json)
flagsets=(
  "--scenario-field scenario"
  "--scenario-field scenario --balance cap:3 --min-per-scenario 2 --val-ratio 0.2 --seed 7"
  "--no-tokens --no-near-dedup --no-leak-split --val-size 2"
)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Timings are the only figures allowed to differ: zero them, then let each build redraw its report.
untime() { node -e '
  const fs = require("fs"); const file = process.argv[1] + "/manifest.json";
  if (!fs.existsSync(file)) process.exit(0);
  const m = JSON.parse(fs.readFileSync(file, "utf8")); m.timings = { totalMs: 0 };
  for (const s of m.stages ?? []) s.ms = 0;
  fs.writeFileSync(file, JSON.stringify(m, null, 2) + "\n");' "$1"; }
differ=0 runs=0
for input in "${inputs[@]}"; do
  # A missing input would make both builds fail alike and "differ" in nothing.
  [ -f "$input" ] || { echo "no such input: $input" >&2; exit 2; }
  for flags in "${flagsets[@]}"; do
    runs=$((runs + 1))
    # shellcheck disable=SC2086
    node "$base" prep "$input" --out "$work/a" -q $flags >/dev/null 2>&1 || true
    # shellcheck disable=SC2086
    node "$new" prep "$input" --out "$work/b" -q $flags >/dev/null 2>&1 || true
    untime "$work/a" && untime "$work/b"
    [ -f "$work/a/manifest.json" ] && node "$base" report "$work/a" >/dev/null 2>&1
    [ -f "$work/b/manifest.json" ] && node "$new" report "$work/b" >/dev/null 2>&1
    for f in $( (ls "$work/a"; ls "$work/b") 2>/dev/null | sort -u); do
      if ! cmp -s "$work/a/$f" "$work/b/$f"; then echo "DIFFERS: $input [$flags] $f"; differ=$((differ + 1)); fi
    done
    rm -rf "$work/a" "$work/b"
  done
done
echo "$runs runs, $differ differing files"
[ "$differ" -eq 0 ]
