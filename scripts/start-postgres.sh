#!/usr/bin/env bash
# Start the Debian PostgreSQL cluster used by the test suite and print the URL to export.
#
#   eval "$(sudo scripts/start-postgres.sh)"    # then: pytest -m postgres ...
#
# Run as root on Debian 12 with the `postgresql` package installed (this script installs nothing).
# Idempotent: starting an already running cluster or re-creating an existing role is a no-op.
# Progress goes to stderr; stdout carries only the `export VMWALL_TEST_PG_URL=...` line.
set -euo pipefail

ROLE=vmwall
PASSWORD=vmwall
HOST=127.0.0.1

log() { printf 'start-postgres: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ $(id -u) -eq 0 ]] || die "run as root (it starts the cluster and runs psql as the postgres user)"
command -v pg_lsclusters >/dev/null || die "pg_lsclusters not found: install the postgresql package first"

# Newest installed server version, e.g. 15.
version=$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null | sort -n | tail -n 1)
[[ -n $version ]] || die "no PostgreSQL server under /usr/lib/postgresql: install the postgresql package first"

cluster=$(pg_lsclusters --no-header | awk -v v="$version" '$1 == v { print $2; exit }')
if [[ -z $cluster ]]; then
    log "creating cluster $version/main"
    pg_createcluster "$version" main >&2
    cluster=main
fi

read -r port status < <(pg_lsclusters --no-header | awk -v v="$version" -v c="$cluster" '$1 == v && $2 == c { print $3, $4 }')
if [[ $status == online* ]]; then
    log "cluster $version/$cluster already running on port $port"
else
    log "starting cluster $version/$cluster on port $port"
    pg_ctlcluster "$version" "$cluster" start >&2
fi

for _ in $(seq 1 60); do
    if pg_isready -q -h "$HOST" -p "$port"; then
        break
    fi
    sleep 0.5
done
pg_isready -q -h "$HOST" -p "$port" || die "cluster $version/$cluster not accepting connections on $HOST:$port after 30 s"

# CREATE ROLE has no IF NOT EXISTS: create it or bring an existing one to the wanted state.
runuser -u postgres -- psql -q -X -v ON_ERROR_STOP=1 -p "$port" -d postgres >&2 <<SQL
DO \$\$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') THEN
        CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD';
    ELSE
        ALTER ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD';
    END IF;
END
\$\$;
SQL
log "role $ROLE ready (LOGIN CREATEDB)"

echo "export VMWALL_TEST_PG_URL=postgresql://$ROLE:$PASSWORD@$HOST:$port/postgres"
