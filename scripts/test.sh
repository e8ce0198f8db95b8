#!/usr/bin/env bash
# Install coalign with every extra and its test dependencies, at the tested versions
# (constraints.txt), into a virtual environment (.venv unless $COALIGN_VENV), start the
# services the integration tests use (PostgreSQL on loopback, Debian's Chromium for the
# browser tests), and run the whole test suite, slow integration tests included.
#
#   bash scripts/test.sh            # everything
#   bash scripts/test.sh -m "not slow"   # extra pytest arguments are passed through
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${COALIGN_VENV:-.venv}

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  need=""
  command -v chromium >/dev/null || need+=" chromium"
  command -v pg_ctlcluster >/dev/null || need+=" postgresql"
  if [ -n "$need" ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
  fi
fi

[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
. "$VENV/bin/activate"
python -m pip install -q --upgrade pip
# torch 2.13.0 is the CPU build already on these machines; install it before anything pulls
# PyPI's CUDA build in as a dependency.
python -m pip install -q -c constraints.txt "torch==2.13.0"
python -m pip install -q -c constraints.txt -e ".[all,dev]"

# PostgreSQL on loopback for the store tests (skipped with a message when unavailable).
if command -v pg_ctlcluster >/dev/null && [ "$(id -u)" = 0 ]; then
  ver=$(ls /etc/postgresql | sort -n | tail -1)
  pg_ctlcluster "$ver" main status >/dev/null 2>&1 || pg_ctlcluster "$ver" main start
  runuser -u postgres -- psql -q -c "ALTER USER postgres PASSWORD 'coalign'" >/dev/null
  runuser -u postgres -- psql -q -tc "SELECT 1 FROM pg_database WHERE datname='coalign_test'" \
    | grep -q 1 || runuser -u postgres -- createdb coalign_test
  export COALIGN_TEST_PG_URL="postgresql+psycopg://postgres:coalign@127.0.0.1:5432/coalign_test"
fi
command -v chromium >/dev/null && export COALIGN_CHROMIUM=$(command -v chromium)

export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
python -m pytest -q -p no:cacheprovider "$@"
