#!/usr/bin/env bash
# bench/dashboard.sh — what the dashboard asks of `leadscore serve` at 1 M
# persons (issue 8's targets): a page of 50 leads (<= 100 ms), the funnel
# (<= 200 ms), and the dashboard's first paint (<= 1 s) on loopback; and the
# monthly review, first and asked again.
#
# The store is bench/data/p1m.db (made from bench/data/p1m.jsonl by
# `leadscore init` + `ingest` when missing: about 10 minutes). The server
# runs with --clock event (reads as of the latest event) and the built
# dashboard. Each request is timed by curl (time_total: connect to last
# byte) RUNS times after one warm-up; the figures are the median and the
# slowest. The first request also reports how long the leads index took to
# build. First paint: Debian's Chromium through playwright-core
# (web/tests/first_paint.mjs), median of RUNS page loads.
#
#   bash bench/dashboard.sh [--runs N] [--db FILE]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs=20
db=bench/data/p1m.db
while (($#)); do
  case $1 in
    --runs) runs=${2:?}; shift 2 ;;
    --db) db=${2:?}; shift 2 ;;
    *) echo "usage: bash bench/dashboard.sh [--runs N] [--db FILE]" >&2; exit 2 ;;
  esac
done
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"${JOBS:-2}" >build/bench-build.log 2>&1 || { tail -n 30 build/bench-build.log >&2; exit 1; }
make -s web >/dev/null
if [[ ! -s $db ]]; then
  data=bench/data/p1m.jsonl
  [[ -s $data ]] || build/bench/gen --persons 1000000 --seed 1 --out "$data"
  build/leadscore init --db "$db.tmp" --model examples/models/buying-cycle.yaml
  build/leadscore ingest --db "$db.tmp" --quiet "$data" || true # rejected lines: exit 1
  mv "$db.tmp" "$db"
fi
tmp=$(mktemp -d)
trap 'kill $(cat "$tmp"/pid 2>/dev/null) 2>/dev/null; rm -rf "$tmp"' EXIT
build/leadscore serve --db "$db" --listen 127.0.0.1:0 --port-file "$tmp/port" --clock event \
  --web web/dist --log none 2>"$tmp/serve.err" &
echo $! >"$tmp/pid"
for _ in $(seq 600); do [[ -s $tmp/port ]] && break; sleep 0.1; done
port=$(cat "$tmp/port")
base=http://127.0.0.1:$port
persons=$(build/leadscore export leads --db "$db" 2>/dev/null | tail -n +2 | wc -l)
echo "store: $db ($persons persons)"

# one request, its time in ms (fails on a non-2xx status)
one() { curl -sf -o /dev/null -w '%{time_total}\n' "$base$1" | awk '{printf "%.1f\n", $1 * 1000}'; }

t=$(one "/v1/leads?limit=50")
echo "first GET /v1/leads (builds the leads index): $t ms"

measure() { # NAME PATH TARGET_MS
  one "$2" >/dev/null
  local v
  v=$(for _ in $(seq "$runs"); do one "$2"; done | sort -n)
  local med max
  med=$(echo "$v" | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')
  max=$(echo "$v" | tail -n 1)
  printf '%-44s median %7.1f ms  max %7.1f ms  (target <= %s ms)\n' "$1" "$med" "$max" "$3"
}
measure "leads, lead id order" "/v1/leads?limit=50" 100
measure "leads, by score" "/v1/leads?limit=50&sort=-score" 100
measure "leads, hot by score" "/v1/leads?limit=50&stage=hot&sort=-score" 100
measure "leads, score 40-80 by last activity" "/v1/leads?limit=50&min_score=40&max_score=80&sort=-updated" 100
cur=$(curl -sf "$base/v1/leads?limit=50&sort=-score" | python3 -c 'import json,sys; print(json.load(sys.stdin)["next_cursor"])')
measure "leads, by score, page 2 (cursor)" "/v1/leads?limit=50&sort=-score&cursor=$cur" 100
if t=$(one "/v1/funnel"); then
  echo "first GET /v1/funnel (builds the stage log): $t ms"
  measure "funnel (this month)" "/v1/funnel" 200
  # the 12 weeks up to the read time's day (the funnel page's "12 weeks"), and older months
  read -r from12 to12 <<<"$(curl -sf "$base/v1/funnel" | python3 -c '
import datetime, json, sys
d = datetime.date.fromisoformat(json.load(sys.stdin)["as_of"][:10])
print(d - datetime.timedelta(days=83), d)')"
  measure "funnel (12 weeks)" "/v1/funnel?from=$from12&to=$to12" 200
  for month in $(curl -sf "$base/v1/funnel" | python3 -c '
import json, sys
y, m = map(int, json.load(sys.stdin)["as_of"][:7].split("-"))
for back in (1, 6, 11):
    yy, mm = divmod(y * 12 + m - 1 - back, 12)
    print(f"{yy:04d}-{mm + 1:02d}")'); do
    measure "funnel ($month)" "/v1/funnel?month=$month" 200
  done
fi
echo "server resident memory with the leads index and the stage log: $(($(ps -o rss= -p "$(cat "$tmp/pid")") / 1024)) MiB"
# The monthly review of the month before the read time's (the review
# page's default): the first request replays the store at the month's
# start and end; the server keeps the answer until something is written.
t=$(one "/v1/reports/month")
echo "first GET /v1/reports/month (replays the store at both ends of the month): $t ms"
measure "monthly review (kept)" "/v1/reports/month" 200
echo "server resident memory after the review: $(($(ps -o rss= -p "$(cat "$tmp/pid")") / 1024)) MiB"
if [[ -x /usr/bin/chromium && -d web/node_modules/playwright-core ]]; then
  (cd web && URL="$base/" RUNS="$runs" node tests/first_paint.mjs)
fi
