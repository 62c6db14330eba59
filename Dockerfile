FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY schemas ./schemas
COPY src ./src
COPY workers ./workers
COPY samples ./samples
COPY tsconfig.json ./
RUN mkdir -p /app/data && chown node:node /app/data
USER node
CMD ["node", "bin/imr.js", "start"]
