#!/usr/bin/env bash
# Make a local PostgreSQL server with the pgvector extension available for synthstore,
# then print the DATABASE_URL to use on stdout (and nothing else on stdout; logs go to stderr).
#
#   DATABASE_URL=$(bash scripts/setup-postgres.sh)
#
# Steps (each one skipped when already done, so a second run is fast and changes nothing):
#   1. no cluster installed    -> apt-get install postgresql, create the cluster
#   2. cluster down            -> pg_ctlcluster --skip-systemctl-redirect <major> main start
#   3. no `vector` extension   -> build pgvector from Debian trixie's source package
#                                 (bookworm has no pgvector package), then restart the cluster
#   4. role + database         -> role `synthstore` (LOGIN SUPERUSER, password `synthstore`) and
#                                 database `synthstore` owned by it, with `CREATE EXTENSION vector`
#   5. verify over TCP with the printed URL.
# The password makes the URL work with Debian's default scram auth on 127.0.0.1 as well as trust.
# The role is a superuser because pgvector is not a trusted extension (its vector.control has no
# `trusted = true`): only a superuser can CREATE/DROP EXTENSION vector, e.g. in databases that tests
# create and drop. This matches embedded PGlite, where the app also runs as a superuser. It is a
# local development/CI database only; a production role should not be a superuser.
# Debian bookworm, run as root (apt, pg_ctlcluster, and `runuser -u postgres` for admin SQL).
set -euo pipefail

NAME=setup-postgres
DB_NAME=synthstore
DB_ROLE=synthstore
DB_PASSWORD=synthstore
SOCKET_DIR=/var/run/postgresql
TRIXIE_SRC=/etc/apt/sources.list.d/synthstore-pgvector-trixie-src.sources
export DEBIAN_FRONTEND=noninteractive

# Everything below writes to stderr; only the final URL goes to the original stdout (fd 3).
exec 3>&1 1>&2

START=$SECONDS
log() { echo "[$NAME] $*" >&2; }
die() { echo "[$NAME] ERROR: $*" >&2; exit 1; }
need_root() { [ "$(id -u)" -eq 0 ] || die "$1 needs root (running as $(id -un)); re-run as root"; }

WORKDIR=
cleanup() {
  local rc=$?
  if [ -n "$WORKDIR" ]; then rm -rf "$WORKDIR"; fi
  # Never leave the trixie source list behind (also on failure), or later installs could see trixie.
  if [ -e "$TRIXIE_SRC" ]; then
    log "removing $TRIXIE_SRC and running apt-get update"
    rm -f "$TRIXIE_SRC"
    apt-get update -q || log "WARNING: apt-get update after removing $TRIXIE_SRC failed"
  fi
  exit "$rc"
}
trap cleanup EXIT

APT_UPDATED=
apt_update_once() {
  if [ -z "$APT_UPDATED" ]; then
    log "apt-get update"
    apt-get update -q || die "apt-get update failed"
    APT_UPDATED=1
  fi
}

# Highest-version cluster as "ver name port status owner datadir logfile", or nothing.
cluster_line() {
  command -v pg_lsclusters >/dev/null 2>&1 || return 0
  pg_lsclusters -h 2>/dev/null | sort -k1,1n | tail -n 1
}

# psql as the cluster's superuser over the Unix socket (peer auth).
psql_admin() {
  if [ "$(id -u)" -eq 0 ] && [ "$(id -un)" != "$PG_OWNER" ]; then
    (cd / && runuser -u "$PG_OWNER" -- psql -X -q -v ON_ERROR_STOP=1 -h "$SOCKET_DIR" -p "$PG_PORT" "$@")
  else
    psql -X -q -v ON_ERROR_STOP=1 -h "$SOCKET_DIR" -p "$PG_PORT" -U "$PG_OWNER" "$@"
  fi
}

wait_ready() {
  local i
  for i in $(seq 1 60); do
    if pg_isready -q -h "$SOCKET_DIR" -p "$PG_PORT"; then return 0; fi
    sleep 0.5
  done
  die "cluster $PG_VER/$PG_NAME is not accepting connections on port $PG_PORT after 30 s (see $PG_LOG)"
}

load_cluster() {
  local line
  line=$(cluster_line)
  [ -n "$line" ] || return 1
  read -r PG_VER PG_NAME PG_PORT PG_STATUS PG_OWNER PG_DATA PG_LOG <<<"$line"
}

restart_cluster() {
  log "restarting cluster $PG_VER/$PG_NAME"
  pg_ctlcluster --skip-systemctl-redirect "$PG_VER" "$PG_NAME" restart || die "pg_ctlcluster restart failed (see $PG_LOG)"
  wait_ready
}

# ---- 1. a cluster exists -------------------------------------------------------------------
if ! load_cluster; then
  need_root "installing PostgreSQL"
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    apt_update_once
    log "no PostgreSQL server installed: apt-get install postgresql"
    apt-get install -y -q postgresql || die "apt-get install postgresql failed"
  fi
  if ! load_cluster; then
    major=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
    log "no cluster: pg_createcluster $major main"
    pg_createcluster "$major" main || die "pg_createcluster $major main failed"
  fi
  load_cluster || die "still no PostgreSQL cluster after installing (pg_lsclusters is empty)"
fi
log "cluster $PG_VER/$PG_NAME port $PG_PORT owner $PG_OWNER: $PG_STATUS"

# ---- 2. it is running ----------------------------------------------------------------------
if [[ "$PG_STATUS" != online* ]]; then
  log "starting cluster $PG_VER/$PG_NAME"
  pg_ctlcluster --skip-systemctl-redirect "$PG_VER" "$PG_NAME" start || die "pg_ctlcluster start failed (see $PG_LOG)"
fi
wait_ready

# A running server older than its binaries on disk (server package upgraded by apt, which does not
# restart it here) may fail to load newly built extensions: restart it.
disk_version=$("/usr/lib/postgresql/$PG_VER/bin/postgres" --version | awk '{print $3}')
running_version=$(psql_admin -d postgres -Atc 'SHOW server_version' | awk '{print $1}')
if [ "$disk_version" != "$running_version" ]; then
  log "running server is $running_version but installed binaries are $disk_version"
  restart_cluster
fi

# ---- 3. pgvector is available --------------------------------------------------------------
vector_available() {
  [ "$(psql_admin -d postgres -Atc "SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")" = 1 ]
}

if ! vector_available; then
  need_root "building pgvector"
  log "pgvector is not installed: building it from Debian trixie's source package"
  log "writing temporary $TRIXIE_SRC"
  cat >"$TRIXIE_SRC" <<SRC
# Temporary, written by synthstore scripts/setup-postgres.sh to fetch pgvector's source; removed on exit.
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  APT_UPDATED=
  apt_update_once
  log "apt-get install postgresql-server-dev-$PG_VER build-essential"
  apt-get install -y -q --no-install-recommends "postgresql-server-dev-$PG_VER" build-essential \
    || die "apt-get install postgresql-server-dev-$PG_VER build-essential failed"

  WORKDIR=$(mktemp -d /tmp/synthstore-pgvector.XXXXXX)
  # Let apt's _apt user download into it (avoids the "unsandboxed as root" warning).
  if id _apt >/dev/null 2>&1; then chown _apt "$WORKDIR"; fi
  log "apt-get source pgvector in $WORKDIR"
  (cd "$WORKDIR" && apt-get source -q pgvector) || die "apt-get source pgvector failed"
  srcdir=$(find "$WORKDIR" -mindepth 1 -maxdepth 1 -type d -name 'pgvector-*' | head -n 1)
  [ -n "$srcdir" ] || die "apt-get source pgvector left no pgvector-* folder in $WORKDIR"
  log "building $(basename "$srcdir")"
  # OPTFLAGS= : no -march=native, so the installed library also runs if the CPU changes.
  make -C "$srcdir" -j2 PG_CONFIG="/usr/lib/postgresql/$PG_VER/bin/pg_config" OPTFLAGS= \
    || die "building pgvector failed"
  make -C "$srcdir" install PG_CONFIG="/usr/lib/postgresql/$PG_VER/bin/pg_config" \
    || die "installing pgvector failed"

  # Drop trixie again right away (the EXIT trap does the same if anything above failed).
  log "removing $TRIXIE_SRC and running apt-get update"
  rm -f "$TRIXIE_SRC"
  apt-get update -q || log "WARNING: apt-get update after removing $TRIXIE_SRC failed"

  # Installing postgresql-server-dev may have upgraded the server package; apt did not restart it.
  restart_cluster
  vector_available || die "pgvector was built and installed but 'vector' is still not in pg_available_extensions"
fi

# ---- 4. role, database, extension ----------------------------------------------------------
role=$(psql_admin -d postgres -Atc "SELECT rolsuper AND rolcanlogin FROM pg_roles WHERE rolname = '$DB_ROLE'")
if [ -z "$role" ]; then
  log "creating role $DB_ROLE"
  psql_admin -d postgres -c "CREATE ROLE $DB_ROLE LOGIN SUPERUSER PASSWORD '$DB_PASSWORD'"
elif [ "$role" != t ]; then
  log "making role $DB_ROLE LOGIN SUPERUSER"
  psql_admin -d postgres -c "ALTER ROLE $DB_ROLE LOGIN SUPERUSER"
fi
if [ "$(psql_admin -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" != 1 ]; then
  log "creating database $DB_NAME owned by $DB_ROLE"
  psql_admin -d postgres -c "CREATE DATABASE $DB_NAME OWNER $DB_ROLE"
fi
psql_admin -d "$DB_NAME" -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION IF NOT EXISTS vector' \
  || die "CREATE EXTENSION vector failed in database $DB_NAME"

# ---- 5. verify over TCP as the application role ----------------------------------------------
URL="postgres://$DB_ROLE:$DB_PASSWORD@127.0.0.1:$PG_PORT/$DB_NAME"
check=$(psql -X -At -v ON_ERROR_STOP=1 "$URL" -c \
  "SELECT current_user, extversion, '[1,2,3]'::vector <-> '[1,2,5]'::vector FROM pg_extension WHERE extname = 'vector'") \
  || die "cannot connect to $URL with psql (check pg_hba.conf of cluster $PG_VER/$PG_NAME)"
IFS='|' read -r who vector_version dist <<<"$check"
[ "$who" = "$DB_ROLE" ] && [ "$dist" = 2 ] || die "unexpected answer from $URL: $check"
log "OK: PostgreSQL $(psql -X -At "$URL" -c 'SHOW server_version' | awk '{print $1}'), pgvector $vector_version, database $DB_NAME (took $((SECONDS - START)) s)"

echo "$URL" >&3
