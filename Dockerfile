# syntax=docker/dockerfile:1
# Two stages: the first compiles and keeps only production dependencies; the second is the
# runtime, which runs as the unprivileged `node` user and has no compiler or dev dependencies.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# Only for a native module without a prebuilt binary for this platform (bcrypt ships its own;
# better-sqlite3 falls back to compiling).
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY nest-cli.json tsconfig.json tsconfig.build.json ormconfig.ts ./
COPY src ./src
RUN npx nest build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=3000
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
# Where the default SQLite database lives; with MySQL nothing is written here.
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME ["/app/data"]
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The flags `npm run start:prod` passes (docs/operations.md, production checklist). Node is
# PID 1 and handles SIGTERM itself: it drains requests for SHUTDOWN_GRACE_MS, then exits 0.
CMD ["node", "--max-old-space-size=512", "--no-allocation-site-pretenuring", "dist/src/main.js"]
