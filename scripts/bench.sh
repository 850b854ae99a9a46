#!/usr/bin/env bash
# `make bench`: every bench/bench_*.py, each with --quick (small sizes, about a minute or two each)
# unless BENCH_FULL=1 (full sizes: bench_orgs then seeds ~200,000 organizations and ~4,000,000 people
# on SQLite and on PostgreSQL, about half an hour). Results go to bench/results/.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
[ -x "$PY" ] || PY=python3
args=()
[ "${BENCH_FULL:-0}" = "1" ] || args=(--quick)
status=0
for script in bench/bench_*.py; do
  echo "== $script ${args[*]}"
  start=$SECONDS
  if ! "$PY" "$script" "${args[@]}"; then
    echo "!!! $script failed !!!"
    status=1
  fi
  echo "== $script: $((SECONDS - start)) s"
done
exit $status
