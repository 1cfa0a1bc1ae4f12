#!/usr/bin/env bash
# The compose stack, tested the way an operator runs it:
#   1. no image can come from a registry: every FROM is berth/*, scratch or an earlier stage, and
#      every image in docker-compose.yml is berth/* (no npm, no Docker needed for this step)
#   2. build every image with the air-gapped command (tools/images/airgap/build.sh)
#   3. docker-compose up -d; wait until every service is healthy and the migration exited 0
#   4. the gateway's /healthz and /metrics; the node-agent registered its node (its events are in the
#      log); no NATS permission violation (the node-agent has its own restricted user)
#   5. stop (every service exits 0), down and up again with the volumes kept: healthy again, and the state survived
#      (a marker row, the applied migrations, the event log, the JetStream stream)
#   6. always: down -v (trap), after printing the logs if something failed
#
# Usage: bash tools/compose/compose.test.sh [--skip-build] [--keep]
#   --skip-build  use the images already built      --keep  leave the stack running (no down -v)
# Env:  BERTH_TEST_PROJECT (berth-test), BERTH_TEST_TIMEOUT (seconds per wait, 300),
#       COMPOSE (docker-compose, else "docker compose"), BERTH_TEST_APPLY (a command run against the
#       running stack with $BERTH_URL set, instead of the built-in quickstart: an admin token made with
#       `docker-compose run api-gateway berth admin create-token`, `berth apply -f examples/nginx.yaml`,
#       rollout, HTTP through the Service's nodePort, and the same after the restart).
#       Other BERTH_* settings pass through to compose.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PROJECT="${BERTH_TEST_PROJECT:-berth-test}"
TIMEOUT="${BERTH_TEST_TIMEOUT:-300}"
SERVICES=(postgres nats api-gateway scheduler autoscaler monitor node-agent)

SKIP_BUILD=0
KEEP=0
for arg in "$@"; do
  case "$arg" in
    --skip-build) SKIP_BUILD=1 ;;
    --keep) KEEP=1 ;;
    -h | --help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "compose.test: unknown argument '$arg' (--skip-build, --keep)" >&2; exit 2 ;;
  esac
done

T0=$SECONDS
step() { printf '\n== [%4ss] %s\n' "$((SECONDS - T0))" "$*"; }
info() { echo "   $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
declare -A TIMING=()

# --- 1. registry-free ------------------------------------------------------------------------------
step "static check: no image comes from a registry"
check_dockerfile() { # $1 = Dockerfile; prints offending FROM lines
  awk -v file="${1#"$REPO"/}" '
    toupper($1) == "FROM" {
      image = ""; stage = ""
      for (i = 2; i <= NF; i++) {
        if ($i ~ /^--/) continue
        if (image == "") { image = tolower($i); continue }
        if (toupper($i) == "AS" && i < NF) stage = tolower($(i + 1))
        break
      }
      if (!(image == "scratch" || image ~ /^berth\// || (image in stages))) {
        printf "%s:%d: FROM %s\n", file, NR, image; bad = 1
      }
      if (stage != "") stages[stage] = 1
    }
    END { exit bad }' "$1"
}
bad=0
dockerfiles=0
while IFS= read -r file; do
  dockerfiles=$((dockerfiles + 1))
  check_dockerfile "$file" || bad=1
done < <(find "$REPO" -path "$REPO/node_modules" -prune -o -path "$REPO/.git" -prune -o \
  -type f \( -name Dockerfile -o -name 'Dockerfile.*' -o -name '*.Dockerfile' \) -print)
[ "$dockerfiles" -ge 4 ] || fail "expected the root Dockerfile and the air-gapped ones, found $dockerfiles"
# Without interpolating: every image: line of the compose file.
while read -r image; do
  case "$image" in
    berth/*) ;;
    *) echo "docker-compose.yml: image $image"; bad=1 ;;
  esac
done < <(sed -n 's/^[[:space:]]*image:[[:space:]]*//p' "$REPO/docker-compose.yml" | tr -d '"'"'")
[ "$bad" = 0 ] || fail "an image would come from a registry (above)"
info "$dockerfiles Dockerfiles: every FROM is berth/*, scratch or an earlier stage; every compose image is berth/*"

# --- tools -------------------------------------------------------------------------------------------
install_pkg() {
  [ "$(id -u)" = 0 ] || fail "$1 is missing (apt-get install -y $1)"
  info "installing $1"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
}
if [ -n "${COMPOSE:-}" ]; then
  read -r -a COMPOSE_CMD <<<"$COMPOSE"
elif command -v docker-compose >/dev/null 2>&1; then
  COMPOSE_CMD=(docker-compose)
elif docker compose version >/dev/null 2>&1; then
  COMPOSE_CMD=(docker compose)
else
  install_pkg docker-compose
  COMPOSE_CMD=(docker-compose)
fi
command -v curl >/dev/null 2>&1 || install_pkg curl

WORK="$(mktemp -d "${TMPDIR:-/tmp}/berth-compose-test.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
: >"$WORK/empty.env"
# --env-file: a developer's .env must not change what is tested.
compose() { "${COMPOSE_CMD[@]}" --env-file "$WORK/empty.env" -p "$PROJECT" -f "$REPO/docker-compose.yml" "$@"; }

# --- 2. images ---------------------------------------------------------------------------------------
if [ "$SKIP_BUILD" = 0 ]; then
  step "building the images (bash tools/images/airgap/build.sh)"
  started=$SECONDS
  bash "$REPO/tools/images/airgap/build.sh"
  TIMING[build]=$((SECONDS - started))
fi
export BERTH_VERSION
BERTH_VERSION="$(sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$REPO/package.json" | head -n1)"
for image in berth/postgres:15 berth/nats:2.9 "berth/berth:$BERTH_VERSION"; do
  docker image inspect "$image" >/dev/null 2>&1 || fail "image $image is missing (run without --skip-build)"
done

# --- settings: free ports, a node name no other test uses, throw-away passwords -----------------------
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { local port="$1"; while port_in_use "$port"; do port=$((port + 1)); done; echo "$port"; }
secret() { head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
export BERTH_HTTP_PORT="${BERTH_HTTP_PORT:-$(free_port 18080)}"
export BERTH_NATS_PORT="${BERTH_NATS_PORT:-$(free_port 14222)}"
export BERTH_NODE_AGENT_PORT="${BERTH_NODE_AGENT_PORT:-$(free_port 18084)}"
export BERTH_NODE_NAME="${BERTH_NODE_NAME:-compose-test}"
export BERTH_POSTGRES_PASSWORD BERTH_NATS_PASSWORD BERTH_NATS_AGENT_PASSWORD
BERTH_POSTGRES_PASSWORD="$(secret)"
BERTH_NATS_PASSWORD="$(secret)"
BERTH_NATS_AGENT_PASSWORD="$(secret)"
export BERTH_URL="http://127.0.0.1:$BERTH_HTTP_PORT"
PGUSER=berth

FAILED=1
# The node-agent's replicas are containers of the host's engine, not of the compose project:
# `down` stops the agent but leaves them, as it would on a real host. The test removes its own.
remove_replicas() {
  local ids
  ids="$(docker ps -aq --filter "label=berth.node=$BERTH_NODE_NAME" 2>/dev/null || true)"
  [ -z "$ids" ] || docker rm -f $ids >/dev/null 2>&1 || true
}

cleanup() {
  local status=$?
  if [ "$FAILED" = 1 ]; then
    echo >&2
    echo "== the stack at the failure" >&2
    compose ps >&2 2>&1 || true
    for service in migrate "${SERVICES[@]}"; do
      echo "-- logs: $service (last 40 lines)" >&2
      compose logs --no-color --tail=40 "$service" >&2 2>&1 || true
    done
  fi
  if [ "$KEEP" = 1 ]; then
    echo "== --keep: the stack stays up; to reach it with compose, first:" >&2
    echo "   export BERTH_HTTP_PORT=$BERTH_HTTP_PORT BERTH_NATS_PORT=$BERTH_NATS_PORT BERTH_NODE_AGENT_PORT=$BERTH_NODE_AGENT_PORT BERTH_NODE_NAME=$BERTH_NODE_NAME BERTH_VERSION=$BERTH_VERSION BERTH_POSTGRES_PASSWORD=$BERTH_POSTGRES_PASSWORD BERTH_NATS_PASSWORD=$BERTH_NATS_PASSWORD BERTH_NATS_AGENT_PASSWORD=$BERTH_NATS_AGENT_PASSWORD" >&2
    echo "   docker-compose -p $PROJECT ...   (remove it: docker-compose -p $PROJECT down -v)" >&2
  else
    compose down -v --remove-orphans --timeout 30 >/dev/null 2>&1 || true
    remove_replicas
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A previous run that was killed may have left its stack.
compose down -v --remove-orphans --timeout 10 >/dev/null 2>&1 || true
remove_replicas

# --- helpers -----------------------------------------------------------------------------------------
# By label, not `compose ps`: compose v2 lists only running containers (the migration has exited).
container() {
  docker ps -aq --filter "label=com.docker.compose.project=$PROJECT" --filter "label=com.docker.compose.service=$1" | head -n1
}
state_of() { # $1 = service -> status/health/restarts/exit code
  local id
  id="$(container "$1")"
  [ -n "$id" ] || { echo "absent"; return; }
  docker inspect --format '{{.State.Status}}/{{if .State.Health}}{{.State.Health.Status}}{{else}}-{{end}}/{{.RestartCount}}/{{.State.ExitCode}}' "$id"
}

wait_healthy() { # prints progress whenever a state changes; fails on timeout or a crash loop
  local started=$SECONDS last="" line service state status health restarts code all
  while :; do
    all=1
    line=""
    state="$(state_of migrate)"
    IFS=/ read -r status health restarts code <<<"$state"
    line+=" migrate=$status"
    [ "$status" = exited ] && line+="($code)"
    if [ "$status" = exited ] && [ "$code" != 0 ]; then
      echo "$line"
      fail "the migration exited with $code"
    fi
    [ "$status" = exited ] || all=0
    for service in "${SERVICES[@]}"; do
      state="$(state_of "$service")"
      IFS=/ read -r status health restarts code <<<"$state"
      if [ "$status" = running ] && [ "$health" = healthy ]; then
        line+=" $service=healthy"
      else
        all=0
        line+=" $service=$status${health:+/$health}"
      fi
      if [ "${restarts:-0}" -ge 3 ] || [ "$health" = unhealthy ]; then
        echo "   [$((SECONDS - started))s]$line"
        fail "$service is $status/$health after $restarts restarts"
      fi
    done
    if [ "$line" != "$last" ]; then
      echo "   [$((SECONDS - started))s]$line"
      last="$line"
    fi
    [ "$all" = 0 ] || return 0
    [ $((SECONDS - started)) -lt "$TIMEOUT" ] || fail "not healthy after ${TIMEOUT}s"
    sleep 2
  done
}

psql_query() { compose exec -T postgres psql -U "$PGUSER" -d berth -v ON_ERROR_STOP=1 -tAc "$1" | tr -d '\r'; }

jetstream() { # -> "<streams> <messages>" from NATS's monitoring endpoint
  compose exec -T nats bash -c 'exec 3<>/dev/tcp/127.0.0.1/8222; printf "GET /jsz HTTP/1.0\r\n\r\n" >&3; cat <&3' |
    tr -d '\r\n ' | sed -n 's/.*"streams":\([0-9]*\).*"messages":\([0-9]*\).*/\1 \2/p'
}

check_running_stack() {
  local body
  body="$(curl -fsS --max-time 5 "$BERTH_URL/healthz")" || fail "GET $BERTH_URL/healthz did not answer 200"
  info "gateway GET /healthz -> 200 $body"
  body="$(curl -fsS --max-time 5 "$BERTH_URL/metrics")" || fail "GET $BERTH_URL/metrics did not answer 200"
  grep -q '^# HELP' <<<"$body" || fail "GET $BERTH_URL/metrics has no Prometheus metrics"
  info "gateway GET /metrics -> 200, Prometheus text"
  if compose logs --no-color nats 2>&1 | grep -q 'Violation'; then
    compose logs --no-color nats 2>&1 | grep 'Violation' | tail -n 5 >&2
    fail "NATS refused a subject to a client (permissions)"
  fi
  info "NATS: no permission violation (node-agent '$BERTH_NODE_NAME' uses its own restricted user)"
}

wait_node_registered() { # the node-agent's heartbeats reached the monitor, which appended to the log
  local started=$SECONDS count
  while :; do
    count="$(psql_query "SELECT count(*) FROM berth.events WHERE stream_id = 'node:$BERTH_NODE_NAME'")"
    [ "$count" = 0 ] || break
    [ $((SECONDS - started)) -lt 60 ] || fail "no event in stream node:$BERTH_NODE_NAME after 60s (node-agent -> NATS -> monitor)"
    sleep 1
  done
  info "node $BERTH_NODE_NAME: $count events in its stream (node-agent -> NATS -> monitor -> event log)"
}

# --- 3. first start ------------------------------------------------------------------------------------
step "docker-compose up -d (project $PROJECT; gateway $BERTH_URL, NATS :$BERTH_NATS_PORT, node-agent :$BERTH_NODE_AGENT_PORT)"
started=$SECONDS
compose up -d --no-build
step "waiting for every service to be healthy"
wait_healthy
TIMING[first_up]=$((SECONDS - started))
info "healthy ${TIMING[first_up]}s after up"

# --- 4. checks -------------------------------------------------------------------------------------------
step "checks"
check_running_stack
wait_node_registered
MARKER="$(secret)"
psql_query "CREATE TABLE public.compose_test_marker (token text NOT NULL); INSERT INTO public.compose_test_marker VALUES ('$MARKER')" >/dev/null
MIGRATIONS="$(psql_query 'SELECT count(*) FROM berth.migrations')"
EVENTS="$(psql_query 'SELECT count(*) FROM berth.events')"
read -r STREAMS MESSAGES <<<"$(jetstream)"
info "state: marker row written; $MIGRATIONS migrations applied; $EVENTS events; JetStream: ${STREAMS:-?} streams, ${MESSAGES:-?} messages"
compose logs --no-color migrate 2>&1 | grep -q '"msg":"migrations done"' || fail "the migrate service did not report its run"

if [ -n "${BERTH_TEST_APPLY:-}" ]; then
  step "applying: $BERTH_TEST_APPLY"
  (cd "$REPO" && bash -c "$BERTH_TEST_APPLY")
else
  # The README's quickstart: the first token from inside the stack, then the host's berth CLI.
  step "quickstart: admin token, berth apply -f examples/nginx.yaml, traffic through the Service"
  TOKEN="$(compose run --rm --no-deps -T api-gateway berth admin create-token --role admin --quiet 2>/dev/null | tr -d '\r' | tail -1)"
  [[ "$TOKEN" == berth_* ]] || fail "berth admin create-token gave no token: '$TOKEN'"
  berth() { (cd "$REPO" && BERTH_CLI_FROM_SOURCE=1 HOME="$WORK" node tools/bin/berth.js "$@" --server "$BERTH_URL" --token "$TOKEN"); }
  berth apply -f examples/nginx.yaml
  berth rollout status deployment/nginx-deployment --timeout 180s
  NODE_PORT="$(berth get service nginx-service -o json | node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>console.log(JSON.parse(s).spec.ports[0].nodePort))')"
  SERVICE_URL="http://${BERTH_ADVERTISE_ADDRESS:-127.0.0.1}:$NODE_PORT/"
  for _ in $(seq 1 30); do curl -fsS -o /dev/null "$SERVICE_URL" && break; sleep 1; done
  curl -fsS -o /dev/null "$SERVICE_URL" || fail "the seed example does not answer through its Service at $SERVICE_URL"
  # LoadBalancer: also its own port (80) on the node's address; the node-agent runs as root here.
  LB_URL="http://${BERTH_ADVERTISE_ADDRESS:-127.0.0.1}:80/"
  for _ in $(seq 1 10); do curl -fsS -o /dev/null "$LB_URL" && break; sleep 1; done
  curl -fsS -o /dev/null "$LB_URL" || fail "the LoadBalancer Service does not answer on its port at $LB_URL"
  DEPLOYMENTS_BEFORE="$(berth get deployments)"
  info "seed example answers at $SERVICE_URL and $LB_URL; $(echo "$DEPLOYMENTS_BEFORE" | tail -n +2)"
fi

# --- 5. restart with the volumes kept --------------------------------------------------------------------
step "docker-compose stop (each service exits 0 on its stop signal), down (volumes kept), up -d again"
started=$SECONDS
compose stop --timeout 30
for service in "${SERVICES[@]}"; do
  state="$(state_of "$service")"
  IFS=/ read -r status health restarts code <<<"$state"
  [ "$status" = exited ] && [ "$code" = 0 ] || fail "$service stopped as $status with exit code $code"
done
info "every service exited 0 ($((SECONDS - started))s)"
compose down --timeout 30
compose up -d --no-build
step "waiting for every service to be healthy again"
wait_healthy
TIMING[restart]=$((SECONDS - started))
info "healthy ${TIMING[restart]}s after down"

step "checks after the restart"
check_running_stack
[ "$(psql_query 'SELECT token FROM public.compose_test_marker')" = "$MARKER" ] || fail "the marker row did not survive the restart"
info "marker row survived"
[ "$(psql_query 'SELECT count(*) FROM berth.migrations')" = "$MIGRATIONS" ] || fail "migrations changed across the restart"
compose logs --no-color migrate 2>&1 | grep -q '"applied":\[\]' || fail "the second migration run was not a no-op"
info "migrations: still $MIGRATIONS, the second run applied none"
events_after="$(psql_query 'SELECT count(*) FROM berth.events')"
[ "$events_after" -ge "$EVENTS" ] || fail "the event log shrank: $EVENTS -> $events_after"
info "event log: $EVENTS -> $events_after events"
read -r streams_after messages_after <<<"$(jetstream)"
if [ -n "${STREAMS:-}" ] && [ "$STREAMS" -gt 0 ]; then
  [ "${streams_after:-0}" -ge "$STREAMS" ] && [ "${messages_after:-0}" -ge "$MESSAGES" ] ||
    fail "JetStream lost data: $STREAMS streams/$MESSAGES messages -> ${streams_after:-?}/${messages_after:-?}"
  info "JetStream: $STREAMS -> $streams_after streams, $MESSAGES -> $messages_after messages"
else
  info "JetStream: no stream before the restart (nothing to compare)"
fi

if [ -z "${BERTH_TEST_APPLY:-}" ]; then
  berth rollout status deployment/nginx-deployment --timeout 180s
  deployments_after="$(berth get deployments)"
  grep -qE 'nginx-deployment +3/3' <<<"$deployments_after" || fail "after the restart: $deployments_after"
  for _ in $(seq 1 30); do curl -fsS -o /dev/null "$SERVICE_URL" && break; sleep 1; done
  curl -fsS -o /dev/null "$SERVICE_URL" || fail "the seed example does not answer at $SERVICE_URL after the restart"
  info "after the restart the same deployment runs 3/3 and answers at $SERVICE_URL"
fi

FAILED=0
step "passed"
for key in build first_up restart; do
  [ -z "${TIMING[$key]:-}" ] || printf '   %-9s %4ss\n' "$key" "${TIMING[$key]}"
done
printf '   %-9s %4ss (then down -v)\n' total "$((SECONDS - T0))"
