#!/usr/bin/env bash
# The service end to end (tests/server/test_server.py): real servers on
# 127.0.0.1, bounded in count and time.
set -euo pipefail
export LEADSCORE=${LEADSCORE:-build/leadscore}
exec python3 tests/server/test_server.py "$@"
