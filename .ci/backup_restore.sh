#!/usr/bin/env bash
# CI: back up a populated database with deploy/backup.sh, restore it into a new one with
# deploy/restore.sh, and compare every table's row count and content checksum, and the media files.
set -euo pipefail
cd "$(dirname "$0")/.."
PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
export PGOPTIONS="--client-min-messages=warning"
SRC="copp_backup_src_$$" DST="copp_backup_dst_$$"
WORK="$(mktemp -d)"
cleanup() {
  for db in "${SRC}" "${DST}"; do psql -h "${PGHOST}" -p "${PGPORT}" -U "${PGUSER}" -qc "DROP DATABASE IF EXISTS ${db}" >/dev/null 2>&1 || true; done
  rm -rf "${WORK}"
}
trap cleanup EXIT
url() { echo "postgres://${PGUSER}@${PGHOST}:${PGPORT}/$1"; }

psql -h "${PGHOST}" -p "${PGPORT}" -U "${PGUSER}" -qc "CREATE DATABASE ${SRC}" >/dev/null
export DEBUG=1 MEDIA_ROOT="${WORK}/media-src"
unset REDIS_URL
DATABASE_URL="$(url "${SRC}")" .venv/bin/python manage.py migrate -v0
DATABASE_URL="$(url "${SRC}")" .venv/bin/python manage.py load_order >/dev/null
DATABASE_URL="$(url "${SRC}")" .venv/bin/python manage.py generate_demo --scale small >/dev/null
mkdir -p "${MEDIA_ROOT}/evidence" && head -c 4096 /dev/urandom > "${MEDIA_ROOT}/evidence/probe.bin"

mapfile -t FILES < <(DATABASE_URL="$(url "${SRC}")" deploy/backup.sh "${WORK}/backup")
psql -h "${PGHOST}" -p "${PGPORT}" -U "${PGUSER}" -qc "CREATE DATABASE ${DST}" >/dev/null
DATABASE_URL="$(url "${DST}")" MEDIA_ROOT="${WORK}/media-dst" deploy/restore.sh "${FILES[0]}" "${FILES[1]}"

# One line per table: name, row count, md5 of the rows in a stable order.
fingerprint() {
  psql "$(url "$1")" -Atq <<'SQL'
DO $$
DECLARE t record; n bigint; h text;
BEGIN
  CREATE TEMP TABLE fp(name text, n bigint, h text);
  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename LOOP
    EXECUTE format('SELECT count(*), md5(coalesce(string_agg(x::text, E''\n'' ORDER BY x::text), '''')) FROM %I x', t.tablename) INTO n, h;
    INSERT INTO fp VALUES (t.tablename, n, h);
  END LOOP;
END $$;
SELECT name || ' ' || n || ' ' || h FROM fp ORDER BY name;
SQL
}
fingerprint "${SRC}" > "${WORK}/src.txt"
fingerprint "${DST}" > "${WORK}/dst.txt"
diff -u "${WORK}/src.txt" "${WORK}/dst.txt"
ROWS="$(awk '{s += $2} END {print s}' "${WORK}/src.txt")"
[ "${ROWS}" -gt 1000 ] || { echo "the source database is not populated (${ROWS} rows)"; exit 1; }
diff -r "${WORK}/media-src" "${WORK}/media-dst"
echo "backup and restore: $(wc -l < "${WORK}/src.txt") tables, ${ROWS} rows, checksums and media equal"
