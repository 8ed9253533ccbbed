#!/usr/bin/env bash
# The body of `make run`, started by scripts/with_services.py once PostgreSQL and Redis answer.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
# One site address for every link in an email: the port this run serves on, unless set.
export WEB_PORT="${WEB_PORT:-8000}"
export PARLEY_SITE_URL="${PARLEY_SITE_URL:-http://127.0.0.1:${WEB_PORT}}"
# The demo is a sandbox: each case page can move its own clock on (README: "Watch a whole
# case in a minute"). PARLEY_SANDBOX=0 make run shows it as production would.
export PARLEY_SANDBOX="${PARLEY_SANDBOX:-1}"
mkdir -p var/staticfiles var/media
python manage.py migrate --noinput -v 0
python manage.py seed_demo
echo
echo "Parley: ${PARLEY_SITE_URL}/  (Ctrl-C stops web, worker and beat; emails link here)"
exec honcho start -f Procfile
