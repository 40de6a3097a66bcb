#!/usr/bin/env bash
# The durable store (issue 3): `init`, `ingest`, `advance`, `verify` and
# `export leads` against `replay`, which is the reference. Runs from the repo
# root; about 20 s (35 s with ASan).
#
#   LEADSCORE=build/leadscore LS_GEN=build/bench/gen bash tests/store.sh
#
# 1. Every hand-computed case (../shared/spec/cases, tests/cases; as-of
#    2026-07-01T00:00:00Z or the NAME.asof sidecar, empty = the default),
#    ingested into a fresh store with the default batch and with --batch 1,
#    exported: byte-equal to NAME.expected.csv; verify exits 0.
# 2. Generated data (tests/oracle/gen_edge.py and the bench generator), lines
#    shuffled (seeded) and split over several ingest calls with small
#    --batch values: export == replay of the concatenated lines, verify 0;
#    export --as-of before and after the store clock == replay --as-of;
#    advance --to between ingests (forwards, backwards, past every event,
#    then late events): export at the final clock == replay --as-of it;
#    re-ingesting the same files (other batch sizes) changes no row of any
#    table; the same lines from another file change nothing but `rejected`
#    (rejected lines are kept per file); the export stays the same.
# 3. Errors: init on an existing store or non-store file fails with exit 3
#    and leaves it alone; a bad model gives exit 2 and FILE:LINE:COL and
#    creates nothing; a missing store gives exit 3; an empty store exports
#    the header alone, as replay of nothing does.
# Needs python3 (stdlib only: the generator, shuffling, table dumps).
# Environment: LEADSCORE (default build/leadscore), LS_GEN (default
# build/bench/gen), KEEP=1 keeps the scratch directory (on /dev/shm when
# TMPDIR is not set and /dev/shm is writable: see below).
set -uo pipefail

LS=${LEADSCORE:-build/leadscore}
GEN=${LS_GEN:-build/bench/gen}
MODEL=examples/models/buying-cycle.yaml
EDGE=tests/oracle/gen_edge.py
DEFAULT_ASOF=2026-07-01T00:00:00Z

for need in "$LS" "$GEN"; do
  if [[ ! -x $need ]]; then
    echo "store.sh: $need is not an executable (set LEADSCORE / LS_GEN; make build)" >&2
    exit 2
  fi
done

# Scratch (stores included) on tmpfs when there is one: fsync is then free
# and the test is 4x faster; durability itself is tests/store_kill.sh's.
if [[ -z ${TMPDIR:-} && -d /dev/shm && -w /dev/shm ]]; then
  T=$(mktemp -d -p /dev/shm leadscore-store.XXXXXX)
else
  T=$(mktemp -d)
fi
if [[ ${KEEP:-0} == 1 ]]; then echo "store.sh: scratch in $T" >&2; else trap 'rm -rf "$T"' EXIT; fi
start=$SECONDS

# shellcheck source=tests/lib/harness.sh
source tests/lib/harness.sh


# same WHAT EXPECTED ACTUAL
same() {
  if cmp -s "$2" "$3"; then ok; return 0; fi
  bad "$1"
  diff -u --label expected --label actual "$2" "$3" | sed -n '3,30p' | cat -A | sed 's/^/    /'
  return 1
}

# new_store DB: a fresh store with the buying-cycle model.
new_store() {
  rm -f "$1" "$1-wal" "$1-shm"
  expect_rc 0 "init $1" init --db "$1" --model "$MODEL"
}

# ingest DB BATCH FILES...
ingest() {
  local db=$1 batch=$2
  shift 2
  expect_rc 0 "ingest --batch $batch" ingest --quiet --db "$db" --batch "$batch" "$@"
}

# verify_ok DB WHAT
verify_ok() {
  if expect_rc 0 "verify: $2" verify --db "$1"; then return 0; fi
  sed -n '1,10p' "$T/o" | sed 's/^/    /'
}

# export_vs_replay WHAT DB "EXPORT ARGS" "REPLAY ARGS" FILES...: export of
# the store == replay of FILES (each ARGS string is split on spaces).
export_vs_replay() {
  local what=$1 db=$2 ea=$3 ra=$4
  shift 4
  # shellcheck disable=SC2086
  ls_run "$T/x.csv" "$T/x.err" export --db "$db" $ea leads ||
    { bad "$what: export failed"; sed -n '1,5p' "$T/x.err" | sed 's/^/    /'; return 1; }
  # shellcheck disable=SC2086
  ls_run "$T/r.csv" "$T/r.err" replay --model "$MODEL" $ra "$@" ||
    { bad "$what: replay failed"; sed -n '1,5p' "$T/r.err" | sed 's/^/    /'; return 1; }
  same "$what: export != replay" "$T/r.csv" "$T/x.csv"
}

cat >"$T/helper.py" <<'PY'
import random, sqlite3, sys

def split(seed, k, src, prefix):
    """Shuffle the lines of src (seeded; a BOM is dropped: it is only a BOM
    at the start of a file) and write prefix.all.jsonl and k non-empty chunks
    prefix.1.jsonl ... whose concatenation is prefix.all.jsonl."""
    data = open(src, 'rb').read()
    if data.startswith(b'\xef\xbb\xbf'):
        data = data[3:]
    lines = [l + b'\n' for l in data.split(b'\n')]
    if data.endswith(b'\n'):
        lines.pop()
    rnd = random.Random(seed)
    rnd.shuffle(lines)
    cuts = sorted(rnd.sample(range(1, len(lines)), k - 1))
    open(prefix + '.all.jsonl', 'wb').write(b''.join(lines))
    for i, (a, b) in enumerate(zip([0] + cuts, cuts + [len(lines)]), 1):
        open('%s.%d.jsonl' % (prefix, i), 'wb').write(b''.join(lines[a:b]))

def dump(db, out, skip=()):
    """Every row of every table but `skip`, sorted, one line per row."""
    c = sqlite3.connect(db)
    with open(out, 'w') as f:
        for (t,) in c.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
            if t in skip:
                continue
            rows = sorted(repr(r) for r in c.execute('SELECT * FROM "%s"' % t))
            f.write('%s %d rows\n' % (t, len(rows)))
            f.writelines('%s %s\n' % (t, r) for r in rows)
    c.close()

if sys.argv[1] == 'split':
    split(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5])
else:
    dump(sys.argv[2], sys.argv[3], sys.argv[4:])
PY
py() { python3 "$T/helper.py" "$@"; }

# ---- 1. hand-computed cases ----------------------------------------------

for dir in ../shared/spec/cases tests/cases; do
  if [[ ! -d $dir ]]; then bad "missing case directory $dir"; continue; fi
  for jsonl in "$dir"/*.jsonl; do
    base=${jsonl%.jsonl}
    name=${base##*/}
    if [[ ! -f $base.expected.csv ]]; then bad "$name: no $base.expected.csv"; continue; fi
    asof=(--as-of "$DEFAULT_ASOF")
    if [[ -f $base.asof ]]; then
      a=$(tr -d ' \t\r\n' <"$base.asof")
      if [[ -n $a ]]; then asof=(--as-of "$a"); else asof=(); fi
    fi
    for batch in 10000 1; do
      db=$T/case.db
      new_store "$db" || continue
      ingest "$db" "$batch" "$jsonl" || continue
      if ls_run "$T/x.csv" "$T/x.err" export --db "$db" "${asof[@]}" leads; then
        same "case $name (--batch $batch): export != $base.expected.csv" \
          "$base.expected.csv" "$T/x.csv"
      else
        bad "case $name (--batch $batch): export failed"
        sed -n '1,5p' "$T/x.err" | sed 's/^/    /'
      fi
      verify_ok "$db" "case $name (--batch $batch)"
    done
  done
done
echo "store.sh: cases done ($pass passed, $fail failed, $((SECONDS - start)) s)"

# ---- 2. generated data ---------------------------------------------------

# check_generated NAME SEED SOURCE
check_generated() {
  local name=$1 seed=$2 src=$3 p=$T/$1
  py split "$seed" 5 "$src" "$p" || { bad "$name: cannot split $src"; return; }
  local all=$p.all.jsonl c1=$p.1.jsonl c2=$p.2.jsonl c3=$p.3.jsonl c4=$p.4.jsonl c5=$p.5.jsonl
  local b1=$((1 + seed % 3)) b2=$((7 + seed)) b3=$((40 + 13 * seed)) # --batch

  # A: in pieces, several files per call, small batches.
  local db=$T/$name.a.db
  new_store "$db" || return
  ingest "$db" "$b1" "$c1"
  ingest "$db" "$b2" "$c2" "$c3"
  ingest "$db" "$b3" "$c4"
  ingest "$db" "$b2" "$c5"
  export_vs_replay "$name: pieces, default as-of" "$db" "" "" "$all"
  verify_ok "$db" "$name: pieces"
  # The ledger too: small batches re-fold late events (from the history or
  # from the last batch kept in memory); the rows must be those of one
  # batch of everything, which needs no re-fold (row numbers n may differ).
  local one=$T/$name.one.db
  new_store "$one" && ingest "$one" 1000000 "$all"
  ls_run "$T/l1.csv" "$T/l1.err" export --db "$db" ledger
  ls_run "$T/l2.csv" "$T/l2.err" export --db "$one" ledger
  local f
  for f in l1 l2; do
    python3 -c 'import csv, sys
rows = [r[:1] + r[2:] for r in csv.reader(open(sys.argv[1], newline=""))]
print("\n".join(sorted(repr(r) for r in rows)))' "$T/$f.csv" >"$T/${f}s.csv"
  done
  same "$name: pieces, ledger != the ledger of one batch" "$T/l2s.csv" "$T/l1s.csv"
  local t
  for t in 2026-02-10T00:00:00Z 2026-03-20T12:00:00.5+09:00 2026-05-01T00:00:00Z \
           "$DEFAULT_ASOF" 2027-03-01T00:00:00Z 2029-06-01T00:00:00Z; do
    export_vs_replay "$name: pieces, --as-of $t" "$db" "--as-of $t" "--as-of $t" "$all"
  done

  # Idempotence. The same files again, in other batches: nothing changes,
  # not even a row (rejected lines are kept per source file and line).
  # Every line again from another file: only `rejected` may grow.
  ls_run "$T/x1.csv" "$T/x1.err" export --db "$db" leads
  py dump "$db" "$T/dump1" || bad "$name: cannot dump $db"
  py dump "$db" "$T/dump1r" rejected || bad "$name: cannot dump $db"
  ingest "$db" 10000 "$c1" "$c2" "$c3" "$c4" "$c5"
  ingest "$db" "$b1" "$c3"
  py dump "$db" "$T/dump2" || bad "$name: cannot dump $db"
  if ! same "$name: re-ingesting the same files changed stored rows" "$T/dump1" "$T/dump2"; then
    echo "    tables that differ: $(diff "$T/dump1" "$T/dump2" | sed -n 's/^[<>] \([a-z_]*\) .*/\1/p' | sort -u | tr '\n' ' ')"
  fi
  ingest "$db" "$b2" "$all"
  py dump "$db" "$T/dump2r" rejected || bad "$name: cannot dump $db"
  if ! same "$name: re-ingesting the lines from another file changed stored rows" \
      "$T/dump1r" "$T/dump2r"; then
    echo "    tables that differ: $(diff "$T/dump1r" "$T/dump2r" | sed -n 's/^[<>] \([a-z_]*\) .*/\1/p' | sort -u | tr '\n' ' ')"
  fi
  ls_run "$T/x2.csv" "$T/x2.err" export --db "$db" leads
  same "$name: re-ingest changed the export" "$T/x1.csv" "$T/x2.csv"
  verify_ok "$db" "$name: after re-ingest"

  # B: advance between ingests: forwards, backwards, past every event, then
  # late events (all before the clock).
  local final=2030-01-01T00:00:00Z # after every generated event
  db=$T/$name.b.db
  new_store "$db" || return
  ingest "$db" "$b3" "$c1"
  expect_rc 0 "$name: advance" advance --db "$db" --to 2026-04-01T00:00:00Z
  ingest "$db" "$b1" "$c2"
  expect_rc 0 "$name: advance backwards" advance --db "$db" --to 2026-03-01T00:00:00Z
  ingest "$db" "$b2" "$c3"
  verify_ok "$db" "$name: after advances"
  cat "$c1" "$c2" "$c3" >"$p.123.jsonl"
  for t in 2026-03-15T00:00:00Z 2029-06-01T00:00:00Z; do
    export_vs_replay "$name: advanced, --as-of $t" "$db" "--as-of $t" "--as-of $t" "$p.123.jsonl"
  done
  export_vs_replay "$name: advanced, default as-of" "$db" "" "" "$p.123.jsonl"
  expect_rc 0 "$name: advance past every event" advance --db "$db" --to "$final"
  export_vs_replay "$name: advanced past the events" "$db" "" "--as-of $final" "$p.123.jsonl"
  ingest "$db" "$b2" "$c4"
  ingest "$db" 1 "$c5"
  export_vs_replay "$name: late events after the advance" "$db" "" "--as-of $final" "$all"
  export_vs_replay "$name: late events, --as-of $DEFAULT_ASOF" "$db" "--as-of $DEFAULT_ASOF" \
    "--as-of $DEFAULT_ASOF" "$all"
  verify_ok "$db" "$name: late events after the advance"
}

for seed in 1 2 3; do
  if python3 "$EDGE" --seed "$seed" --persons 40 >"$T/edge$seed.jsonl"; then
    check_generated "edge$seed" "$seed" "$T/edge$seed.jsonl"
  else
    bad "$EDGE --seed $seed failed"
  fi
done
if python3 "$EDGE" --seed 4 --persons 40 --split >"$T/split4.jsonl" 2>/dev/null; then
  check_generated split4 4 "$T/split4.jsonl"
else
  bad "$EDGE --seed 4 --split failed"
fi
for seed in 1 2; do
  if "$GEN" --persons 300 --seed "$seed" --out "$T/gen$seed.jsonl"; then
    check_generated "gen$seed" "$seed" "$T/gen$seed.jsonl"
  else
    bad "$GEN --seed $seed failed"
  fi
done
echo "store.sh: generated data done ($pass passed, $fail failed, $((SECONDS - start)) s)"

# ---- 3. errors -------------------------------------------------------------

db=$T/err.db
new_store "$db"
ingest "$db" 10000 examples/events/demo.jsonl
ls_run "$T/before.csv" "$T/e" export --db "$db" leads
if expect_rc 3 "init on an existing store" init --db "$db" --model "$MODEL"; then
  if grep -qF "$db" "$T/e"; then ok; else bad "init on an existing store: message does not name $db"; cat "$T/e"; fi
fi
ls_run "$T/after.csv" "$T/e" export --db "$db" leads
same "init on an existing store changed it" "$T/before.csv" "$T/after.csv"

head -c 3000 examples/events/demo.jsonl >"$T/notastore"
cp "$T/notastore" "$T/notastore.orig"
expect_rc 3 "init on an existing non-store file" init --db "$T/notastore" --model "$MODEL"
same "init on a non-store file changed it" "$T/notastore.orig" "$T/notastore"
for cmd in ingest verify export; do
  args=()
  [[ $cmd == ingest ]] && args=(examples/events/demo.jsonl)
  [[ $cmd == export ]] && args=(leads)
  if expect_rc 3 "$cmd on a non-store file" "$cmd" --db "$T/notastore" "${args[@]}"; then
    if grep -qF "$T/notastore" "$T/e"; then ok; else
      bad "$cmd on a non-store file: the message does not name it"; cat "$T/e"
    fi
  fi
done

for bm in tests/models/bad/alias.yaml tests/models/bad/bad-type.yaml; do
  rm -f "$T/bad.db"
  if expect_rc 2 "init with $bm" init --db "$T/bad.db" --model "$bm"; then
    if grep -qE "^leadscore: error: $bm:[0-9]+:[0-9]+: " "$T/e"; then ok; else
      bad "init with $bm: no '$bm:LINE:COL: ' in the message"; cat "$T/e"
    fi
  fi
  if [[ -e $T/bad.db ]]; then bad "init with $bm created $T/bad.db"; else ok; fi
done

expect_rc 3 "ingest into a missing store" ingest --db "$T/missing.db" examples/events/demo.jsonl
expect_rc 3 "export of a missing store" export --db "$T/missing.db" leads
if [[ -e $T/missing.db ]]; then bad "a command created the missing store"; else ok; fi

# An empty store exports the header, as replay of no events does.
new_store "$T/empty.db"
: >"$T/none.jsonl"
export_vs_replay "empty store" "$T/empty.db" "" "" "$T/none.jsonl"
verify_ok "$T/empty.db" "empty store"

echo "store.sh: $((SECONDS - start)) s"
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
