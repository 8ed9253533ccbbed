#!/usr/bin/env bash
# The body of `make run`, started by scripts/with_services.py once PostgreSQL and Redis answer.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
mkdir -p var/staticfiles var/media
python manage.py migrate --noinput -v 0
python manage.py seed_demo
echo
echo "Parley: http://127.0.0.1:${WEB_PORT:-8000}/  (Ctrl-C stops web, worker and beat)"
exec honcho start -f Procfile
