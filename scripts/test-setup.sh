#!/usr/bin/env bash
# What `npm test` needs on a fresh machine of this kind, done before the build: PostgreSQL and
# MariaDB running on loopback (the integration tests' peers), and Debian's chromium (the web UI's
# browser test drives it through playwright-core, never a downloaded browser). Each step is skipped
# when its service answers or its program is there, so a second run costs two pings and a stat.
set -euo pipefail

pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
maria_up() { mariadb-admin -h 127.0.0.1 -u root ping >/dev/null 2>&1; }

if ! pg_up; then
  echo "test-setup: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
fi
if ! maria_up; then
  echo "test-setup: starting MariaDB"
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
fi

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "test-setup: installing Debian's chromium for the browser test"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  else
    echo "test-setup: /usr/bin/chromium is missing and the browser test needs it; as root, run:" >&2
    echo "  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium" >&2
    exit 1
  fi
fi

# Started in the background, the servers take a few seconds to accept connections.
for _ in $(seq 1 30); do
  pg_up && maria_up && exit 0
  sleep 1
done
pg_up || echo "test-setup: PostgreSQL does not answer on 127.0.0.1:5432; see /var/log/postgresql/" >&2
maria_up || echo "test-setup: MariaDB does not answer on 127.0.0.1:3306; see its error log under /var/lib/mysql/" >&2
exit 1
