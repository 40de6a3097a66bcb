#!/usr/bin/env bash
# The leadscore command line: exit codes, messages, formats (README "Exit
# status"). Runs from the repo root with LEADSCORE pointing at the binary.
set -uo pipefail
LS=${LEADSCORE:-build/leadscore}
MODEL=examples/models/buying-cycle.yaml
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# shellcheck source=tests/lib/harness.sh
source tests/lib/harness.sh

cat >"$T/ev.jsonl" <<'EOF'
{"id":"1","type":"page_view","time":"2026-03-01T10:00:00Z","anonymous_id":"c1","props":{"url":"/pricing"}}
{"id":"2","type":"search","time":"2026-03-01T10:01:00Z","anonymous_id":"c1","props":{"query":"Acme"}}
not json
{"id":"3","type":"identify","time":"2026-03-01T10:02:00Z","anonymous_id":"c1","email":"Ann@Example.com","lead":"L7"}
{"id":"4","type":"search","time":"2026-03-01T10:03:00Z","lead":"L7","props":{"query":"acme"}}
{"id":"5","type":"search","time":"2026-03-01T10:04:00Z","lead":"L7","props":{"query":"ACME"}}
{"id":"6","type":"search","time":"2026-03-01T10:05:00Z","lead":"L7","props":{"query":"acme pricing"}}
{"id":"7","type":"demo_view","time":"2026-03-01T10:06:00Z","lead":"L7"}
EOF

# help and usage
expect 0 "--help" -- "$LS" --help; has "$T/out" "usage: leadscore COMMAND" "--help on stdout"
expect 0 "replay --help" -- "$LS" replay --help; has "$T/out" "--as-of" "replay --help"
expect 0 "explain --help" -- "$LS" explain --help
expect 0 "check-model --help" -- "$LS" check-model --help
expect 2 "no command" -- "$LS"
expect 2 "unknown command" -- "$LS" frobnicate; has "$T/err" "leadscore: error: unknown command" "unknown command message"
expect 2 "unknown option" -- "$LS" replay --model "$MODEL" --bogus "$T/ev.jsonl"
expect 2 "missing --model" -- "$LS" replay "$T/ev.jsonl"; has "$T/err" "--model FILE is required" "missing model message"
expect 2 "bad --as-of" -- "$LS" replay --model "$MODEL" --as-of yesterday "$T/ev.jsonl"; has "$T/err" "--as-of: invalid time" "bad as-of message"

# replay: rejected lines are named, the rest is processed; --strict exits 1
expect 0 "replay" -- "$LS" replay --model "$MODEL" "$T/ev.jsonl"
has "$T/err" "$T/ev.jsonl:3: invalid JSON" "rejected line FILE:LINE"
has "$T/out" "L7,71,hot,1,2026-03-01T10:05:00Z" "replay row"
has "$T/err" "1 rejected" "summary"
expect 1 "--strict" -- "$LS" replay --strict --model "$MODEL" "$T/ev.jsonl"
expect 0 "options after files, --out" -- "$LS" replay --model "$MODEL" "$T/ev.jsonl" --out "$T/o.csv" -q
has "$T/o.csv" "lead_id,score,stage,mql_count,last_mql_at" "--out file"
[ ! -s "$T/err" ] || has "$T/err" "invalid JSON" "-q keeps rejected lines"
expect 0 "stdin" -- sh -c "\"$LS\" replay -q --model $MODEL - < \"$T/ev.jsonl\""
has "$T/out" "L7,71,hot" "stdin replay"
expect 3 "missing events file" -- "$LS" replay --model "$MODEL" "$T/nope.jsonl"; has "$T/err" "cannot" "missing file message"
expect 3 "missing model file" -- "$LS" replay --model "$T/nope.yaml" "$T/ev.jsonl"

# model errors name FILE:LINE:COL
printf 'leadscore: 1\nname: x\nscores: [{name: score}]\nstages: [{name: a, initial: true}]\nrules:\n  - {id: r, on: x, pionts: 1}\n' >"$T/bad.yaml"
expect 2 "bad model" -- "$LS" check-model "$T/bad.yaml"; has "$T/err" "leadscore: error: $T/bad.yaml:6:" "model error location"
has "$T/err" "pionts" "model error names the key"
expect 0 "check-model" -- "$LS" check-model "$MODEL"; has "$T/out" "repeat_visits" "summary lists rules"

# explain: any identity, table and json; unknown person exits 1
expect 0 "explain by e-mail" -- "$LS" explain --model "$MODEL" ann@example.com "$T/ev.jsonl"
has "$T/out" "lead:L7" "identities listed"
has "$T/out" "brand_search" "ledger lists rules"
has "$T/out" "prospect      hot (MQL)" "stage history"
expect 0 "explain json" -- "$LS" explain --format json --model "$MODEL" anon:c1 "$T/ev.jsonl"
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["person"]=="L7" and d["scores"]["score"]==71 and sum(e["points"] for e in d["ledger"])==71 and len(d["tasks"])==8' "$T/out"; then ok; else bad "explain json content"; fi
expect 1 "unknown person" -- "$LS" explain --model "$MODEL" nobody "$T/ev.jsonl"; has "$T/err" "no person has the identity" "unknown person message"
expect 2 "bad format" -- "$LS" explain --format xml --model "$MODEL" L7 "$T/ev.jsonl"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
