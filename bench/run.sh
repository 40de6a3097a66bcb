#!/usr/bin/env bash
# bench/run.sh — replay throughput on generated inputs (see bench/README.md).
#
#   bash bench/run.sh [--quick] [--runs N]
#
# Builds the Release tree (build/), generates bench/data/p100k.jsonl and
# bench/data/p1m.jsonl with build/bench/gen if they are missing, then times
# `wc -l` and `leadscore replay --model examples/models/buying-cycle.yaml FILE
# --out /dev/null` (N runs each, default 3; the median is reported) and prints
# a Markdown table on stdout. Progress goes to stderr.
#   --quick   the 100k-person input only
#   --runs N  runs per measurement (default 3)
# Environment: LEADSCORE (default build/leadscore), JOBS (build parallelism),
# BENCH_TIMEOUT (seconds per replay run, default 1800; exit 124 = timed out).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

quick=0
runs=3
while (($#)); do
  case "$1" in
    --quick) quick=1 ;;
    --runs) runs=${2:?--runs needs a number}; shift ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "bench/run.sh: --runs must be >= 1" >&2; exit 2; }

model=examples/models/buying-cycle.yaml
leadscore=${LEADSCORE:-build/leadscore}
gen=build/bench/gen
seed=1
timer=/usr/bin/time
limit=${BENCH_TIMEOUT:-1800}  # seconds per replay run

log() { printf '%s\n' "$*" >&2; }

if [[ ! -x $timer ]]; then
  log "bench/run.sh: $timer is missing; run scripts/setup.sh (Debian package 'time')"
  exit 1
fi

log "== building (Release, build/)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
if ! cmake --build build -j"${JOBS:-2}" >build/bench-build.log 2>&1; then
  log "bench/run.sh: the build failed (build/bench-build.log):"
  tail -n 30 build/bench-build.log >&2
  exit 1
fi
[[ -x $gen ]] || { log "bench/run.sh: $gen was not built"; exit 1; }

inputs=(p100k:100000)
((quick)) || inputs+=(p1m:1000000)

mkdir -p bench/data
for spec in "${inputs[@]}"; do
  name=${spec%%:*} persons=${spec##*:}
  file=bench/data/$name.jsonl
  if [[ ! -s $file ]]; then
    log "== generating $file ($persons persons, seed $seed)"
    tfile=$(mktemp)
    if ! "$timer" -f '%e %M' -o "$tfile" "$gen" --persons "$persons" \
        --seed "$seed" --out "$file.tmp"; then
      rm -f "$tfile" "$file.tmp"
      log "bench/run.sh: $gen failed"
      exit 1
    fi
    read -r secs _ < <(tail -n1 "$tfile")
    rm -f "$tfile"
    mv "$file.tmp" "$file"
    size=$(stat -c %s "$file")
    log "   $(awk -v s="$secs" -v b="$size" -v p="$persons" 'BEGIN {
      printf "%.1f s, %.0f persons/s, %.0f MB/s", s, p / (s > 0 ? s : 1e-9),
             b / 1e6 / (s > 0 ? s : 1e-9) }')"
  fi
done

# median of the numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

wc_secs='' rp_secs='' rp_rss='' rp_rc=''  # set by measure

# measure OUT_PREFIX CMD...: runs CMD $runs times; sets <prefix>_secs,
# <prefix>_rss (medians) and <prefix>_rc (the last non-zero exit status).
measure() {
  local prefix=$1; shift
  local i out s m secs=() rss=() rc=0
  for ((i = 1; i <= runs; i++)); do
    out=$(mktemp)
    if "$timer" -f '%e %M' -o "$out" "$@" >/dev/null 2>>build/bench-stderr.log; then :; else rc=$?; fi
    read -r s m < <(tail -n1 "$out")
    rm -f "$out"
    secs+=("$s") rss+=("$m")
  done
  printf -v "${prefix}_secs" '%s' "$(printf '%s\n' "${secs[@]}" | median)"
  printf -v "${prefix}_rss" '%s' "$(printf '%s\n' "${rss[@]}" | median)"
  printf -v "${prefix}_rc" '%s' "$rc"
}

have_leadscore=1
if [[ ! -x $leadscore ]]; then
  have_leadscore=0
  log "bench/run.sh: $leadscore does not exist (yet): only the input side is measured"
fi

: >build/bench-stderr.log
rows=()
status=0
for spec in "${inputs[@]}"; do
  name=${spec%%:*} persons=${spec##*:}
  file=bench/data/$name.jsonl
  size=$(stat -c %s "$file")
  log "== $file: wc -l x$runs"
  lines=$(wc -l <"$file")
  measure wc wc -l "$file"
  if ((have_leadscore)); then
    log "== $file: leadscore replay x$runs"
    # options before the file: the CLI stops option parsing at the first file
    measure rp timeout "$limit" "$leadscore" replay --model "$model" --out /dev/null "$file"
    if [[ $rp_rc != 0 ]]; then
      log "bench/run.sh: leadscore replay exited $rp_rc on $file (build/bench-stderr.log):"
      tail -n 5 build/bench-stderr.log >&2
      status=1
      replay_cols="failed (exit $rp_rc) | — | — | —"
    else
      replay_cols=$(awk -v s="$rp_secs" -v n="$lines" -v b="$size" -v m="$rp_rss" 'BEGIN {
        d = s > 0 ? s : 0.005
        printf "%.2f | %.2f M | %.0f | %.0f", s, n / d / 1e6, b / 1e6 / d, m / 1024 }')
    fi
  else
    replay_cols="— | — | — | —"
    status=1
  fi
  rows+=("$(awk -v name="$name" -v p="$persons" -v b="$size" -v n="$lines" -v w="$wc_secs" 'BEGIN {
    printf "| %s | %d | %.0f MB | %d | %.2f", name, p, b / 1e6, n, w }') | $replay_cols |")
done

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
echo "leadscore replay benchmark — $(date -u +%Y-%m-%d), commit $rev$(git diff --quiet 2>/dev/null || echo '+dirty'), $(nproc) CPUs${cpu:+ ($cpu)}, median of $runs runs, warm page cache"
echo
echo "| input | persons | size | lines (events) | wc -l (s) | replay (s) | events/s | MB/s | peak RSS (MB) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
exit $status
