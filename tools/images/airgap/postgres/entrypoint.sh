#!/bin/bash
# First start: initdb $PGDATA, allow password (scram-sha-256) logins over TCP, create $POSTGRES_DB.
# Every start: fix the data directory's owner, then run the server as the postgres user.
# Env: POSTGRES_PASSWORD (required on first start), POSTGRES_USER (postgres), POSTGRES_DB (berth),
#      PGDATA (/var/lib/postgresql/data). Extra arguments go to postgres (`postgres -c key=value`).
set -euo pipefail

log() { echo "berth-postgres: $*" >&2; }

if [ "${1:-}" = "" ] || [ "${1:0:1}" = - ]; then
  set -- postgres "$@"
fi
if [ "$1" != postgres ]; then
  exec "$@"
fi

if [ "$(id -u)" = 0 ]; then
  # A fresh volume or bind mount may belong to root: hand it to postgres, then drop privileges.
  mkdir -p "$PGDATA" /var/run/postgresql
  chown postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    log "POSTGRES_PASSWORD is required to initialise $PGDATA (the password of user $POSTGRES_USER)"
    exit 78
  fi
  log "initialising $PGDATA (user $POSTGRES_USER, database $POSTGRES_DB)"
  pwfile="$(mktemp)"
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb -D "$PGDATA" --username="$POSTGRES_USER" --pwfile="$pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
  # Password logins from any address: the port is reachable only on the compose network unless published.
  printf '%s\n' 'host all all 0.0.0.0/0 scram-sha-256' 'host all all ::/0 scram-sha-256' >>"$PGDATA/pg_hba.conf"
  printf '%s\n' "listen_addresses = '*'" 'jit = off' >>"$PGDATA/postgresql.conf"

  # A socket-only server for the set-up, so the health check stays red until the real start.
  pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
  if [ "$POSTGRES_DB" != postgres ]; then
    createdb --username="$POSTGRES_USER" "$POSTGRES_DB"
  fi
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  log "initialised"
fi

exec "$@"
