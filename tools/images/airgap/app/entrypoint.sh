#!/bin/sh
# Entrypoint of berth/berth: runs one Berth service, chosen by the first argument or by $SERVICE.
#   berth/berth api-gateway | scheduler | autoscaler | monitor | node-agent [args...]
#   berth/berth migrate          create the database and schema, run pending migrations, exit
#   berth/berth berth ARGS...    the berth CLI (e.g. `berth admin create-token --role admin` with DATABASE_URL)
#   berth/berth node|sh ...      anything else (debugging)
set -eu

case "${1:-}" in
  api-gateway|scheduler|autoscaler|monitor|node-agent|migrate) SERVICE="$1"; shift ;;
  berth) shift; exec node /app/dist/apps/cli/src/main.js "$@" ;;
  node|sh|bash) exec "$@" ;;
  ""|-*) ;;
  *) echo "berth: unknown service '$1' (api-gateway, scheduler, autoscaler, monitor, node-agent, migrate)" >&2; exit 64 ;;
esac

# exec: node is PID 1 and gets SIGTERM itself (each service drains and exits 0 on it).
case "${SERVICE:-}" in
  migrate) exec node /app/dist/tools/migrate/migrate.js "$@" ;;
  api-gateway|scheduler|autoscaler|monitor|node-agent) exec node "/app/dist/apps/$SERVICE/src/main.js" "$@" ;;
  *) echo "berth: set SERVICE or pass a service name (api-gateway, scheduler, autoscaler, monitor, node-agent, migrate)" >&2; exit 64 ;;
esac
