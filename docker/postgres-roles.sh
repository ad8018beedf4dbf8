#!/bin/bash
# First start of the compose PostgreSQL (docker-entrypoint-initdb.d): the
# owner role that migrates (no superuser) owns the rngseal database; the
# service role only logs in, and gets its grants from
# `rngseal migrate --grant rngseal` (docs/postgres.md).
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner_pw="$RNGSEAL_OWNER_PASSWORD" -v service_pw="$RNGSEAL_DB_PASSWORD" <<'SQL'
CREATE ROLE rngseal_owner LOGIN PASSWORD :'owner_pw';
CREATE ROLE rngseal LOGIN PASSWORD :'service_pw';
ALTER DATABASE rngseal OWNER TO rngseal_owner;
SQL
