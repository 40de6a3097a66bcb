#!/usr/bin/env bash
# bench/http.sh — leadscore serve over loopback (issue 5's targets), with
# build/bench/bench_http (bench/bench_http.c) as the load generator:
#   1. ingest: the first 300 000 valid JSON lines of bench/data/p100k.jsonl,
#      4 clients, batches of 500 (target >= 100 000 events/s);
#   2. GET /v1/leads/{id}: 4 clients for 5 s over 20 000 lead ids of that
#      store (target >= 20 000 req/s);
#   3. webhooks: 5 000 events/s for 5 s on a fresh store, an MQL alert per
#      25 persons, the time from the ingest call's return to the alert's
#      arrival (target p99 <= 10 ms).
# Stores live in a temporary directory on the same disk as the repo.
#
#   bash bench/http.sh [--runs N]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs=1
[[ ${1:-} == --runs ]] && runs=${2:?--runs needs a number}
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"${JOBS:-2}" >build/bench-build.log 2>&1 || { tail -n 30 build/bench-build.log >&2; exit 1; }
cmake --build build --target bench_http gen >>build/bench-build.log 2>&1
data=bench/data/p100k.jsonl
if [[ ! -s $data ]]; then
  mkdir -p bench/data
  build/bench/gen --persons 100000 --seed 1 --out "$data.tmp" && mv "$data.tmp" "$data"
fi
tmp=$(mktemp -d bench/data/http.XXXXXX)
trap 'kill $(cat "$tmp"/pid 2>/dev/null) 2>/dev/null; rm -rf "$tmp"' EXIT
# the bodies must be JSON: the generator's deliberately broken lines go
python3 - "$data" "$tmp/ok.jsonl" <<'PYEOF'
import json, sys
n = 0
with open(sys.argv[2], "wb") as out:
    for line in open(sys.argv[1], "rb"):
        try:
            json.loads(line)
        except ValueError:
            continue
        out.write(line)
        n += 1
        if n == 300000:
            break
PYEOF
serve() { # serve DB: starts a server on a free port, its port in $tmp/port
  rm -f "$tmp/port"
  build/leadscore serve --db "$1" --listen 127.0.0.1:0 --port-file "$tmp/port" --clock event \
    --log none 2>>"$tmp/serve.err" &
  echo $! >"$tmp/pid"
  for _ in $(seq 100); do [[ -s $tmp/port ]] && return; sleep 0.05; done
  echo "bench/http.sh: serve did not start" >&2; exit 1
}
stop() { kill -TERM "$(cat "$tmp/pid")"; wait "$(cat "$tmp/pid")" 2>/dev/null || true; }
for r in $(seq "$runs"); do
  rm -f "$tmp"/h.db*
  build/leadscore init --db "$tmp/h.db" --model examples/models/buying-cycle.yaml
  serve "$tmp/h.db"
  build/bench/bench_http ingest --port "$(cat "$tmp/port")" --file "$tmp/ok.jsonl" --clients 4 --batch 500
  build/leadscore export --db "$tmp/h.db" leads --out "$tmp/leads.csv"
  tail -n +2 "$tmp/leads.csv" | cut -d, -f1 | grep -v '"' | head -20000 >"$tmp/ids" || true
  build/bench/bench_http get --port "$(cat "$tmp/port")" --ids "$tmp/ids" --clients 4 --seconds 5
  stop
  rm -f "$tmp"/w.db*
  build/leadscore init --db "$tmp/w.db" --model examples/models/buying-cycle.yaml
  serve "$tmp/w.db"
  build/bench/bench_http webhook --port "$(cat "$tmp/port")" --rate 5000 --seconds 5
  stop
done
