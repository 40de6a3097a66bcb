#!/usr/bin/env bash
# bench/store.sh — the durable store (issue 3): ingest throughput, peak RSS,
# single-event update latency (see docs/benchmarks.md, "The store").
#
#   bash bench/store.sh [--quick] [--runs N] [--dir DIR]
#
# Builds the Release tree (build/) and build/bench/bench_store, generates
# bench/data/p100k.jsonl and bench/data/p1m.jsonl (build/bench/gen --persons
# N --seed 1) if they are missing, then:
#   1. durable ingest: for each input, a fresh store (DIR/pNAME.db) and
#        leadscore init --db DB --model examples/models/buying-cycle.yaml
#        /usr/bin/time -f '%e %M %U %S' leadscore ingest --quiet --db DB FILE
#      with the default batch (100000 lines): wall time, lines/s (every input
#      line counts, as in bench/run.sh), accepted events/s, peak RSS, user
#      and system CPU, store size. The 100k input runs N times (default 3;
#      median), the 1M input once (about 10 minutes).
#   2. latency: on a copy of the 100k store, bench_store -n 2000 (incremental
#      updates: new events after every person's history) and --late (each a
#      re-fold), in group commits of 1 (each event its own durable
#      transaction) and of 20 (the server's group commit under load): the
#      update itself, the commit, and the durable cost per event; again on a
#      copy on /dev/shm (tmpfs: fsync costs nothing) to show the part that is
#      not the device.
#   --quick   the 100k input only
#   --runs N  runs of the 100k ingest (default 3)
#   --dir D   where the stores go (default bench/data; the 1M store is ~6 GB)
# Prints a Markdown table on stdout; progress on stderr; the program's
# standard error goes to build/bench-store-stderr.log. Set LEADSCORE=path to
# benchmark another binary (bench_store is always build/'s).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

quick=0
runs=3
dir=bench/data
while (($#)); do
  case "$1" in
    --quick) quick=1 ;;
    --runs) runs=${2:?--runs needs a number}; shift ;;
    --dir) dir=${2:?--dir needs a directory}; shift ;;
    -h|--help) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/store.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "bench/store.sh: --runs must be >= 1" >&2; exit 2; }

model=examples/models/buying-cycle.yaml
leadscore=${LEADSCORE:-build/leadscore}
gen=build/bench/gen
bench_store=build/bench/bench_store
timer=/usr/bin/time
log() { printf '%s\n' "$*" >&2; }

if [[ ! -x $timer ]]; then
  log "bench/store.sh: $timer is missing; run scripts/setup.sh (Debian package 'time')"
  exit 1
fi

log "== building (Release, build/, with bench_store)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
if ! cmake --build build -j"${JOBS:-2}" >build/bench-build.log 2>&1 ||
   ! cmake --build build --target bench_store >>build/bench-build.log 2>&1; then
  log "bench/store.sh: the build failed (build/bench-build.log):"
  tail -n 30 build/bench-build.log >&2
  exit 1
fi

inputs=(p100k:100000)
((quick)) || inputs+=(p1m:1000000)
mkdir -p bench/data "$dir"
for spec in "${inputs[@]}"; do
  name=${spec%%:*} persons=${spec##*:}
  file=bench/data/$name.jsonl
  if [[ ! -s $file ]]; then
    log "== generating $file ($persons persons, seed 1)"
    "$gen" --persons "$persons" --seed 1 --out "$file.tmp"
    mv "$file.tmp" "$file"
  fi
done

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
: >build/bench-store-stderr.log

rows=()
for spec in "${inputs[@]}"; do
  name=${spec%%:*} persons=${spec##*:}
  file=bench/data/$name.jsonl
  db=$dir/$name.db
  n=$runs
  [[ $name == p1m ]] && n=1
  lines=$(wc -l <"$file")
  size=$(stat -c %s "$file")
  secs=() rss=() usr=() sys=()
  for ((i = 1; i <= n; i++)); do
    log "== $file: ingest into $db (run $i of $n)"
    rm -f "$db" "$db-wal" "$db-shm"
    "$leadscore" init --db "$db" --model "$model"
    out=$(mktemp)
    "$timer" -f '%e %M %U %S' -o "$out" "$leadscore" ingest --quiet --db "$db" "$file" \
      2>>build/bench-store-stderr.log
    read -r s m u y < <(tail -n1 "$out")
    rm -f "$out"
    secs+=("$s") rss+=("$m") usr+=("$u") sys+=("$y")
    log "   $s s, peak RSS $((m / 1024)) MB, user $u s, system $y s"
  done
  summary=$(grep -E '^leadscore: [0-9]+ lines' build/bench-store-stderr.log | tail -n1)
  accepted=$(sed -E 's/.* ([0-9]+) accepted.*/\1/' <<<"$summary")
  s=$(printf '%s\n' "${secs[@]}" | median)
  m=$(printf '%s\n' "${rss[@]}" | median)
  u=$(printf '%s\n' "${usr[@]}" | median)
  y=$(printf '%s\n' "${sys[@]}" | median)
  dbsize=$(stat -c %s "$db")
  rows+=("$(awk -v name="$name" -v p="$persons" -v b="$size" -v n="$lines" -v a="$accepted" \
    -v s="$s" -v m="$m" -v u="$u" -v y="$y" -v d="$dbsize" 'BEGIN {
    printf "| %s | %d | %.0f MB | %d | %.1f | %.0f k | %.0f k | %.0f | %.1f + %.1f | %.0f MB |",
      name, p, b / 1e6, n, s, n / s / 1e3, a / s / 1e3, m / 1024, u, y, d / 1e6 }')")
done

# ---- latency on a copy of the 100k store ----
lat=()
src=$dir/p100k.db
copy=$dir/p100k-latency.db
log "== latency: bench_store on a copy of $src"
for where in disk tmpfs; do
  target=$copy
  if [[ $where == tmpfs ]]; then
    [[ -d /dev/shm && -w /dev/shm ]] || continue
    target=/dev/shm/leadscore-bench-latency.db
  fi
  for mode in incremental late; do
    for group in 1 20; do
      rm -f "$target" "$target-wal" "$target-shm"
      cp "$src" "$target"
      args=(--db "$target" -n 2000 --group "$group")
      [[ $mode == late ]] && args+=(--late --seed 2)
      line=$("$bench_store" "${args[@]}")
      log "   $where: $line"
      lat+=("$(sed -E "s/.*: median ([0-9.]+) us, p90 ([0-9.]+) us, p99 ([0-9.]+) us, min [0-9.]+ us, max [0-9.]+ us; commit median ([0-9.]+) us; durable ([0-9.]+) us.*/| $where | $mode | $group | \1 | \2 | \3 | \4 | \5 |/" <<<"$line")")
    done
  done
  rm -f "$target" "$target-wal" "$target-shm"
done

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
echo "leadscore store benchmark — $(date -u +%Y-%m-%d), commit $rev$(git diff --quiet 2>/dev/null || echo '+dirty'), $(nproc) CPUs${cpu:+ ($cpu)}, stores in $dir ($(df -T "$dir" | awk 'NR == 2 { print $2 }'))"
echo
echo "Durable ingest (default batch, 100000 lines; median of $runs runs for p100k, 1 run for p1m):"
echo
echo "| input | persons | size | lines | ingest (s) | lines/s | accepted events/s | peak RSS (MB) | CPU user + sys (s) | store size |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
echo
echo "Single-event updates (bench_store -n 2000 after 20 warm-up, store of p100k; update = ls_store_ingest of one event inside a group, commit = the group's sync, durable = (updates + commits) / events):"
echo
echo "| store on | events | group | update median (µs) | update p90 (µs) | update p99 (µs) | commit median (µs) | durable per event (µs) |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${lat[@]}"
