#!/usr/bin/env bash
# A single-node Ceph with radosgw on 127.0.0.1:7480 for the storage tests: one mon, one memstore OSD
# (data in RAM), SigV4-checking S3 with one test user. Debian 12 packages: ceph-mon ceph-osd radosgw ceph-common.
#   scripts/ceph-rgw.sh install   apt-get install the packages (root)
#   scripts/ceph-rgw.sh start     start mon, osd and rgw, create the user, wait until S3 answers
#   scripts/ceph-rgw.sh stop      stop the three daemons and remove the data
#   scripts/ceph-rgw.sh status    exit 0 when S3 answers
# Tests find it through CEPH_S3_ENDPOINT (default http://127.0.0.1:7480), key TESTKEY / TESTSECRET.
set -euo pipefail
D=${CEPH_DIR:-/tmp/russfm-ceph}
PORT=${CEPH_RGW_PORT:-7480}
MON_PORT=${CEPH_MON_PORT:-6789}
ENDPOINT="http://127.0.0.1:${PORT}"

answers() {
  if command -v curl >/dev/null; then curl -s -o /dev/null -m 2 "$ENDPOINT/"
  else timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT" 2>/dev/null; fi
}

install() {
  export DEBIAN_FRONTEND=noninteractive
  local pkgs=(ceph-mon ceph-osd radosgw ceph-common uuid-runtime curl procps)
  local out; out=$(mktemp)
  # A third-party source that cannot be reached makes `apt-get update` fail although Debian's own lists
  # arrived; the install below is the real test, so update errors are only reported.
  apt-get update -qq -o DPkg::Lock::Timeout=300 >"$out" 2>&1 || { echo "ceph-rgw: apt-get update reported errors:" >&2; tail -n 15 "$out" >&2; }
  for attempt in 1 2 3; do
    if apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 "${pkgs[@]}" >"$out" 2>&1; then
      rm -f "$out"; return 0
    fi
    echo "ceph-rgw: apt-get install failed (attempt $attempt of 3):" >&2; tail -n 20 "$out" >&2
    machine
    apt-get clean >/dev/null 2>&1 || true # downloaded packages: space, if that was the problem
    dpkg --configure -a >/dev/null 2>&1 || true
    sleep $((attempt * 5))
  done
  rm -f "$out"; return 1
}

start() {
  if answers; then echo "ceph-rgw: already answering at $ENDPOINT"; return 0; fi
  rm -rf "$D" && mkdir -p "$D/mon" "$D/osd" "$D/run" "$D/log"
  local fsid; fsid=$(uuidgen)
  cat > "$D/ceph.conf" <<CONF
[global]
fsid = $fsid
mon host = v1:127.0.0.1:$MON_PORT
auth cluster required = none
auth service required = none
auth client required = none
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd objectstore = memstore
memstore device bytes = 2147483648
osd crush chooseleaf type = 0
ms bind msgr2 = false
mon data = $D/mon/\$cluster-\$id
osd data = $D/osd/\$cluster-\$id
run dir = $D/run
log file = $D/log/\$name.log
admin socket = $D/run/\$name.asok
pid file = $D/run/\$name.pid
[client.rgw.local]
rgw frontends = beast endpoint=127.0.0.1:$PORT
CONF
  monmaptool --create --fsid "$fsid" --addv a "[v1:127.0.0.1:$MON_PORT]" "$D/monmap" >/dev/null
  ceph-mon -c "$D/ceph.conf" --mkfs -i a --monmap "$D/monmap" || fail "ceph-mon --mkfs failed"
  ceph-mon -c "$D/ceph.conf" -i a || fail "ceph-mon did not start (is port $MON_PORT taken?)"
  local id; id=$(timeout 60 ceph -c "$D/ceph.conf" osd create) || fail "the monitor did not answer"
  mkdir -p "$D/osd/ceph-$id"
  ceph-osd -c "$D/ceph.conf" -i "$id" --mkfs 2>>"$D/log/start.log" || fail "ceph-osd --mkfs failed"
  # Seen once here: an OSD starting right after the monitor sends its first command with an empty fsid
  # ("wrong fsid") and exits. It starts on a second try.
  local started=no
  for attempt in 1 2 3; do
    if ceph-osd -c "$D/ceph.conf" -i "$id" 2>>"$D/log/start.log"; then started=yes; break; fi
    echo "ceph-rgw: ceph-osd did not start (attempt $attempt of 3); retrying" >&2
    sleep $((attempt * 2))
  done
  [ "$started" = yes ] || fail "ceph-osd did not start"
  radosgw -c "$D/ceph.conf" -n client.rgw.local 2>>"$D/log/start.log" || fail "radosgw did not start"
  for _ in $(seq 1 120); do answers && break; sleep 0.5; done
  answers || fail "radosgw did not answer at $ENDPOINT within 60 s"
  radosgw-admin -c "$D/ceph.conf" -n client.rgw.local user create --uid=test --display-name=test \
    --access-key=TESTKEY --secret=TESTSECRET >/dev/null 2>>"$D/log/start.log"
  echo "ceph-rgw: S3 at $ENDPOINT (TESTKEY / TESTSECRET), data in $D"
}

stop() {
  local pids=()
  for file in "$D"/run/*.pid; do [ -f "$file" ] && pids+=("$(cat "$file")"); done
  # Daemons whose pid file is gone (a start that failed half-way) are found by their config path.
  while read -r pid; do pids+=("$pid"); done < <(pgrep -f -- "-c $D/ceph.conf" || true)
  [ ${#pids[@]} -gt 0 ] || { rm -rf "$D"; return 0; }
  kill "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "${pids[@]}" 2>/dev/null || break; sleep 0.25; done
  kill -9 "${pids[@]}" 2>/dev/null || true # still there after 10 s
  rm -rf "$D"
}

# What a failed set-up on an unknown machine needs to be understood: who we are, space, the ports.
machine() {
  echo "ceph-rgw: uid $(id -u); free space:" >&2
  df -h /var /tmp 2>/dev/null | sed 's/^/  /' >&2 || true
  for port in "$MON_PORT" "$PORT"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "ceph-rgw: port $port is already taken" >&2; fi
  done
}

fail() {
  echo "ceph-rgw: $1; the last log lines:" >&2
  tail -n 20 "$D"/log/*.log >&2 2>/dev/null || true
  machine
  exit 1
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) answers ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
