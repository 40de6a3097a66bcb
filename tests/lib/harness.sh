# Shared by the test scripts (sourced, not a test itself): counters, and
# running commands where a signal, a time-out or a sanitizer report counts
# as a failure of its own. Needs LS and T set.
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# died RC ERRFILE: a signal, a time-out or a sanitizer report?
died() {
  (($1 > 123)) || grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$2"
}

# ls_run OUT ERR ARGS...: leadscore with a time limit; returns its status.
ls_run() {
  local out=$1 err=$2 rc=0
  shift 2
  timeout -k 5 60 "$LS" "$@" >"$out" 2>"$err" || rc=$?
  if died "$rc" "$err"; then
    bad "leadscore $* died (exit $rc)"
    sed -n '1,15p' "$err" | sed 's/^/    /'
  fi
  return $rc
}

# expect_rc WANT WHAT ARGS...: output in $T/o, $T/e
expect_rc() {
  local want=$1 what=$2 rc=0
  shift 2
  ls_run "$T/o" "$T/e" "$@" || rc=$?
  if [[ $rc == "$want" ]]; then ok; return 0; fi
  bad "$what: exit $rc, expected $want (leadscore $*)"
  sed -n '1,10p' "$T/e" "$T/o" | sed 's/^/    /'
  return 1
}

# expect WANT WHAT -- COMMAND...: runs COMMAND (output in $T/out, $T/err)
# and checks its exit status.
expect() {
  local want=$1 what=$2 got=0
  shift 3
  "$@" >"$T/out" 2>"$T/err" || got=$?
  if died "$got" "$T/err"; then
    bad "$what: died (exit $got)"
    sed -n '1,15p' "$T/err" | sed 's/^/    /'
  elif [[ $got == "$want" ]]; then
    ok
  else
    bad "$what: exit $got, expected $want"
    cat "$T/err" >&2
  fi
}

# has FILE TEXT WHAT / hasnt FILE TEXT WHAT: is TEXT in FILE?
has() { if grep -qF -- "$2" "$1"; then ok; else bad "$3: no \"$2\" in $1"; cat "$1" >&2; fi; }
hasnt() { if grep -qF -- "$2" "$1"; then bad "$3: \"$2\" present"; else ok; fi; }
