#!/usr/bin/env bash
# A real S3-compatible server for the backup tests: Debian's Ceph (one monitor, one OSD keeping its objects in
# memory, the RADOS gateway) on loopback, all under one directory. Safe to run again: it does nothing when the
# gateway already answers. Prints the variables the tests read.
#   scripts/s3-test-server.sh start [DIR] [PORT]   (default /tmp/ttdn-s3, 7480)
#   scripts/s3-test-server.sh stop [DIR]
set -euo pipefail
trap 'echo "s3-test-server.sh: line $LINENO: $BASH_COMMAND failed (exit $?)" >&2' ERR

ACTION="${1:-start}"
DIR="${2:-/tmp/ttdn-s3}"
PORT="${3:-7480}"
MON_PORT="${TTDN_S3_MON_PORT:-6790}"
ACCESS_KEY=ttdn-test-access
SECRET_KEY=ttdn-test-secret-0123456789

# Every process of an earlier server under DIR, by pid file and by the configuration it was started with (a pid file
# may be gone with a half-removed DIR), until none is left: a monitor left running after its gateway died keeps
# the port and answers with another cluster's identity.
stop_server() {
  for pidfile in "$DIR"/run/*.pid; do
    [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  pkill -f -- "-c $DIR/ceph.conf" 2>/dev/null || true
  for _ in $(seq 1 30); do
    pgrep -f -- "-c $DIR/ceph.conf" >/dev/null || return 0
    sleep 1
  done
  pkill -9 -f -- "-c $DIR/ceph.conf" 2>/dev/null || true
  sleep 1
}
port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if [ "$ACTION" = stop ]; then
  stop_server
  exit 0
fi

print_env() {
  echo "TTDN_TEST_S3_ENDPOINT=http://127.0.0.1:$PORT"
  echo "AWS_ACCESS_KEY_ID=$ACCESS_KEY"
  echo "AWS_SECRET_ACCESS_KEY=$SECRET_KEY"
}

if curl -fsS -o /dev/null "http://127.0.0.1:$PORT/" 2>/dev/null; then print_env; exit 0; fi

command -v radosgw >/dev/null || {
  echo "radosgw is not installed (Debian packages ceph-mon ceph-osd radosgw ceph-common)" >&2; exit 1; }

stop_server
for port in "$MON_PORT" "$PORT"; do
  if port_taken "$port"; then
    echo "port 127.0.0.1:$port is taken by a program that is not this S3 test server (set TTDN_S3_MON_PORT or stop it)" >&2
    exit 1
  fi
done
rm -rf "$DIR"
mkdir -p "$DIR"/{mon,osd,rgw,run,log}
FSID="$(uuidgen)"
CONF="$DIR/ceph.conf"
cat > "$CONF" <<CONF
[global]
fsid = $FSID
mon host = v1:127.0.0.1:$MON_PORT
auth cluster required = none
auth service required = none
auth client required = none
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon warn on pool no redundancy = false
osd objectstore = memstore
memstore device bytes = 4294967296
osd crush chassis type = 0
osd crush chooseleaf type = 0
ms bind ipv6 = false
log file = $DIR/log/\$name.log
log to stderr = false
err to stderr = false
pid file = $DIR/run/\$name.pid
admin socket = $DIR/run/\$name.asok
run dir = $DIR/run
keyring = $DIR/keyring
[mon.a]
mon data = $DIR/mon
public addr = v1:127.0.0.1:$MON_PORT
[osd.0]
osd data = $DIR/osd
osd journal = $DIR/osd/journal
[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:$PORT
rgw data = $DIR/rgw
rgw dns name = 127.0.0.1
CONF

ceph-authtool --create-keyring "$DIR/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
monmaptool --create --fsid "$FSID" --addv a "[v1:127.0.0.1:$MON_PORT]" "$DIR/monmap" >/dev/null
ceph-mon -c "$CONF" -i a --mkfs --monmap "$DIR/monmap" --keyring "$DIR/keyring"
ceph-mon -c "$CONF" -i a
C=(ceph -c "$CONF" --connect-timeout 30)
"${C[@]}" osd create >/dev/null
ceph-osd -c "$CONF" -i 0 --mkfs
# The OSD registers itself with the monitor as it starts; on a busy machine it was seen to ask before it knew the
# cluster's identity ("wrong fsid") and exit. Started again until the monitor counts it up (a few tries at most).
osd_up() { "${C[@]}" osd stat 2>/dev/null | grep -q "1 up"; }
for _try in 1 2 3 4 5; do
  pkill -f -- "ceph-osd -c $CONF" 2>/dev/null || true
  ceph-osd -c "$CONF" -i 0
  for _ in $(seq 1 20); do
    osd_up && break 2
    pgrep -f -- "ceph-osd -c $CONF" >/dev/null || break
    sleep 1
  done
done
if ! osd_up; then
  echo "the Ceph OSD did not come up; its log:" >&2
  tail -n 20 "$DIR/log/osd.0.log" >&2
  exit 1
fi
"${C[@]}" osd crush add osd.0 1.0 host=localhost root=default >/dev/null 2>&1 || true
radosgw -c "$CONF" -n client.rgw
for _ in $(seq 1 120); do
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT/" 2>/dev/null && break
  sleep 1
done
radosgw-admin -c "$CONF" user create --uid=ttdn-test --display-name="TTĐN tests" \
  --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >/dev/null
print_env
