#!/usr/bin/env bash
# Installs what the real-registry test lab (test/lab/) needs, from Debian's archive:
#   docker-registry  CNCF distribution 2.8 (/usr/bin/docker-registry), started by test/lab/lab.js
#   skopeo           pushes the seeded images (schema conversions, manifest lists, schema1 signing)
#   umoci            OCI layout tool (kept for manual poking at the seeded layouts)
#   apache2-utils    htpasswd -B for the basic-auth registry
#   openssl          lab CA, TLS certificate and the token issuer's signing key
#   iproute2         `ss`, used by test/lab/verify.js to check that everything listens on 127.0.0.1 only
#
# Idempotent and fast when everything is present (one dpkg-query, no apt-get update).
# Works as root in a fresh Debian 12 container with CI=true and no stdin; uses sudo when not root.
#
# The docker-registry package ships a service that listens on :5000 on every address. The lab
# never uses it (each lab picks free ports on 127.0.0.1), so we keep it from starting during the
# install (policy-rc.d exiting 101, only if the system has no policy of its own), then stop,
# kill and disable it in case it started anyway (e.g. an earlier install without policy-rc.d).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo -n); else
    echo "install.sh: must run as root (or with passwordless sudo)" >&2; exit 1
  fi
fi

PKGS=(docker-registry skopeo umoci apache2-utils openssl iproute2)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

POLICY=/usr/sbin/policy-rc.d
own_policy=0
cleanup() {
  # Remove only the policy file we created ourselves.
  if [ "$own_policy" = 1 ]; then "${SUDO[@]}" rm -f "$POLICY"; fi
}
trap cleanup EXIT

if [ "${#missing[@]}" -gt 0 ]; then
  echo "install.sh: installing ${missing[*]}"
  if [ ! -e "$POLICY" ]; then
    # 101 = "action forbidden by policy": invoke-rc.d / deb-systemd-invoke then skip starting services.
    printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee "$POLICY" >/dev/null
    "${SUDO[@]}" chmod 755 "$POLICY"
    own_policy=1
  fi
  "${SUDO[@]}" apt-get update -qq </dev/null
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${missing[@]}" </dev/null >/dev/null
fi

# --- make sure the package's own registry service is not running and will not start -------------
if [ -e /etc/init.d/docker-registry ]; then
  "${SUDO[@]}" service docker-registry stop >/dev/null 2>&1 || true
  "${SUDO[@]}" update-rc.d docker-registry disable >/dev/null 2>&1 || true
fi
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  "${SUDO[@]}" systemctl disable --now docker-registry.service >/dev/null 2>&1 || true
fi
# Kill any docker-registry process serving the package config or listening on :5000 (the packaged
# service). Lab registries run with configs under their state dir on ephemeral ports and are left
# alone. Scans /proc so that it works without procps/pgrep.
port5000_pids=" "
if command -v ss >/dev/null 2>&1; then
  port5000_pids=" $( (ss -Hltnp 'sport = :5000' 2>/dev/null || true) | (grep -o 'pid=[0-9]*' || true) | cut -d= -f2 | tr '\n' ' ') "
fi
for d in /proc/[0-9]*; do
  pid=${d#/proc/}
  exe=$(readlink "$d/exe" 2>/dev/null || true)
  case "$exe" in */docker-registry) ;; *) continue ;; esac
  cmd=$(tr '\0' ' ' <"$d/cmdline" 2>/dev/null || true)
  case "$cmd" in
    *" /etc/docker/registry/"*) ;;
    *) case "$port5000_pids" in *" $pid "*) ;; *) continue ;; esac ;;
  esac
  echo "install.sh: stopping the packaged docker-registry service (pid $pid: $cmd)"
  "${SUDO[@]}" kill -TERM "$pid" 2>/dev/null || true
  for _ in 1 2 3 4 5 6 7 8 9 10; do [ -d "$d" ] || break; sleep 0.2; done
  [ -d "$d" ] && "${SUDO[@]}" kill -KILL "$pid" 2>/dev/null || true
done

# Fail loudly if the tools are not usable (e.g. a half-finished install).
for b in /usr/bin/docker-registry skopeo umoci htpasswd openssl ss; do
  command -v "$b" >/dev/null 2>&1 || { echo "install.sh: $b not found after install" >&2; exit 1; }
done
echo "install.sh: lab tools ready ($(/usr/bin/docker-registry --version 2>/dev/null | head -1); $(skopeo --version))"
