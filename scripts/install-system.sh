#!/usr/bin/env bash
# Installs the Debian packages Moksori needs, only when one is missing.
set -euo pipefail
needed=()
command -v espeak-ng >/dev/null || needed+=(espeak-ng)
command -v sox >/dev/null || needed+=(sox)
command -v ffmpeg >/dev/null || needed+=(ffmpeg)
command -v chromium >/dev/null || needed+=(chromium)
command -v chromedriver >/dev/null || needed+=(chromium-driver)
# Far phones on loopback for the SIP call tests: sipp (scripted answers) and baresip (plays and records WAVs).
command -v sipp >/dev/null || needed+=(sip-tester)
command -v baresip >/dev/null || needed+=(baresip-core)
# A registrar on loopback for the SIP registration tests (kamailio lives in /usr/sbin).
[ -x /usr/sbin/kamailio ] || command -v kamailio >/dev/null || needed+=(kamailio)
# Speech Dispatcher, so screen readers can speak with a Moksori voice (`moksori speech-dispatcher`).
command -v spd-say >/dev/null || needed+=(speech-dispatcher speech-dispatcher-audio-plugins)
# Korean glyphs for the headless browser that the end-to-end tests and screenshots use.
[ -d /usr/share/fonts/truetype/nanum ] || needed+=(fonts-nanum)
# PostgreSQL and Redis: the second database of the test matrix and the build queue of a scaled-out
# install (scripts/test-services.sh starts them for the tests; a home install needs neither).
if [ -n "${MOKSORI_WITH_SERVICES:-}" ] || [ -n "${CI:-}" ]; then
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || needed+=(postgresql)
  command -v pg_dump >/dev/null || needed+=(postgresql-client)
  command -v redis-server >/dev/null || needed+=(redis-server)
fi
[ ${#needed[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing system packages: ${needed[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
