#!/usr/bin/env bash
# PostgreSQL and Redis on 127.0.0.1 for the tests that need them (`make test` calls this).
# Servers that already answer are used as they are; otherwise the Debian packages are installed
# (scripts/install-system.sh) and a private, trust-auth PostgreSQL cluster and a Redis without
# persistence are started under $MOKSORI_SERVICES_DIR. Idempotent: a second run only checks.
set -euo pipefail
PG_PORT="${MOKSORI_TEST_PG_PORT:-5432}"
REDIS_PORT="${MOKSORI_TEST_REDIS_PORT:-6379}"
SERVICES_DIR="${MOKSORI_SERVICES_DIR:-/var/tmp/moksori-test-services}"

pg_up() { pg_isready -q -h 127.0.0.1 -p "$PG_PORT" 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }

if pg_up && redis_up; then
  exit 0
fi
MOKSORI_WITH_SERVICES=1 bash "$(dirname "$0")/install-system.sh"

as_postgres=()
[ "$(id -u)" -ne 0 ] || as_postgres=(runuser -u postgres --)  # PostgreSQL refuses to run as root
if ! pg_up; then
  bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)"
  cluster="$SERVICES_DIR/postgresql"
  mkdir -p "$SERVICES_DIR"
  if [ ! -f "$cluster/PG_VERSION" ]; then
    mkdir -p "$cluster"
    [ "$(id -u)" -ne 0 ] || chown postgres: "$cluster"
    "${as_postgres[@]}" "$bin/initdb" -D "$cluster" -U postgres -A trust >/dev/null
  fi
  echo "Starting PostgreSQL on 127.0.0.1:$PG_PORT ($cluster)"
  "${as_postgres[@]}" "$bin/pg_ctl" -D "$cluster" -l "$cluster/server.log" -w start \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $cluster"
  "${as_postgres[@]}" "$bin/psql" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -c "CREATE DATABASE test" \
    2>/dev/null || true
fi
if ! redis_up; then
  echo "Starting Redis on 127.0.0.1:$REDIS_PORT"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --logfile "$SERVICES_DIR/redis.log" --dir "${SERVICES_DIR}"
  for _ in $(seq 50); do redis_up && break; sleep 0.1; done
fi
pg_up && redis_up
