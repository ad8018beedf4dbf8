# Mirrors the README quick start: npm ci (builds better-sqlite3 and the
# TypeScript), then rngseal serve on embedded defaults.
FROM node:20-bookworm
WORKDIR /opt/rngseal
COPY . .
RUN npm ci && npm cache clean --force
ENV RNGSEAL_HOST=0.0.0.0 \
    RNGSEAL_PORT=8080 \
    RNGSEAL_DATA_DIR=/var/lib/rngseal
VOLUME /var/lib/rngseal
EXPOSE 8080
STOPSIGNAL SIGTERM
CMD ["node", "rng-service/bin/rngseal.js", "serve"]
