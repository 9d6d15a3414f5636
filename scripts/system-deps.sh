#!/usr/bin/env bash
# The system tools the tests need, installed from Debian's packages when missing (as root, with apt-get):
#   redis-server (integration tests), prometheus + promtool (metrics proof, rule tests),
#   docker-compose (compose file validation), openssl (TLS tests), chromium + chromium-driver
#   (the results page's browser tests, through Selenium).
# Elsewhere it only says what is missing; the tests that need a missing tool then fail and say so.
set -euo pipefail

declare -A package_of=([redis-server]=redis-server [promtool]=prometheus [prometheus]=prometheus
                       [docker-compose]=docker-compose [openssl]=openssl
                       [chromium]=chromium [chromedriver]=chromium-driver)
missing=()
for tool in redis-server promtool prometheus docker-compose openssl chromium chromedriver; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("${package_of[$tool]}")
done
# docker compose v2 can stand in for docker-compose v1.
if [[ " ${missing[*]-} " == *" docker-compose "* ]] && docker compose version >/dev/null 2>&1; then
    missing=("${missing[@]/docker-compose}")
fi
mapfile -t missing < <(printf '%s\n' "${missing[@]-}" | awk 'NF' | sort -u)
((${#missing[@]})) || exit 0

if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "system-deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "system-deps: missing ${missing[*]}; install them (e.g. sudo apt-get install ${missing[*]}) or the tests that need them fail" >&2
fi
