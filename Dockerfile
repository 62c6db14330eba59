# Build stage: every dependency, the TypeScript compiled to dist/ (npm ci runs `prepare`), then the
# development dependencies dropped.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY scripts/build.mjs ./scripts/build.mjs
COPY schemas ./schemas
COPY src ./src
COPY workers ./workers
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

# Run stage: compiled JavaScript and production dependencies only.
FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY samples ./samples
RUN mkdir -p /app/data && chown node:node /app/data
USER node
CMD ["node", "bin/imr.js", "start"]
