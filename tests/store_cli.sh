#!/usr/bin/env bash
# The store's query, export, erasure and model-version commands (issue 3),
# with hand-computed expectations on a small history.
set -uo pipefail
LS=${LEADSCORE:-build/leadscore}
MODEL=examples/models/buying-cycle.yaml
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# shellcheck source=tests/lib/harness.sh
source tests/lib/harness.sh
lsx() { expect "$1" "$2" -- "$LS" "${@:4}"; } # lsx WANT WHAT -- ARGS

# A2: anonymous, one page view. "=1+1": a lead id that looks like a formula.
cat >"$T/ev.jsonl" <<'EOF'
{"id":"1","type":"page_view","time":"2026-03-01T10:00:00Z","anonymous_id":"c1","props":{"url":"/pricing"},"attrs":{"company":"=HYPERLINK(\"x\")"}}
{"id":"2","type":"identify","time":"2026-03-01T10:00:30Z","anonymous_id":"c1","email":"ann@example.com","lead":"L1","attrs":{"first_name":"Ann","source":"web_inquiry"}}
{"id":"3","type":"search","time":"2026-03-01T10:01:00Z","lead":"L1","props":{"query":"acme"}}
{"id":"4","type":"search","time":"2026-03-01T10:02:00Z","lead":"L1","props":{"query":"acme"}}
{"id":"5","type":"search","time":"2026-03-01T10:03:00Z","lead":"L1","props":{"query":"acme"}}
{"id":"6","type":"search","time":"2026-03-01T10:04:00Z","lead":"L1","props":{"query":"acme"}}
{"id":"7","type":"page_view","time":"2026-03-01T11:00:00Z","anonymous_id":"a2"}
{"id":"8","type":"email_open","time":"2026-03-01T12:00:00Z","lead":"=1+1"}
broken line
EOF
# L1: page 1 + pricing 5 = 6; identify: source_inquiry +7 = 13 (prospect);
# four brand searches: 28, 43, 58, 73 -> hot at 10:04 with 73. Ledger rows of
# L1: n0 page, n1 pricing, n2 source_inquiry, n3 anonymous->prospect, ...
DB=$T/s.db
lsx 0 "init" -- init --db "$DB" --model "$MODEL"
lsx 0 "ingest" -- ingest -q --db "$DB" "$T/ev.jsonl"
has "$T/err" "1 rejected" "ingest summary"

lsx 0 "rejected" -- rejected --db "$DB"
has "$T/out" "$T/ev.jsonl:9: invalid JSON" "rejected line kept with source:line"
has "$T/out" "broken line" "rejected text kept"

lsx 0 "leads table" -- leads --db "$DB"
has "$T/out" "L1" "leads lists L1"
lsx 0 "leads hot csv" -- leads --db "$DB" --stage hot --format csv
if [ "$(cat "$T/out")" = "lead_id,score,stage,mql_count,last_mql_at
L1,73,hot,1,2026-03-01T10:04:00Z" ]; then ok; else bad "leads --stage hot csv"; cat "$T/out" >&2; fi
lsx 0 "leads sort/limit json" -- leads --db "$DB" --sort score --limit 2 --format json
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [x["lead_id"] for x in d]==["L1","=1+1"], d' "$T/out"; then ok; else bad "leads json (score desc, then lead_id)"; cat "$T/out" >&2; fi
lsx 0 "leads min-score" -- leads --db "$DB" --min-score 2 --format csv
if [ "$(wc -l <"$T/out")" = 2 ]; then ok; else bad "--min-score 2 keeps L1 only"; cat "$T/out" >&2; fi
lsx 2 "leads unknown stage" -- leads --db "$DB" --stage nope

lsx 0 "show by e-mail" -- show --db "$DB" ANN@example.com
has "$T/out" "person      L1" "show person"
has "$T/out" "anon:c1" "show identities"
has "$T/out" "first_name   Ann" "show attributes"
has "$T/out" "brand_search" "show ledger"
has "$T/out" "(MQL)" "show stage history"
has "$T/out" "day 21" "show open tasks"
# why hot: the 30 days up to the MQL at 10:04, by points (n0..n6 above)
has "$T/out" "why hot: Searched for the brand 4× (+60), Came from a web inquiry (+7), Viewed the pricing page (+5), Viewed a page (+1)" "show why hot (en)"
has "$T/out" "    (ja) ブランド名で検索 4回 (+60)、Web問い合わせ経由 (+7)、料金ページを閲覧 (+5)、ページを閲覧 (+1)" "show why hot (ja)"
lsx 1 "show unknown" -- show --db "$DB" nobody

# exports: §8 leads exact; ledger/tasks with formula-safe cells; --excel BOM
lsx 0 "export leads" -- export --db "$DB" leads
has "$T/out" "=1+1,1,prospect,0," "spec export keeps lead ids as they are"
lsx 0 "export leads --excel" -- export --excel --db "$DB" leads
if head -c 3 "$T/out" | od -An -tx1 | grep -q "ef bb bf"; then ok; else bad "--excel BOM"; fi
has "$T/out" "'=1+1,1,prospect" "--excel makes lead ids formula-safe"
lsx 0 "export ledger" -- export --db "$DB" ledger
has "$T/out" "'=1+1,0," "ledger lead id formula-safe"
has "$T/out" "L1,2,2026-03-01T10:00:30Z,points,source_inquiry,7,13" "ledger row"
hasnt "$T/out" ",'-" "negative numbers are not prefixed"
lsx 0 "export tasks" -- export --db "$DB" tasks
has "$T/out" "L1,hot,2026-03-01T10:04:00Z,21,2026-03-21T10:04:00Z,disposition" "day-21 task due"

# model versions: diff changes nothing; set re-scores; old rows stay
sed 's/when: score >= 65/when: score >= 1/; s/rearm_when: score < 65/rearm_when: score < 1/' "$MODEL" >"$T/m1.yaml"
lsx 0 "model diff" -- model diff --db "$DB" "$T/m1.yaml"
# threshold 1: "=1+1" (score 1, prospect) would go hot; L1 is hot either way
has "$T/out" "persons that would change: 1" "diff counts"
lsx 0 "export unchanged by diff" -- export --db "$DB" leads
has "$T/out" "=1+1,1,prospect,0," "diff changed nothing"
lsx 0 "model set" -- model set --db "$DB" "$T/m1.yaml"
lsx 0 "export after set" -- export --db "$DB" leads
"$LS" replay -q --model "$T/m1.yaml" "$T/ev.jsonl" >"$T/replay.csv" 2>/dev/null
if cmp -s "$T/out" "$T/replay.csv"; then ok; else bad "model set == replay under the new model"; diff "$T/out" "$T/replay.csv" >&2; fi
lsx 0 "ledger keeps v1" -- export --db "$DB" ledger
if [ "$(tail -n +2 "$T/out" | awk -F, '{print $(NF-1)}' | sort -u | tr '\n' ' ')" = "1 2 " ]; then ok; else bad "ledger rows of versions 1 and 2 (model_version: the column before category)"; fi
# why hot from the v2 rows only (v1's would count twice): threshold 1 makes
# L1 hot at the identify (10:00:30), before its searches
lsx 0 "show after set" -- show --db "$DB" L1
has "$T/out" "why hot: Came from a web inquiry (+7), Viewed the pricing page (+5), Viewed a page (+1)" "why hot under the new model"
printf 'leadscore: 1\nname: x\n' >"$T/bad.yaml"
lsx 2 "model set bad" -- model set --db "$DB" "$T/bad.yaml"
has "$T/err" "bad.yaml:1:1" "model error location"

# erasure
lsx 0 "forget" -- forget --db "$DB" ann@example.com
lsx 1 "forgotten" -- show --db "$DB" L1
lsx 0 "export after forget" -- export --db "$DB" ledger
hasnt "$T/out" "L1," "no ledger rows left for L1"
lsx 0 "verify after forget" -- verify --db "$DB"
printf '{"id":"9","type":"page_view","time":"2026-03-02T00:00:00Z","lead":"L1"}\n' >"$T/late.jsonl"
lsx 0 "ingest after forget" -- ingest -q --db "$DB" "$T/late.jsonl"
lsx 0 "new person" -- show --db "$DB" L1
has "$T/out" "score       1" "a new person starts from zero"

# caps: the ledger keeps capped firings (0 points) and cut ones, with why
cat >"$T/caps.yaml" <<'EOF'
leadscore: 1
name: caps
scores: [{name: activity, max: 12}]
rules:
  - {id: news, on: email_open, points: 1, cap: {points: 3, per: 7d}}
  - {id: seminar, on: seminar, points: 10}
stages: [{name: prospect, initial: true}]
EOF
for i in 1 2 3 4; do
  printf '{"id":"c%s","type":"email_open","time":"2026-03-0%sT00:00:00Z","lead":"L9"}\n' "$i" "$i"
done >"$T/caps.jsonl"
printf '{"id":"c5","type":"seminar","time":"2026-03-05T00:00:00Z","lead":"L9"}\n' >>"$T/caps.jsonl"
CDB=$T/caps.db
lsx 0 "caps init" -- init --db "$CDB" --model "$T/caps.yaml"
lsx 0 "caps ingest" -- ingest -q --db "$CDB" "$T/caps.jsonl"
lsx 0 "caps ledger" -- export --db "$CDB" ledger
has "$T/out" "L9,3,2026-03-04T00:00:00Z,capped,news,0,3," "4th open in 7 days: capped, 0 points"
has "$T/out" "L9,4,2026-03-05T00:00:00Z,bounded,seminar,9,12," "seminar cut at max 12: 9 points"
lsx 0 "caps show" -- show --db "$CDB" L9
has "$T/out" "capped by the rule's cap" "show says why"
# never MQL: up to its last row; the capped open gave nothing, the cut
# seminar 9 (labels fall back to the rule ids)
has "$T/out" "why hot: seminar (+9), news 3× (+3)" "why hot counts cut rows, not capped ones"
lsx 0 "caps explain" -- explain --model "$T/caps.yaml" L9 "$T/caps.jsonl"
has "$T/out" "(capped: at most 3 points per 7d)" "explain names the cap"
has "$T/out" "(capped: activity max 12)" "explain names the bound"
lsx 0 "caps verify" -- verify --db "$CDB"

# why hot on the demo history, hand-checked: L1000028 went hot at
# 2026-03-22T08:13:23Z (e740, a brand search); its rows in the 30 days up
# to then (from 2026-02-20T08:13:23Z; the page view of 02-15 is before)
# are 15 page views (+15), 5 e-mail opens (+5), 2 repeat visits (+16),
# webinar register and attend (+5 each), pricing (+5) and the search (+15);
# the rows after the MQL do not count. Ties: page (15 rows) before
# brand_search (1) at +15; email_open (5 rows) at +5, then one-row groups
# in model order (webinar_register, webinar_attend, pricing); five shown.
DDB=$T/demo.db
lsx 0 "demo init" -- init --db "$DDB" --model "$MODEL"
lsx 0 "demo ingest" -- ingest -q --db "$DDB" examples/events/demo.jsonl
lsx 0 "demo show" -- show --db "$DDB" camille.taylor28@vandelay.example
has "$T/out" "why hot: Came back within a week 2× (+16), Viewed a page 15× (+15), Searched for the brand (+15), Opened an e-mail 5× (+5), Registered for a webinar (+5)" "demo why hot (en)"
has "$T/out" "    (ja) 1週間以内に再訪問 2回 (+16)、ページを閲覧 15回 (+15)、ブランド名で検索 (+15)、メールを開封 5回 (+5)、ウェビナーに登録 (+5)" "demo why hot (ja)"
lsx 0 "demo explain" -- explain --model "$MODEL" camille.taylor28@vandelay.example examples/events/demo.jsonl
has "$T/out" "why hot: Came back within a week 2× (+16), Viewed a page 15× (+15), Searched for the brand (+15), Opened an e-mail 5× (+5), Registered for a webinar (+5)" "explain why hot = show's"

# damaged store
printf 'not a database at all, not at all, not at all, not at all........' >"$T/junk.db"
lsx 3 "junk store" -- export --db "$T/junk.db" leads
has "$T/err" "junk.db" "error names the file"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
