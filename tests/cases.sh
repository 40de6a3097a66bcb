#!/usr/bin/env bash
# Runs every hand-computed case through the leadscore binary and compares the
# leads export byte for byte with NAME.expected.csv.
#
#   LEADSCORE=build/leadscore tests/cases.sh        (run from the repo root)
#
# Cases: ../shared/spec/cases/*.jsonl (the spec's worked cases) and
# tests/cases/*.jsonl.  As-of: 2026-07-01T00:00:00Z, or the content of the
# NAME.asof sidecar when there is one; an EMPTY NAME.asof means "no --as-of"
# (the default as-of of spec section 9 is under test).
set -euo pipefail

LEADSCORE=${LEADSCORE:-build/leadscore}
MODEL=${MODEL:-examples/models/buying-cycle.yaml}
DEFAULT_ASOF=2026-07-01T00:00:00Z
DIRS=(../shared/spec/cases tests/cases)

if [[ ! -x $LEADSCORE ]]; then
  echo "cases.sh: $LEADSCORE is not an executable (set LEADSCORE)" >&2
  exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pass=0
fail=0
for dir in "${DIRS[@]}"; do
  if [[ ! -d $dir ]]; then
    echo "cases.sh: missing case directory $dir" >&2
    fail=$((fail + 1))
    continue
  fi
  for jsonl in "$dir"/*.jsonl; do
    [[ -e $jsonl ]] || continue
    base=${jsonl%.jsonl}
    name=${base##*/}
    expected=$base.expected.csv
    asof_args=(--as-of "$DEFAULT_ASOF")
    if [[ -f $base.asof ]]; then
      asof=$(tr -d ' \t\r\n' <"$base.asof")
      if [[ -n $asof ]]; then asof_args=(--as-of "$asof"); else asof_args=(); fi
    fi
    if [[ ! -f $expected ]]; then
      echo "FAIL $name: no $expected"
      fail=$((fail + 1))
      continue
    fi
    rc=0
    "$LEADSCORE" replay --model "$MODEL" "${asof_args[@]}" "$jsonl" \
      >"$tmp/out.csv" 2>"$tmp/err.txt" || rc=$?
    if [[ $rc -ne 0 ]]; then
      echo "FAIL $name: exit status $rc"
      head -n 20 "$tmp/err.txt" | sed 's/^/    /'
      fail=$((fail + 1))
    elif cmp -s "$tmp/out.csv" "$expected"; then
      pass=$((pass + 1))
    else
      echo "FAIL $name: output differs from $expected (--- expected, +++ actual)"
      diff -u --label expected --label actual "$expected" "$tmp/out.csv" \
        | head -n 60 | cat -A | sed 's/^/    /' || true
      fail=$((fail + 1))
    fi
  done
done

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
