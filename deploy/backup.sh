#!/bin/sh
# Back up the portal's database and media into DIRECTORY/<timestamp>/ (docs/deploy.md,
# "Backups and restore"). Reads DATABASE_URL, PORTAL_DATA_DIR (or DJANGO_MEDIA_ROOT and
# PORTAL_PRIVATE_MEDIA_ROOT) from the environment, as the app does.
#
#   deploy/backup.sh /srv/portal/backups
#
# The encryption keys (PORTAL_FIELD_KEYS, PORTAL_HASH_KEY) are NOT in the backup: keep them
# apart (a password safe, another machine). Without them the personal data in a dump is
# unreadable, which is the point; with them, it must not sit next to the dump.
set -eu
target="${1:?usage: deploy/backup.sh DIRECTORY}"
: "${DATABASE_URL:?DATABASE_URL is not set}"
data="${PORTAL_DATA_DIR:-var}"
media="${DJANGO_MEDIA_ROOT:-$data/media}"
private="${PORTAL_PRIVATE_MEDIA_ROOT:-$data/private}"
keep_days="${BACKUP_KEEP_DAYS:-14}"

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="$target/$stamp"
mkdir -p "$out"
umask 077

# Custom format: compressed, restorable table by table, consistent (one snapshot).
pg_dump --format=custom --no-owner --file="$out/database.dump" "$DATABASE_URL"
# Media: public CMS files and private photos (the photos are personal data: same care as the dump).
if [ "${PORTAL_MEDIA_BACKEND:-local}" = "s3" ]; then
  # In object storage: bucket versioning and the mirror of docs/deploy.md keep them.
  echo "media are in S3 buckets: not archived here (docs/deploy.md, Backups and restore)"
else
  tar -C "$media" -czf "$out/media.tar.gz" .
  if [ -d "$private" ]; then
    tar -C "$private" -czf "$out/private.tar.gz" .
  fi
fi
( cd "$out" && sha256sum ./* > SHA256SUMS )
echo "backup written to $out"

# Remove backups older than BACKUP_KEEP_DAYS days.
find "$target" -mindepth 1 -maxdepth 1 -type d -mtime +"$keep_days" -exec rm -rf {} +
