#!/usr/bin/env bash
# Back up the tracker: the PostgreSQL database (pg_dump custom format) and the uploaded files.
#   deploy/backup.sh /var/backups/copp          # uses DATABASE_URL and MEDIA_ROOT from the environment
# Writes <dir>/copp-<UTC timestamp>.dump and <dir>/copp-<UTC timestamp>-media.tar.gz and prints their names.
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL (postgres://user@host:port/db)}"
: "${MEDIA_ROOT:?set MEDIA_ROOT (the uploaded files directory)}"
DEST="${1:?usage: backup.sh <directory>}"
mkdir -p "${DEST}"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
DUMP="${DEST}/copp-${STAMP}.dump"
MEDIA="${DEST}/copp-${STAMP}-media.tar.gz"
pg_dump --format=custom --no-owner --no-privileges --file="${DUMP}" "${DATABASE_URL}"
if [ -d "${MEDIA_ROOT}" ]; then
  tar -C "${MEDIA_ROOT}" -czf "${MEDIA}" .
else
  tar -czf "${MEDIA}" --files-from /dev/null
fi
echo "${DUMP}"
echo "${MEDIA}"
