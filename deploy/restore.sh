#!/bin/sh
# Restore a backup made by deploy/backup.sh into an EMPTY database and empty media directories
# (docs/deploy.md, "Backups and restore"). Stop the app processes and workers first.
#
#   deploy/restore.sh /srv/portal/backups/20261207T023000Z
#
# Then start the app with the SAME PORTAL_FIELD_KEYS and PORTAL_HASH_KEY as when the backup was
# made (kept apart from it), and run `manage.py migrate` if the code is newer than the backup.
set -eu
source_dir="${1:?usage: deploy/restore.sh BACKUP_DIRECTORY}"
: "${DATABASE_URL:?DATABASE_URL is not set}"
data="${PORTAL_DATA_DIR:-var}"
media="${DJANGO_MEDIA_ROOT:-$data/media}"
private="${PORTAL_PRIVATE_MEDIA_ROOT:-$data/private}"

( cd "$source_dir" && sha256sum --check --quiet SHA256SUMS )
pg_restore --no-owner --exit-on-error --single-transaction --dbname="$DATABASE_URL" \
  "$source_dir/database.dump"
if [ ! -f "$source_dir/media.tar.gz" ]; then
  echo "no media archive (S3 media): restore the buckets as docs/deploy.md says"
  exit 0
fi
mkdir -p "$media"
tar -C "$media" -xzf "$source_dir/media.tar.gz"
if [ -f "$source_dir/private.tar.gz" ]; then
  mkdir -p "$private"
  chmod 700 "$private"
  tar -C "$private" -xzf "$source_dir/private.tar.gz"
fi
echo "restored $source_dir"
