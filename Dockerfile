# One multi-stage image for both production processes; compose picks the command.
# Build: docker build -t duet .
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json tsconfig.json ./
COPY protocol/package.json protocol/
COPY core/package.json core/
COPY server/package.json server/
COPY workers/package.json workers/
COPY recorder-agent/package.json recorder-agent/
COPY review-ui/package.json review-ui/
COPY test/package.json test/
COPY bench/package.json bench/
RUN npm ci --no-audit --no-fund
COPY protocol protocol
COPY core core
COPY server server
COPY workers workers
COPY recorder-agent recorder-agent
COPY review-ui review-ui
RUN npm run build && npm prune --omit=dev --workspace=@duet/server --workspace=@duet/workers --include-workspace-root=false

FROM node:20-bookworm-slim AS runtime
# ffmpeg for the media workers; tini to forward signals so shutdown drains jobs.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/protocol/package.json protocol/package.json
COPY --from=build /app/protocol/dist protocol/dist
COPY --from=build /app/core/package.json core/package.json
COPY --from=build /app/core/dist core/dist
COPY --from=build /app/server/package.json server/package.json
COPY --from=build /app/server/dist server/dist
COPY --from=build /app/server/demo server/demo
COPY --from=build /app/recorder-agent/bundle recorder-agent/bundle
COPY --from=build /app/workers/package.json workers/package.json
COPY --from=build /app/workers/dist workers/dist
COPY --from=build /app/review-ui/dist review-ui/dist
USER node
EXPOSE 8080
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "server/dist/main.js"]
