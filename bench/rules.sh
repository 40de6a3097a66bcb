#!/usr/bin/env bash
# bench/rules.sh — a big model against the reference (issue 4): replay of
# bench/data/p100k.jsonl with examples/models/buying-cycle.yaml and with
# bench/models/rules200.yaml (200 rules over 30 event types, made by
# bench/models/gen-rules200.sh), interleaved, N runs each (default 5),
# medians and their ratio as a Markdown table on stdout.
#
#   bash bench/rules.sh [--runs N]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs=5
while (($#)); do
  case "$1" in
    --runs) runs=${2:?--runs needs a number}; shift ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/rules.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "bench/rules.sh: --runs must be >= 1" >&2; exit 2; }
leadscore=${LEADSCORE:-build/leadscore}
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"${JOBS:-2}" >build/bench-build.log 2>&1 || { tail -n 30 build/bench-build.log >&2; exit 1; }
data=bench/data/p100k.jsonl
if [[ ! -s $data ]]; then
  mkdir -p bench/data
  build/bench/gen --persons 100000 --seed 1 --out "$data.tmp" && mv "$data.tmp" "$data"
fi
bash bench/models/gen-rules200.sh 2>/dev/null | cmp -s - bench/models/rules200.yaml ||
  { echo "bench/rules.sh: bench/models/rules200.yaml is not what gen-rules200.sh writes" >&2; exit 1; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ref=() big=()
for ((i = 1; i <= runs; i++)); do
  for m in examples/models/buying-cycle.yaml bench/models/rules200.yaml; do
    s=$( { /usr/bin/time -f '%e' "$leadscore" replay -q --model "$m" --out /dev/null "$data"; } 2>&1 | tail -n1)
    printf '%s: %s s\n' "$m" "$s" >&2
    if [[ $m == bench/* ]]; then big+=("$s"); else ref+=("$s"); fi
  done
done
r=$(printf '%s\n' "${ref[@]}" | median)
b=$(printf '%s\n' "${big[@]}" | median)
echo "| model | rules | replay p100k (s, median of $runs) | vs reference |"
echo "|---|---:|---:|---:|"
echo "| buying-cycle.yaml | 13 | $r | 1.00 |"
awk -v r="$r" -v b="$b" 'BEGIN { printf "| rules200.yaml | 200 | %s | %.2f |\n", b, b / r }'
