# berth/berth — every Berth service in one image (pick one with the first argument or $SERVICE).
# No registry: the only base is berth/node:20, built from Debian packages and the host's Node.js
# by `bash tools/images/airgap/build.sh`, which also builds this file (docs/deploy.md). The npm
# registry must be reachable during the build (npm ci); nothing is pulled at run time.
# By hand: DOCKER_BUILDKIT=0 docker build -t berth/berth:dev .
# Build args: NPM_CONFIG_REGISTRY; NPM_EXTRA_CA, PEM certificates npm must trust besides Node's own
# (a TLS-inspecting proxy; build.sh passes the host's). Neither reaches the final image.

# Production dependencies only; cached until package.json or package-lock.json changes.
FROM berth/node:20 AS deps
ARG NPM_CONFIG_REGISTRY=https://registry.npmjs.org/
ARG NPM_EXTRA_CA=
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: the install scripts of this tree are optional (package.json "allowScripts").
RUN if [ -n "$NPM_EXTRA_CA" ]; then printf '%s\n' "$NPM_EXTRA_CA" >/tmp/extra-ca.pem; export NODE_EXTRA_CA_CERTS=/tmp/extra-ca.pem; fi \
 && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error \
 && rm -rf /root/.npm /tmp/extra-ca.pem

# Compile apps and libs with swc (npm run build), and tools/migrate for the one-shot migrate command.
FROM berth/node:20 AS build
ARG NPM_CONFIG_REGISTRY=https://registry.npmjs.org/
ARG NPM_EXTRA_CA=
WORKDIR /src
COPY package.json package-lock.json ./
RUN if [ -n "$NPM_EXTRA_CA" ]; then printf '%s\n' "$NPM_EXTRA_CA" >/tmp/extra-ca.pem; export NODE_EXTRA_CA_CERTS=/tmp/extra-ca.pem; fi \
 && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error \
 && rm -rf /root/.npm /tmp/extra-ca.pem
COPY .swcrc tsconfig.base.json tsconfig.json ./
COPY tools/build tools/build
COPY tools/migrate tools/migrate
COPY libs libs
COPY apps apps
RUN npm run build \
 && node_modules/.bin/swc tools/migrate -d dist --config-file .swcrc --ignore '**/*.spec.ts'

FROM berth/node:20
RUN groupadd --gid 10001 berth \
 && useradd --uid 10001 --gid berth --home-dir /app --no-create-home --shell /usr/sbin/nologin berth
WORKDIR /app
COPY --from=deps /src/node_modules node_modules
COPY --from=build /src/dist dist
COPY package.json ./
COPY tools/images/airgap/app/entrypoint.sh /usr/local/bin/berth
COPY tools/images/airgap/app/verify-requires.cjs /usr/local/lib/berth/verify-requires.cjs
RUN node /usr/local/lib/berth/verify-requires.cjs \
      ./dist/apps/api-gateway/src/main.js ./dist/apps/scheduler/src/main.js ./dist/apps/autoscaler/src/main.js \
      ./dist/apps/monitor/src/main.js ./dist/apps/node-agent/src/main.js ./dist/tools/migrate/migrate.js ./dist/apps/cli/src/main.js
ENV NODE_ENV=production SERVICE=api-gateway
# Files stay root-owned and read-only for the service; the node-agent runs as root (Docker socket).
USER berth
EXPOSE 8080 8081 8082 8083 8084
ENTRYPOINT ["berth"]
ARG BERTH_VERSION=dev
ARG BERTH_REVISION=unknown
LABEL org.opencontainers.image.title="berth/berth" \
      org.opencontainers.image.description="Berth services: api-gateway, scheduler, autoscaler, monitor, node-agent, migrate" \
      org.opencontainers.image.version="${BERTH_VERSION}" \
      org.opencontainers.image.revision="${BERTH_REVISION}" \
      org.opencontainers.image.licenses="Apache-2.0"
