# syntax=docker/dockerfile:1
# One image for both processes: the api (default CMD) and the projector (override the command with
# `node --enable-source-maps dist/apps/projector/src/main.js`).
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: npm 11 (what the lockfile is made with) runs no dependency install scripts, and
# nothing in this stack needs them; the image's npm 10 would run them, so turn them off explicitly.
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund

FROM deps AS build
COPY .swcrc tsconfig.json ./
COPY apps ./apps
COPY libs ./libs
# swc only strips types (no type-check; `npm run typecheck` does that in CI) and keeps the paths:
# apps/api/src/main.ts -> dist/apps/api/src/main.js.
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund
# package.json must sit next to dist/: its `imports` map `#domain`, `#event-store`, `#read-models`
# and `#adapters`, `#runtime`, `#application` to ./dist/libs/*/src/index.js under the `default` condition, which is what
# plain `node` resolves (the `source` condition, pointing at the .ts files, is for tsc and Jest only).
COPY --from=build /app/dist ./dist
# Files stay owned by root, so the process cannot rewrite its own code.
USER node
EXPOSE 3000
CMD ["node", "--enable-source-maps", "dist/apps/api/src/main.js"]
