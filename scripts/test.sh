#!/usr/bin/env bash
# The whole suite: SQLite, then PostgreSQL, then the browser journeys.
# With CI=true, PostgreSQL and the browser are mandatory; locally they are skipped LOUDLY when absent.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
CI=${CI:-false}
PG_URL=${TUPO_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
status=0

loud() { printf '\n\033[1;33m!!! %s !!!\033[0m\n\n' "$*"; }

if { [ ! -x /usr/bin/chromium ] || [ ! -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ]; } && [ "$CI" = "true" ]; then
  # The browser for the journeys; CJK fonts for screenshots (Noto) and embedded in PDF certificates (WenQuanYi).
  apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk fonts-wqy-zenhei
fi

echo "== unit and integration tests on SQLite"
$BIN/python -m pytest -q -n 2 -m "not e2e" || status=1

pg_ready() { $BIN/python - "$PG_URL" <<'PY'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1].replace("postgres://", "postgresql://"), connect_timeout=3).close()
except Exception as exc:
    print(exc); sys.exit(1)
PY
}
if ! pg_ready >/dev/null 2>&1 && [ "$CI" = "true" ]; then
  if [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
  else
    apt-get update -qq && apt-get install -y -qq postgresql && pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
  fi
  sleep 2
fi
if pg_ready >/dev/null 2>&1; then
  echo "== the same tests on PostgreSQL ($PG_URL)"
  TUPO_DATABASE_URL=$PG_URL $BIN/python -m pytest -q -n 2 -m "not e2e" --create-db || status=1
elif [ "$CI" = "true" ]; then
  echo "PostgreSQL is required in CI and is not reachable at $PG_URL"; status=1
else
  loud "PostgreSQL not reachable at $PG_URL: PostgreSQL run SKIPPED (mandatory in CI)"
fi

if [ -x /usr/bin/chromium ]; then
  echo "== browser journeys (Debian chromium)"
  $BIN/python -m pytest -q -m e2e -p no:xdist || status=1
elif [ "$CI" = "true" ]; then
  echo "chromium is required in CI and is missing"; status=1
else
  loud "/usr/bin/chromium missing: browser journeys SKIPPED (mandatory in CI)"
fi
exit $status
