#!/usr/bin/env bash
# leadscore backtest (issue 7) on a hand-built history: two models that
# differ by one rule (tests/backtest/a.yaml, b.yaml), six persons, their
# sales outcomes; every figure below is worked out by hand in the comments.
set -uo pipefail
LS=${LEADSCORE:-build/leadscore}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# shellcheck source=tests/lib/harness.sh
source tests/lib/harness.sh
A=tests/backtest/a.yaml B=tests/backtest/b.yaml H=tests/backtest/history.jsonl
W=(--from 2026-01-05T00:00:00Z --to 2026-03-02T00:00:00Z --horizon 30d
   --cutoff 2026-02-01T00:00:00Z --sweep 10:10:4)

# json EXPR WANT WHAT: a Python expression over the JSON in $T/o (as j)
json() {
  local got
  got=$(python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print(repr(($1)))" "$T/o" 2>&1)
  if [[ "$got" == "$2" ]]; then ok; else bad "$3: $1 = $got, expected $2"; fi
}

# The history (window 2026-01-05 .. 03-02 = 8 weeks, horizon 30 days):
#   L1  2 searches 01-06 10:00/10:01 (30: MQL 01-06T10:01), opportunity 01-20T10:01, won 02-10
#   L2  2 searches 01-13 (MQL 01-13T10:01), nurtured 01-27
#   L3  5 page views 01-07 (5 points), opportunity 01-25 (no MQL: the model
#       rejects the disposition, the outcome still counts)
#   L4  2 searches 02-10 (MQL 02-10T10:01), opportunity 02-20T10:01
#   L5  2 pricing page views 01-08: 2 points under A; 42 under B (+20 each): MQL 01-08
#   L6  1 search 01-10 (15), opportunity 02-15
expect_rc 0 "backtest json" backtest --model "$A" --model "$B" "${W[@]}" --format json "$H"
json 'j["weeks"], j["outcome_events"], j["persons"]' "(8, 6, 6)" "window"
# A: MQLs L1, L2, L4 in weeks 0, 1, 5; B adds L5 in week 0
json 'j["models"][0]["mqls"], j["models"][0]["mqls_by_week"]' "(3, [1, 1, 0, 0, 0, 1, 0, 0])" "A MQLs"
json 'j["models"][1]["mqls"], j["models"][1]["mqls_by_week"]' "(4, [2, 1, 0, 0, 0, 1, 0, 0])" "B MQLs"
# precision: L1 (opportunity 14 days after) and L4 (10 days) convert, L2 does not;
# L1's win comes 35 days after its MQL: outside the horizon
json 'j["models"][0]["precision_opportunity"]["k"], j["models"][0]["precision_opportunity"]["n"]' "(2, 3)" "A precision"
json 'j["models"][0]["precision_won"]["k"], j["models"][0]["precision_won"]["n"]' "(0, 3)" "A precision won"
json 'j["models"][1]["precision_opportunity"]["k"], j["models"][1]["precision_opportunity"]["n"]' "(2, 4)" "B precision"
# recall: opportunities L1, L3, L4, L6 in the window; MQL before: L1, L4
json 'j["models"][0]["recall_opportunity"]["k"], j["models"][0]["recall_opportunity"]["n"]' "(2, 4)" "A recall"
json 'j["models"][0]["recall_won"]["k"], j["models"][0]["recall_won"]["n"]' "(1, 1)" "A recall won"
json 'j["models"][0]["median_days_to_opportunity"]' "12" "median days (14 and 10)"
json 'j["models"][0]["precision_opportunity"]["small_n"]' "True" "small n flagged"
# ranking at 02-01: identified and not yet opportunities: L2 (30, no), L5
# (A 2 / B 42, no), L6 (15, yes within 30 days); L1 and L3 were
# opportunities already, L4 did not exist. A: L6 beats L5, loses to L2 → 0.5;
# B: L6 is below both → 0.
json 'j["models"][0]["ranking"]["n"], j["models"][0]["ranking"]["positives"], j["models"][0]["ranking"]["auc"]' "(3, 1, 0.5)" "A AUC"
json 'j["models"][1]["ranking"]["auc"]' "0" "B AUC"
# deciles of 3 persons: ranks 0, 1, 2 fall in deciles 4, 7, 10; A's positive
# (15) is the middle one: lift (1/1) / (1/3) = 3
json '[d["n"] for d in j["models"][0]["ranking"]["deciles"]]' "[0, 0, 0, 1, 0, 0, 1, 0, 0, 1]" "decile sizes"
json 'j["models"][0]["ranking"]["deciles"][6]["lift"]' "3" "lift"
# the sweep under A: first reach while identified — 10: L1 L2 L4 L6, 20 and
# 30: L1 L2 L4, 40: none. Converted within 30 days of the reach: L1, L4 (L6
# reached 10 on 01-10, its opportunity is 36 days later). Recall: L1, L4,
# and at 10 also L6 (reached before its opportunity), of 4.
json '[(s["threshold"], s["mqls"], s["precision"]["k"], s["recall"]["k"]) for s in j["models"][0]["sweep"]]' \
  "[(10, 4, 2, 3), (20, 3, 2, 2), (30, 3, 2, 2), (40, 0, 0, 0)]" "A sweep"
# F1: 10 → 2(.5)(.75)/1.25 = .6; 20, 30 → 2(2/3)(1/2)/(7/6) = 4/7: the best is 10
json 'round(j["models"][0]["sweep"][0]["f1"], 4), round(j["models"][0]["sweep"][1]["f1"], 4)' "(0.6, 0.5714)" "F1"
json 'j["models"][0]["recommended_threshold"]' "10" "best F1"
# inflation: A gives 105 points by searches, 7 by page views: 93.75 %; B's
# L5 has 42 points, 2 of them from 1-point rules (not 80 %)
json 'j["models"][0]["inflation"]["top_rule"], j["models"][0]["inflation"]["top_rule_share"]' "('search', 0.9375)" "top rule"
json 'j["models"][1]["inflation"]["low_point_persons"]["k"], j["models"][1]["inflation"]["low_point_persons"]["n"]' "(0, 5)" "low-point persons"
# the models differ by one rule: only L5 differs, hot and MQL under B only
json 'j["differences"][0]["compared"], j["differences"][0]["stage_differs"], j["differences"][0]["mql_only_a"], j["differences"][0]["mql_only_b"]' "(6, 1, 0, 1)" "differences"
json '[(e["lead_id"], e["stage_a"], e["stage_b"]) for e in j["differences"][0]["mql_only_b_examples"]]' "[('L5', 'prospect', 'hot')]" "difference example"

# a target volume: 0.3 MQLs a week over 8 weeks needs 2.4 — the highest
# threshold giving it is 30 (3 MQLs) under A, 30 (4) under B
expect_rc 0 "backtest target" backtest --model "$A" --model "$B" "${W[@]}" --target-mql-per-week 0.3 --format json "$H"
json 'j["models"][0]["recommended_threshold"], j["models"][1]["recommended_threshold"]' "(30, 30)" "target threshold"
# 0.6 a week needs 4.8: none does under A (4 at most) → the lowest; 10 under B (5)
expect_rc 0 "backtest high target" backtest --model "$A" --model "$B" "${W[@]}" --target-mql-per-week 0.6 --format json "$H"
json 'j["models"][0]["recommended_threshold"], j["models"][1]["recommended_threshold"]' "(10, 10)" "high target"

# the text report and the HTML page (self-contained: no external requests)
expect_rc 0 "backtest text" backtest --model "$A" --model "$B" "${W[@]}" --html "$T/r.html" "$H"
has "$T/o" "66.7% (2/3) !" "text precision with its count and the small-n mark"
has "$T/o" "L5                   prospect -> hot" "text difference"
has "$T/r.html" "<svg" "html charts"
if grep -oE '(src|href)="[^"#]' "$T/r.html" | grep -q .; then bad "html refers to something outside"; else ok; fi
if grep -oE 'https?://[^" ]+' "$T/r.html" | grep -v '^http://www.w3.org/2000/svg$' | grep -q .; then
  bad "html has a URL other than the SVG namespace"; else ok; fi
python3 -c "import html.parser,sys; html.parser.HTMLParser().feed(open(sys.argv[1]).read())" "$T/r.html" && ok || bad "html parses"

# defaults: the window is the history's (first event .. just after the last)
expect_rc 0 "backtest defaults" backtest --model "$A" --format json "$H"
json 'j["from"], j["to"]' "('2026-01-06T10:00:00Z', '2026-02-20T10:01:01Z')" "default window"

# a store's history gives the same figures as the files it was ingested from
expect_rc 0 "init" init --db "$T/s.db" --model "$A"
expect_rc 0 "ingest" ingest -q --db "$T/s.db" "$H"
expect_rc 0 "backtest --db" backtest --model "$A" --model "$B" "${W[@]}" --format json --db "$T/s.db"
json 'j["outcome_events"], j["models"][0]["mqls"], j["models"][1]["mqls"], j["models"][0]["ranking"]["auc"]' "(6, 3, 4, 0.5)" "from the store"
json 'j["differences"][0]["mql_only_b"]' "1" "store differences"
expect_rc 2 "files and --db" backtest --model "$A" --db "$T/s.db" "$H"
expect_rc 3 "no store" backtest --model "$A" --db "$T/none.db"

# errors name what is wrong
expect_rc 2 "no model" backtest "$H"
has "$T/e" "backtest needs --model FILE" "no model message"
expect_rc 2 "bad horizon" backtest --model "$A" --horizon soon "$H"
has "$T/e" "--horizon: expected a duration like 90d" "bad horizon message"
expect_rc 2 "stdin" backtest --model "$A" -
expect_rc 2 "no files" backtest --model "$A"
expect_rc 3 "missing file" backtest --model "$A" "$T/none.jsonl"
has "$T/e" "none.jsonl" "missing file named"
expect_rc 2 "bad format" backtest --model "$A" --format xml "$H"
expect_rc 2 "empty window" backtest --model "$A" --from 2026-03-01T00:00:00Z --to 2026-02-01T00:00:00Z "$H"
expect_rc 2 "unknown score" backtest --model "$A" --score nope "$H"
has "$T/e" "has no score \"nope\"" "unknown score message"
expect_rc 2 "bad sweep" backtest --model "$A" --sweep 10:0:4 "$H"
expect_rc 0 "help" backtest --help
has "$T/o" "usage: leadscore backtest" "help on stdout"

echo "backtest: $pass passed, $fail failed"
((fail == 0))
