#!/usr/bin/env bash
# leadscore report (the monthly review, docs/funnel.md) on a hand-built
# store over January-March 2026 with tests/models/targets.yaml (the
# reference model + targets: MQLs >= 3, hot -> opportunity >= 50%, 1 entry
# into customer, median days in hot <= 7d). Every figure is worked out by
# hand below. The funnel's own edge cases are tests/unit/test_funnel.c.
set -uo pipefail
LS=${LEADSCORE:-build/leadscore}
MODEL=tests/models/targets.yaml
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# shellcheck source=tests/lib/harness.sh
source tests/lib/harness.sh
lsx() { expect "$1" "$2" -- "$LS" "${@:4}"; } # lsx WANT WHAT -- ARGS
DB=$T/s.db

# A brand search is 15 points: five make 75 >= 65, hot (an MQL) at the 5th.
# The first event names the lead: anonymous -> prospect then. Decay: -15 a
# step (score >= 30) 30 days after the last event.
#   LA  hot 01-05 10:04 (75), opportunity 01-08 10:04 (3 days in hot), won
#       02-10 12:00 (customer); decay 02-07 10:04: 75 -> 60
#   LF  4 searches 01-10 12:00-12:03 (60); decay 02-09 12:03: 45; a careers
#       page 02-20: +1 -10 = 36
#   LB  hot 01-20 09:04, nurtured 02-12 09:04 (23 days in hot: past its
#       21-day SLA, deadline 02-10 09:04, in February)
#   LC  hot 02-02 08:04 (employees 5000: team enterprise), opportunity
#       02-05 08:04 (3 days), won 03-04 08:04 (27 days in opportunity)
#   LD  hot 02-09 10:04, opportunity 02-19 10:04 (10 days)
#   LE  six searches 02-16 11:00-11:05: hot at 11:04, 90, still hot
# Owners (turns per team in MQL order): LA tanaka, LB takahashi, LD ito
# (inside); LC sato, LE suzuki (enterprise).
ev() { # ev ID TYPE TIME LEAD [PROPS [ATTRS]]
  printf '{"id":"%s","type":"%s","time":"%s","lead":"%s","props":%s%s}\n' "$1" "$2" "$3" "$4" \
    "${5:-{\}}" "${6:+,\"attrs\":$6}"
}
searches() { # searches LEAD PREFIX DAY HH N [ATTRS]: N brand searches at HH:00, HH:01, ...
  for ((i = 0; i < $5; i++)); do
    ev "$2$((i + 1))" search "$3T$4:0$i:00Z" "$1" '{"query":"acme"}' "$([ $i = 0 ] && echo "${6:-}")"
  done
}
{
  searches LA a 2026-01-05 10 5
  ev a6 sales_disposition 2026-01-08T10:04:00Z LA '{"outcome":"opportunity"}'
  ev a7 opportunity_closed 2026-02-10T12:00:00Z LA '{"outcome":"won"}'
  searches LF f 2026-01-10 12 4
  ev f5 page_view 2026-02-20T15:00:00Z LF '{"url":"/careers"}'
  searches LB b 2026-01-20 09 5
  searches LC c 2026-02-02 08 5 '{"employees":5000}'
  searches LD d 2026-02-09 10 5
  searches LE e 2026-02-16 11 6 '{"employees":5000}'
} >"$T/p1.jsonl"
# The dispositions come after the tasks are worked: leaving a stage cancels
# its open tasks, done ones stay done.
{
  ev b6 sales_disposition 2026-02-12T09:04:00Z LB '{"outcome":"nurture","reason":"bad_timing"}'
  ev c6 sales_disposition 2026-02-05T08:04:00Z LC '{"outcome":"opportunity"}'
  ev d6 sales_disposition 2026-02-19T10:04:00Z LD '{"outcome":"opportunity"}'
  ev c7 opportunity_closed 2026-03-04T08:04:00Z LC '{"outcome":"won"}'
} >"$T/p2.jsonl"

lsx 0 "init" -- init --db "$DB" --model "$MODEL"
lsx 0 "ingest 1" -- ingest -q --db "$DB" "$T/p1.jsonl"
for p in LA:tanaka LB:takahashi LC:sato LD:ito LE:suzuki; do
  lsx 0 "owner ${p%%:*}" -- owner --db "$DB" "${p%%:*}"
  has "$T/out" "${p#*:} (team" "owner of ${p%%:*}"
done

# done LEAD DUE TASK AT: closes the task, as if at AT (the CLI stamps the
# wall clock; the API would stamp AT)
done_at() {
  local id
  id=$("$LS" tasks --db "$DB" --lead "$1" | awk -v d="$2" -v t="$3" '$2 == d && $5 == t {print $1}')
  if [ -z "$id" ]; then bad "no task $3 due $2 for $1"; return; fi
  lsx 0 "task done $1 $2 $3" -- task done "$id" --db "$DB" --outcome reached
  python3 - "$DB" "$id" "$4" <<'EOF'
import datetime, sqlite3, sys
at = datetime.datetime.fromisoformat(sys.argv[3].replace("Z", "+00:00"))
c = sqlite3.connect(sys.argv[1])
c.execute("UPDATE task_log SET at_ms = ? WHERE task = ?", (int(at.timestamp() * 1000), sys.argv[2]))
c.commit()
EOF
}
# Tasks due in February (day N due at entry + N - 1 days; the rest were
# cancelled when the person left hot):
#   sato (LC): call 02-02 08:04 done 09:00 (late), call and email 02-03 08:04
#     done 02-02 10:00 and 02-03 08:00 (on time): 3 due, 2 on time, 1 late;
#     first touch 56 min after the entry
#   ito (LD): call and email 02-10 10:04 done 02-09 11:00 and 02-10 10:04
#     (at the due time: on time): 2 due, 2 on time
#   takahashi (LB): email 02-04 09:04 done 02-05 09:00: 1 due, late; first
#     touch 16 days - 4 min = 1382160 s; one stage breach (deadline 02-10)
#   suzuki (LE): call, email 02-16; call, email 02-17; email 02-20; call
#     02-24: 6 due, all overdue at the clock (03-04)
#   tanaka (LA): nothing in February
done_at LC 2026-02-02T08:04:00Z call 2026-02-02T09:00:00Z
done_at LC 2026-02-03T08:04:00Z call 2026-02-02T10:00:00Z
done_at LC 2026-02-03T08:04:00Z email 2026-02-03T08:00:00Z
done_at LD 2026-02-10T10:04:00Z call 2026-02-09T11:00:00Z
done_at LD 2026-02-10T10:04:00Z email 2026-02-10T10:04:00Z
done_at LB 2026-02-04T09:04:00Z email 2026-02-05T09:00:00Z
lsx 0 "ingest 2" -- ingest -q --db "$DB" "$T/p2.jsonl"

# ---- February as CSV: every number ----
lsx 0 "report csv" -- report --db "$DB" --month 2026-02 --format csv
C=$T/out
cp "$C" "$T/feb.csv"
for line in \
  "meta,month,2026-02" "meta,previous_month,2026-01" "meta,month_over,true" \
  "meta,clock,2026-03-04T08:04:00Z" "meta,persons_at,2026-02-28T23:59:59.999999999Z" \
  "meta,mqls,3" "meta,previous_mqls,2" "meta,persons_start,3" "meta,persons_end,6" \
  "section,key,label,kind,direction,value,goal,progress,met,previous,change" \
  "kpi,mqls,MQLs,mqls,at_least,3,3,1,true,2,1" \
  "kpi,conversion:hot:opportunity,Hot → opportunity,conversion,at_least,0.666667,0.5,1.33333,true,0.5,0.166667" \
  "kpi,entries:customer,Entries into customer,entries,at_least,1,1,1,true,0,1" \
  "kpi,median_days:hot,Median days in hot,median_days,at_most,6.5,7,1.07692,true,13,-6.5" \
  "funnel,anonymous,0,0,0,0,0,," \
  "funnel,prospect,4,3,2,1,3,0.00277778,0.00277778" \
  "funnel,hot,3,2,1,1,2,6.5,13" \
  "funnel,opportunity,2,1,2,1,1,27,33.0806" \
  "funnel,customer,1,0,1,0,0,," \
  "conversion,prospect,hot,3,4,0.75,2,3,0.666667" \
  "conversion,prospect,opportunity,2,4,0.5,1,3,0.333333" \
  "conversion,prospect,customer,1,4,0.25,1,3,0.333333" \
  "conversion,hot,prospect,0,3,0,1,2,0.5" \
  "conversion,hot,opportunity,2,3,0.666667,1,2,0.5" \
  "conversion,hot,customer,1,3,0.333333,1,2,0.5" \
  "conversion,opportunity,customer,1,2,0.5,1,1,1" \
  "weekly,2026-01-26,prospect,0" "weekly,2026-02-02,hot,1" "weekly,2026-02-02,opportunity,1" \
  "weekly,2026-02-09,prospect,2" "weekly,2026-02-09,customer,1" \
  "weekly,2026-02-16,opportunity,1" "weekly,2026-02-23,hot,0" \
  "movers,up,1,LE,0,90,90,hot,true" \
  "movers,up,2,LC,0,75,75,opportunity,true" \
  "movers,up,3,LD,0,75,75,opportunity,true" \
  "movers,down,1,LF,60,36,-24,prospect,false" \
  "movers,down,2,LA,75,60,-15,customer,false" \
  "sla,owner,ito,2,2,0,0,1,1,3360,0" \
  "sla,owner,sato,3,2,1,0,0.666667,1,3360,0" \
  "sla,owner,suzuki,6,0,0,6,,0,,0" \
  "sla,owner,takahashi,1,0,1,0,0,1,1382160,1" \
  "sla,total,,12,4,2,6,0.666667,3,,1"; do
  has "$C" "$line" "feb csv"
done
if [ "$(grep -c '^weekly,' "$C")" = 30 ]; then ok; else bad "5 weeks x 6 stages"; fi
if [ "$(grep -c '^movers,' "$C")" = 5 ]; then ok; else bad "3 up, 2 down (LB did not move)"; fi
if [ "$(grep -c '^conversion,' "$C")" = 7 ]; then ok; else bad "7 conversion pairs"; fi
hasnt "$C" "tanaka" "an owner with nothing due in the month has no row"
if [ "$(grep -c '^section,' "$C")" = 7 ]; then ok; else bad "7 blocks"; fi

# ---- the same month as text ----
lsx 0 "report text" -- report --db "$DB" --month 2026-02
for line in \
  "Monthly review 2026-02 (UTC)" \
  "persons per stage at the month's end (2026-02-28T23:59:59.999999999Z); previous month 2026-01" \
  "  MQLs                                   3          3    100.0%   yes         2        +1" \
  "  Hot → opportunity                  66.7%      50.0%    133.3%   yes     50.0%  +16.7 pt" \
  "  Median days in hot                 6.5 d   <= 7.0 d    107.7%   yes    13.0 d    -6.5 d" \
  "  hot                     3        2        1        1       2          6.5     13.0" \
  "  hot → opportunity                   66.7% (2/3)   2026-01      50.0% (1/2)" \
  "    1       0      90     +90  hot (new)           LE" \
  "    1      60      36     -24  prospect            LF" \
  "  sato                    3        2      1            0      66.7%              0" \
  "  total                  12        4      2            6      66.7%              1"; do
  has "$T/out" "$line" "feb text"
done

# ---- HTML: self-contained, a table per section ----
lsx 0 "report html" -- report --db "$DB" --month 2026-02 --format html --out "$T/r.html"
if [ ! -s "$T/out" ]; then ok; else bad "--out: nothing on stdout"; fi
if [ "$(grep -c '<h2>' "$T/r.html")" = 6 ]; then ok; else bad "six sections"; fi
if [ "$(grep -c '<table>' "$T/r.html")" = 7 ]; then ok; else bad "seven tables (movers: two)"; fi
if [ "$(grep -c 'http' "$T/r.html")" = 0 ]; then ok; else bad "no URL of any kind"; fi
hasnt "$T/r.html" "<script" "no script"
has "$T/r.html" '<html lang="en">' "lang"
has "$T/r.html" 'style="width:100.0%"' "progress bar (capped at 100%)"
lsx 0 "report html ja" -- report --db "$DB" --month 2026-02 --format html --lang ja --out "$T/ja.html"
has "$T/ja.html" '<html lang="ja">' "lang ja"
has "$T/ja.html" "<td>商談化率</td>" "target label in Japanese"
has "$T/ja.html" "<h2>ファネル</h2>" "headings in Japanese"
lsx 0 "report text ja" -- report --db "$DB" --month 2026-02 --lang ja
has "$T/out" "  MQL数                                  3          3    100.0%  達成         2        +1" "ja text lines up (wide characters)"
has "$T/out" "  hot の滞留日数（中央値）           6.5 d   <= 7.0 d    107.7%  達成    13.0 d    -6.5 d" "ja default target label"

# ---- the current month: persons per stage now ----
lsx 0 "report march" -- report --db "$DB" --month 2026-03 --format csv
for line in "meta,month_over,false" "meta,persons_at,2026-03-04T08:04:00Z" \
  "funnel,customer,1,1,2,1,0,," "funnel,opportunity,0,2,1,2,0,,27" \
  "weekly,2026-02-23,customer,0" "weekly,2026-03-02,customer,1" "weekly,2026-03-30,hot,0" \
  "kpi,mqls,MQLs,mqls,at_least,0,3,0,false,3,-3"; do
  has "$T/out" "$line" "march csv"
done
# nobody's score moved by the clock (the next decay steps are from 03-07)
hasnt "$T/out" "movers,up" "no movers in March"
if [ "$(grep -c '^weekly,' "$T/out")" = 36 ]; then ok; else bad "March 2026: 6 weeks"; fi

# ---- errors ----
lsx 2 "month 13" -- report --db "$DB" --month 2026-13
has "$T/err" "leadscore: error: report: --month: expected a month as YYYY-MM" "names --month"
lsx 2 "month format" -- report --db "$DB" --month 2026-2
lsx 2 "month missing" -- report --db "$DB"
has "$T/err" "--month YYYY-MM is required" "missing --month"
lsx 2 "bad format" -- report --db "$DB" --month 2026-02 --format pdf
lsx 2 "bad lang" -- report --db "$DB" --month 2026-02 --lang fr
lsx 2 "unknown option" -- report --db "$DB" --month 2026-02 --since x
lsx 3 "no store" -- report --db "$T/none.db" --month 2026-02
has "$T/err" "cannot open the store" "store error"
lsx 3 "unwritable out" -- report --db "$DB" --month 2026-02 --out "$T/no/such/dir/r.txt"
lsx 0 "help" -- report --help
has "$T/out" "usage: leadscore report" "help"

# ---- the index on stage rows, and a store of schema 4 brought up to date ----
q() { python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute(sys.argv[2]).fetchall()); c.commit()" "$DB" "$1"; }
if q "EXPLAIN QUERY PLAN SELECT person, n, time, from_stage, to_stage, mql FROM ledger WHERE kind = 's' AND model_version = 1 AND time >= '2026-01-31T23:59:59Z'" |
  grep -q "USING COVERING INDEX ledger_stage"; then ok; else bad "the stage query reads only the covering index ledger_stage"; fi
if q "EXPLAIN QUERY PLAN SELECT person, n, time, from_stage, to_stage, mql FROM ledger INDEXED BY ledger_stage_person WHERE kind = 's' AND person = 1 AND model_version = 1" |
  grep -q "USING INDEX ledger_stage_person (person=?)"; then ok; else bad "one person's stage rows through ledger_stage_person"; fi
q "DROP INDEX ledger_stage" >/dev/null
q "DROP INDEX ledger_stage_person" >/dev/null
q "UPDATE meta SET value = '4' WHERE key = 'schema_version'" >/dev/null
lsx 0 "report on schema 4" -- report --db "$DB" --month 2026-02 --format csv
if cmp -s "$T/out" "$T/feb.csv"; then ok; else bad "same report after the migration"; fi
if q "SELECT value FROM meta WHERE key = 'schema_version'" | grep -qF "[('6',)]"; then ok; else bad "schema 6"; fi
if q "SELECT name FROM sqlite_master WHERE name = 'ledger_stage'" | grep -q ledger_stage; then ok; else bad "index rebuilt"; fi
if q "SELECT name FROM sqlite_master WHERE name = 'ledger_stage_person'" | grep -q ledger_stage_person; then ok; else bad "person index built"; fi

# ---- a model without targets: the usual measures, no goals ----
sed '/^# Monthly targets/,$d' "$MODEL" >"$T/nt.yaml"
lsx 0 "model set (no targets)" -- model set --db "$DB" "$T/nt.yaml"
lsx 0 "report no targets" -- report --db "$DB" --month 2026-02
has "$T/out" "The model declares no targets" "says so"
has "$T/out" "  hot → opportunity                  66.7%          -         -     -     50.0%  +16.7 pt" "default conversion"
lsx 0 "report no targets csv" -- report --db "$DB" --month 2026-02 --format csv
has "$T/out" "kpi,mqls,MQLs,mqls,,3,,,,2,1" "default mqls"
has "$T/out" "kpi,conversion:hot:opportunity,hot → opportunity,conversion,,0.666667,,,,0.5,0.166667" "default conversion"
has "$T/out" "kpi,median_days:hot,Median days in hot,median_days,,6.5,,,,13,-6.5" "default median"
has "$T/out" "meta,model_version,2" "re-scored rows of version 2 are read"
has "$T/out" "funnel,hot,3,2,1,1,2,6.5,13" "same funnel under version 2"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
