#!/usr/bin/env bash
# The predictive score (issue 7): leadscore backtest --predictive learns it
# by a time split, and the split never sees outcomes after the cutoff (this
# test fails if it does); the weights file is deterministic; leadscore
# replay --predictive FILE adds p_opportunity exactly as the file says.
# The fitting itself is checked against closed-form answers in
# tests/unit/test_predict.c.
set -uo pipefail
LS=${LEADSCORE:-build/leadscore}
GEN=${LS_GEN:-build/bench/gen}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# shellcheck source=tests/lib/harness.sh
source tests/lib/harness.sh
M=examples/models/buying-cycle.yaml
CUT=2026-09-01T00:00:00Z TRAIN=2026-07-03T00:00:00Z # the cutoff minus 60 days
P=(--model "$M" --horizon 60d --cutoff "$CUT" --predictive --format json)

# json FILE EXPR WANT WHAT: a Python expression over the JSON in FILE (as j)
json() {
  local got
  got=$(python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print(repr(($2)))" "$1" 2>&1)
  if [[ "$got" == "$3" ]]; then ok; else bad "$4: $2 = $got, expected $3"; fi
}

"$GEN" --persons 5000 --seed 7 --out "$T/h.jsonl" || { echo "predictive.sh: gen failed" >&2; exit 1; }

expect_rc 0 "backtest --predictive" backtest "${P[@]}" --weights "$T/w1.yaml" "$T/h.jsonl"
cp "$T/o" "$T/j1"
json "$T/j1" 'j["predictive"]["trained"], j["predictive"]["train_at"]' "(True, '$TRAIN')" "trained at cutoff - horizon"
json "$T/j1" 'j["predictive"]["train"]["n"] > 1000 and 10 <= j["predictive"]["train"]["k"] < 100' "True" "training rows"
# evaluated on the persons the rule score is ranked on, with the same labels
json "$T/j1" '(j["predictive"]["eval"]["n"], j["predictive"]["eval"]["k"]) == (j["models"][0]["ranking"]["n"], j["models"][0]["ranking"]["positives"])' "True" "same evaluation persons"
json "$T/j1" 'j["models"][0]["ranking"]["predictive_auc"] == j["predictive"]["auc"] and 0.5 < j["predictive"]["auc"] <= 1' "True" "AUC next to the rule model's"
json "$T/j1" 'len(j["predictive"]["top_features"])' "10" "top features"
json "$T/j1" 'all(abs(a["weight"]) >= abs(b["weight"]) for a, b in zip(j["predictive"]["top_features"], j["predictive"]["top_features"][1:]))' "True" "top features by |weight|"
# the weights file: readable, its first feature the top one
has "$T/w1.yaml" "leadscore_weights: 1" "weights file header"
has "$T/w1.yaml" "trained_at: $TRAIN" "weights file provenance"
first=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['predictive']['top_features'][0]['name'])" "$T/j1")
if grep -m1 '  - name:' "$T/w1.yaml" | grep -qF "\"$first\""; then ok; else bad "the file's first feature is not $first"; fi

expect_rc 0 "html" backtest "${P[@]}" --html "$T/r.html" "$T/h.jsonl"
has "$T/r.html" 'id="predictive"' "html predictive section"
has "$T/r.html" "<code>$first</code>" "html top feature"

# deterministic: the same input gives the same bytes
expect_rc 0 "again" backtest "${P[@]}" --weights "$T/w1b.yaml" "$T/h.jsonl"
if cmp -s "$T/w1.yaml" "$T/w1b.yaml"; then ok; else bad "two runs gave different weights"; fi

# No leakage. Thirty persons known at the training snapshot with no sales
# outcome get, in H2, an opportunity one day after the cutoff (and activity
# after the snapshot); in H3 the same opportunity ten days after the
# snapshot, inside the training labels' window. H2 must not change the
# weights by a single byte (its outcomes are the evaluation's); H3 must.
python3 - "$T/h.jsonl" "$T" "$TRAIN" <<'EOF'
import json, sys
src, out, train = sys.argv[1], sys.argv[2], sys.argv[3]
seen, sales = set(), set()
for line in open(src):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if not isinstance(e, dict) or not isinstance(e.get("lead"), str):
        continue
    if e.get("type") in ("sales_disposition", "opportunity_closed"):
        sales.add(e["lead"])
    elif isinstance(e.get("time"), str) and e["time"] < train:
        seen.add(e["lead"])
leads = sorted(seen - sales)[:30]
assert len(leads) == 30, len(leads)
def ev(i, kind, lead, t, **props):
    return json.dumps({"id": "x-%s-%d" % (kind, i), "type": kind, "time": t, "lead": lead, "props": props})
with open(out + "/after.jsonl", "w") as f:
    for i, l in enumerate(leads):
        print(ev(i, "page_view", l, "2026-07-04T10:00:00Z", url="/pricing"), file=f)
        print(ev(i, "sales_disposition", l, "2026-09-02T10:00:00Z", outcome="opportunity"), file=f)
        print(ev(i, "email_open", l, "2026-09-03T10:00:00Z"), file=f)
with open(out + "/inside.jsonl", "w") as f:
    for i, l in enumerate(leads):
        print(ev(i, "sales_disposition", l, "2026-07-13T00:00:00Z", outcome="opportunity"), file=f)
EOF
cat "$T/h.jsonl" "$T/after.jsonl" >"$T/h2.jsonl"
cat "$T/h.jsonl" "$T/inside.jsonl" >"$T/h3.jsonl"
expect_rc 0 "outcomes after the cutoff" backtest "${P[@]}" --weights "$T/w2.yaml" "$T/h2.jsonl"
cp "$T/o" "$T/j2"
if cmp -s "$T/w1.yaml" "$T/w2.yaml"; then ok; else bad "outcomes after the cutoff changed the training"; fi
json "$T/j2" 'j["predictive"]["train"]' "$(python3 -c "import json,sys; print(repr(json.load(open(sys.argv[1]))['predictive']['train']))" "$T/j1")" "training rows unchanged"
# …while the evaluation did see them (some of the thirty are evaluated)
json "$T/j2" 'j["predictive"]["eval"]["k"] > '"$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['predictive']['eval']['k'])" "$T/j1")" "True" "evaluation saw them"
expect_rc 0 "outcomes inside the training window" backtest "${P[@]}" --weights "$T/w3.yaml" "$T/h3.jsonl"
cp "$T/o" "$T/j3"
if cmp -s "$T/w1.yaml" "$T/w3.yaml"; then bad "training outcomes did not change the weights (the check above proves nothing)"; else ok; fi
json "$T/j3" 'j["predictive"]["train"]["k"] - '"$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['predictive']['train']['k'])" "$T/j1")" "30" "thirty more training positives"

# replay --predictive: the learned file gives a column of probabilities,
# empty for anonymous persons
expect_rc 0 "replay --predictive" replay -q --model "$M" --as-of "$CUT" --predictive "$T/w1.yaml" "$T/h.jsonl"
python3 - "$T/o" <<'EOF' && ok || bad "replay p_opportunity column"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert list(rows[0].keys())[-1] == "p_opportunity"
assert len(rows) > 1000
for r in rows:
    if r["stage"] == "anonymous":
        assert r["p_opportunity"] == "", r
    else:
        assert 0 <= float(r["p_opportunity"]) <= 1, r
EOF
# a hand-written file with one feature: p = 1 / (1 + e^-(b + w (score - m) / s))
cat >"$T/one.yaml" <<'EOF'
leadscore_weights: 1
model: "buying-cycle"
intercept: -2
features:
  - {name: "score:score", weight: 0.75, mean: 20, scale: 40}
EOF
expect_rc 0 "replay with one feature" replay -q --model "$M" --predictive "$T/one.yaml" "$T/h.jsonl"
python3 - "$T/o" <<'EOF' && ok || bad "p_opportunity = the logistic of the score"
import csv, math, sys
n = 0
for r in csv.DictReader(open(sys.argv[1])):
    if r["stage"] == "anonymous":
        continue
    want = 1 / (1 + math.exp(-(-2 + 0.75 * (int(r["score"]) - 20) / 40)))
    assert abs(float(r["p_opportunity"]) - want) < 5e-7, (r, want)
    n += 1
assert n > 1000
EOF

# errors name the place
printf 'leadscore_weights: 1\nintercept: 0\nfeatures:\n  - {name: "rule:nope@30d", weight: 1, mean: 0, scale: 1}\n' >"$T/bad.yaml"
expect_rc 2 "unknown feature" replay -q --model "$M" --predictive "$T/bad.yaml" "$T/after.jsonl"
has "$T/e" "bad.yaml:4: feature \"rule:nope@30d\" is not one of model buying-cycle's" "unknown feature message"
printf 'leadscore_weights: 1\nintercept: 0\nfeatures:\n  - {name: "mqls", weight: 1, mean: 0, scale: 0}\n' >"$T/bad.yaml"
expect_rc 2 "bad scale" replay -q --model "$M" --predictive "$T/bad.yaml" "$T/after.jsonl"
has "$T/e" "bad.yaml:4:" "bad scale placed"
expect_rc 3 "missing weights" replay -q --model "$M" --predictive "$T/none.yaml" "$T/after.jsonl"
expect_rc 2 "--weights alone" backtest --model "$M" --weights "$T/w.yaml" "$T/h.jsonl"
has "$T/e" "--weights FILE needs --predictive" "--weights alone message"
# nothing to learn: no one known 60 days before an early cutoff
expect_rc 0 "too early" backtest --model "$M" --horizon 60d --cutoff 2026-02-01T00:00:00Z --predictive --weights "$T/w4.yaml" "$T/h.jsonl"
has "$T/o" "not trained" "too early: said"
if [[ -e "$T/w4.yaml" ]]; then bad "a weights file without training"; else ok; fi

echo "predictive: $pass passed, $fail failed"
((fail == 0))
