# cql-migrate as a container image: `migrate` is the entrypoint.
#   docker build -t REGISTRY/cql-migrate:VERSION .
#   docker run --rm REGISTRY/cql-migrate:VERSION copy --source ... --target ... --keyspace ... --table ...
# Stage 1 builds dist/ and packs it as npm would publish it; stage 2 installs that tarball with production
# dependencies only (scripts/install-package.sh, the script the package test runs) and runs as a non-root user.
# Node 22 (20 ended in April 2026): from 22.15 on, the tool gives itself its V8 flags (src/cli/node-flags.ts).
FROM node:22-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
RUN npm install --no-audit --no-fund --loglevel=error
COPY src ./src
COPY README.md ./
RUN node node_modules/typescript/bin/tsc -p tsconfig.build.json && mkdir /pkg && npm pack --pack-destination /pkg

FROM node:22-bookworm-slim
COPY scripts/install-package.sh /tmp/install-package.sh
COPY --from=build /pkg/ /tmp/pkg/
RUN bash /tmp/install-package.sh /tmp/pkg/cql-migrate-*.tgz /opt/cql-migrate && rm -rf /tmp/pkg /tmp/install-package.sh /root/.npm
ENV PATH=/opt/cql-migrate/bin:$PATH
USER node
WORKDIR /home/node
# the run state (.migrate) is kept in the working folder: mount a volume there, or give --state-dir
ENTRYPOINT ["migrate"]
