#!/usr/bin/env bash
# Verifies the systemd units offline, the way CI runs it: no systemd as PID 1,
# no daemon-reload, nothing installed on the host. The units are copied into a
# scratch root (--root) beside the distribution's own units, which they depend
# on (network-online.target, sysinit.target, ...), and a stub stands in for the
# ExecStart binary. Any output of `systemd-analyze verify` (an unknown key, a
# bad value, a missing binary) fails the run, because verify itself exits 0 on
# most of them. The hardening exposure score must stay at or below
# MAX_EXPOSURE (systemd's 0-100 scale; 20 shows as "2.0").
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
max_exposure="${MAX_EXPOSURE:-20}"

if ! command -v systemd-analyze >/dev/null 2>&1 || [ ! -d /usr/lib/systemd/system ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing systemd-analyze from Debian's systemd package"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd >/dev/null
  else
    echo "verify.sh: systemd-analyze is missing and cannot be installed (needs root and apt-get)" >&2
    exit 1
  fi
fi

root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/etc/systemd/system" "$root/usr/lib/systemd"
cp -a /usr/lib/systemd/system "$root/usr/lib/systemd/"
cp "$here"/*.service "$root/etc/systemd/system/"

# A stub at every ExecStart path: verify checks that the binary is executable.
for bin in $(sed -n 's/^ExecStart=[-@:+!]*\([^ ]*\).*/\1/p' "$here"/*.service | sort -u); do
  mkdir -p "$root$(dirname "$bin")"
  printf '#!/bin/sh\nexit 0\n' >"$root$bin"
  chmod 0755 "$root$bin"
done

# The template is checked through a real instance, so %i expands as it will.
units=(dispatchd.service dispatchd@8081.service)
systemd-analyze --version | head -1

rc=0
out="$(systemd-analyze verify --man=no --root="$root" "${units[@]}" 2>&1)" || rc=$?
if [ "$rc" != 0 ] || [ -n "$out" ]; then
  echo "systemd-analyze verify: FAILED (exit $rc)" >&2
  printf '%s\n' "$out" | sed "s|$root||g" >&2
  exit 1
fi
echo "systemd-analyze verify: ok (${units[*]})"

rc=0
out="$(systemd-analyze security --offline=yes --root="$root" --threshold="$max_exposure" "${units[@]}" 2>&1)" || rc=$?
printf '%s\n' "$out" | grep 'Overall exposure level' || true
if [ "$rc" != 0 ]; then
  echo "systemd-analyze security: FAILED: exposure above $max_exposure (0-100 scale) or an error" >&2
  printf '%s\n' "$out" | grep -v '^✓' >&2
  exit 1
fi
echo "systemd-analyze security: ok (threshold $max_exposure)"
