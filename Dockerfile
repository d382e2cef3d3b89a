# The server image used by docker-compose.yml.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# The server runs as plain JavaScript (dist/, scripts/build-server.js): no TypeScript loader between a restart and ready.
RUN npm run build:client && npm run build:server
ENV NODE_ENV=production
EXPOSE 3000
CMD ["node", "dist/server/main.js"]
