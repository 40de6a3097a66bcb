#!/usr/bin/env bash
# bench/backtest.sh — issue 7's target: a backtest of two models over the
# 1M-person file in under 3x the time of one replay of it.
#   replay:   leadscore replay -q --model examples/models/buying-cycle.yaml FILE
#   backtest: leadscore backtest --model examples/models/buying-cycle.yaml
#               --model bench/models/buying-cycle-candidate.yaml FILE
# (the candidate: the pricing page worth 10 points instead of 5), interleaved,
# N runs each (default 3), wall time by /usr/bin/time, standard error (the
# rejected lines) to /dev/null. Prints each run and the ratio of the medians.
# With --predictive, each run also times the same backtest with --predictive
# --weights (the predictive score learned by the time split) and a replay
# --predictive with the weights it wrote.
#
#   bash bench/backtest.sh [--quick] [--runs N] [--predictive]   # --quick: p100k instead of p1m
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs=3 size=1m pred=0
while (($#)); do
  case $1 in
    --quick) size=100k ;;
    --predictive) pred=1 ;;
    --runs) runs=${2:?--runs needs a number}; shift ;;
    *) echo "usage: bash bench/backtest.sh [--quick] [--runs N] [--predictive]" >&2; exit 2 ;;
  esac
  shift
done
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"${JOBS:-2}" >build/bench-build.log 2>&1 || { tail -n 30 build/bench-build.log >&2; exit 1; }
cmake --build build --target gen >>build/bench-build.log 2>&1
data=bench/data/p$size.jsonl
if [[ ! -s $data ]]; then
  mkdir -p bench/data
  persons=$([[ $size == 1m ]] && echo 1000000 || echo 100000)
  build/bench/gen --persons "$persons" --seed 1 --out "$data.tmp" && mv "$data.tmp" "$data"
fi
M=examples/models/buying-cycle.yaml C=bench/models/buying-cycle-candidate.yaml
t() { /usr/bin/time -f '%e %M' "$@" 2>&1 >/dev/null | tail -n 1; }
rp=() bt=() bp=() rq=()
for r in $(seq "$runs"); do
  read -r a ma < <(t build/leadscore replay -q --model "$M" --out /dev/null "$data")
  read -r b mb < <(t build/leadscore backtest --model "$M" --model "$C" --out /dev/null "$data")
  echo "run $r: replay $a s ($((ma / 1024)) MB), backtest of 2 models $b s ($((mb / 1024)) MB)"
  rp+=("$a") bt+=("$b")
  if ((pred)); then
    w=build/bench-weights.yaml
    read -r c mc < <(t build/leadscore backtest --model "$M" --model "$C" --predictive --weights "$w" --out build/bench-predictive.txt "$data")
    read -r d md < <(t build/leadscore replay -q --model "$M" --predictive "$w" --out /dev/null "$data")
    echo "       backtest of 2 models --predictive $c s ($((mc / 1024)) MB), replay --predictive $d s ($((md / 1024)) MB)"
    bp+=("$c") rq+=("$d")
  fi
done
med() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
mr=$(med "${rp[@]}") mb=$(med "${bt[@]}")
echo "p$size: replay median $mr s, backtest median $mb s, ratio $(awk -v a="$mb" -v b="$mr" 'BEGIN {printf "%.2f", a / b}') (target < 3)"
if ((pred)); then
  mp=$(med "${bp[@]}") mq=$(med "${rq[@]}")
  echo "p$size: backtest --predictive median $mp s (ratio $(awk -v a="$mp" -v b="$mr" 'BEGIN {printf "%.2f", a / b}')), replay --predictive median $mq s"
  sed -n '/^predictive score/,/^$/p' build/bench-predictive.txt
fi
