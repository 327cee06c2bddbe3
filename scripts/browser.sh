#!/usr/bin/env bash
# Install the browser the end-to-end tests drive: Debian's chromium, never a downloaded build.
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium
fi
/usr/bin/chromium --version
