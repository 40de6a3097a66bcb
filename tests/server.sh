#!/usr/bin/env bash
# The service end to end (tests/server/test_server.py) and the inside-sales
# workflow through it (tests/server/test_workflow.py): real servers on
# 127.0.0.1, bounded in count and time.
set -euo pipefail
export LEADSCORE=${LEADSCORE:-build/leadscore}
python3 tests/server/test_server.py "$@"
if [[ $# -eq 0 ]]; then python3 tests/server/test_workflow.py; fi
