#!/usr/bin/env bash
# The dashboard in a real browser (issue 8): web/tests/*.test.mjs drive
# Debian's Chromium headless (playwright-core, never a downloaded browser)
# against `leadscore serve --web web/dist` run by this build's program.
# Needs `make web` (web/dist and web/node_modules) and scripts/setup.sh
# (chromium); a missing piece is a failure, not a skip.
set -uo pipefail
LS=$(realpath "${LEADSCORE:-build/leadscore}")
for need in /usr/bin/chromium web/dist/index.html web/node_modules/playwright-core; do
  [[ -e $need ]] || { echo "web.sh: $need is missing (make web; scripts/setup.sh)" >&2; exit 1; }
done
cd web && LEADSCORE=$LS CHROMIUM=/usr/bin/chromium timeout -k 10 600 node --test tests/
