# Vigil server image: the same two commands as on a laptop (npm ci, npm start).
FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm ci && npm prune --omit=dev
COPY slo-definitions ./slo-definitions
COPY probes ./probes
COPY runbooks ./runbooks
COPY vigil.yaml ./
ENV VIGIL_DATA_DIR=/var/lib/vigil
VOLUME /var/lib/vigil
EXPOSE 8080
# Listening on every address needs authentication: run with -e VIGIL_INGEST_TOKEN=... (the simple setup), or
# mount a vigil.yaml with spec.auth over /app/vigil.yaml and pass the tokens it references. Without either the
# server refuses to start (exit 2) and says so.
CMD ["node", "dist/cli/main.js", "serve", "--host", "0.0.0.0"]
