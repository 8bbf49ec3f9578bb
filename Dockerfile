# syntax=docker/dockerfile:1
# The host image: API, console and job worker in one image; the role is chosen at start
# (`start --role api|worker|all`). Node 24 runs the TypeScript sources directly (type stripping),
# so only the console is built. Nothing is installed when a container starts.
#   docker build -t marketplace-connector-host .
#   docker run --rm -e DATABASE_URL=… -e HOST_MASTER_KEY=… marketplace-connector-host migrate
#   docker run -p 3000:3000 -e DATABASE_URL=… -e HOST_MASTER_KEY=… marketplace-connector-host

ARG NODE_IMAGE=node:24-bookworm-slim

# ---- every package (dev ones too) and the built console ----------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# The lock file and each workspace's package.json first: the install layer is cached until they change.
COPY package.json package-lock.json ./
COPY schemas/package.json schemas/
COPY sdk/package.json sdk/
COPY host/package.json host/
COPY console/package.json console/
COPY plugins/allegro/package.json plugins/allegro/
COPY plugins/emag/package.json plugins/emag/
COPY plugins/ksef/package.json plugins/ksef/
COPY plugins/ro-efactura/package.json plugins/ro-efactura/
COPY plugins/woocommerce/package.json plugins/woocommerce/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build --workspace @mch/console

# ---- runtime packages only ---------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime-deps
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/schemas/package.json schemas/
COPY --from=build /app/sdk/package.json sdk/
COPY --from=build /app/host/package.json host/
COPY --from=build /app/console/package.json console/
COPY --from=build /app/plugins/allegro/package.json plugins/allegro/
COPY --from=build /app/plugins/emag/package.json plugins/emag/
COPY --from=build /app/plugins/ksef/package.json plugins/ksef/
COPY --from=build /app/plugins/ro-efactura/package.json plugins/ro-efactura/
COPY --from=build /app/plugins/woocommerce/package.json plugins/woocommerce/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# ---- the image ---------------------------------------------------------------------------------
FROM ${NODE_IMAGE}
# Invoice PDFs embed a system font (INVOICE_PDF_FONT overrides it); tini forwards SIGTERM so a
# stopping container drains its running jobs (`start` handles SIGTERM). The clearance plugins check
# every document before sending it: xmllint (libxml2-utils) against the official FA(3), UPO and UBL
# XSDs, and the CIUS-RO Schematron through Saxon-HE (libsaxonhe-java) on a Java runtime, which runs
# plugins/ro-efactura/java as a single-file program; openssl makes the KSeF sandbox's certificates
# in demo mode.
RUN apt-get update \
  && apt-get install -y --no-install-recommends fonts-liberation2 tini \
     libxml2-utils default-jre-headless libsaxonhe-java openssl \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=runtime-deps --chown=root:root /app/node_modules node_modules
COPY --from=build --chown=root:root /app/package.json /app/plugin.manifest.json ./
COPY --from=build --chown=root:root /app/schemas schemas
COPY --from=build --chown=root:root /app/sdk sdk
COPY --from=build --chown=root:root /app/host host
COPY --from=build --chown=root:root /app/plugins plugins
COPY --from=build --chown=root:root /app/console/package.json console/package.json
COPY --from=build --chown=root:root /app/console/build console/build
# Workspace links (node_modules/@mch/*) point at the folders above. Code is root-owned and read-only
# to the process; it runs as the image's unprivileged `node` user and writes only to /data.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
# Liveness: the process answers. Readiness (database and scheduler) is `/readyz`, which the compose
# file's API service checks; a worker answers both on HEALTH_PORT when it is set.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "const p=process.env.HEALTH_PORT||process.env.PORT||3000;fetch('http://127.0.0.1:'+p+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "host/src/cli/main.ts"]
CMD ["start", "--role", "all"]
