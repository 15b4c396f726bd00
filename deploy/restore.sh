#!/usr/bin/env bash
# Restore a backup made by deploy/backup.sh into an EMPTY database and media directory.
#   deploy/restore.sh copp-<stamp>.dump copp-<stamp>-media.tar.gz
# Uses DATABASE_URL (the target database must exist and be empty: createdb it first) and MEDIA_ROOT.
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL (postgres://user@host:port/db)}"
: "${MEDIA_ROOT:?set MEDIA_ROOT (the uploaded files directory)}"
DUMP="${1:?usage: restore.sh <dump> <media.tar.gz>}"
MEDIA="${2:?usage: restore.sh <dump> <media.tar.gz>}"
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="${DATABASE_URL}" "${DUMP}"
mkdir -p "${MEDIA_ROOT}"
tar -C "${MEDIA_ROOT}" -xzf "${MEDIA}"
