#!/bin/sh
# Install Debian packages for `make test` with apt-get, through sudo when not root.
#   tools/apt_install.sh WHAT PURPOSE NEED ADVICE PACKAGE...
# WHAT names the packages in messages, PURPOSE says which tests need them, NEED what they need and
# ADVICE how else to provide it. Exit 3 (with the reason) when it cannot try: no apt-get, or neither root nor
# sudo; otherwise apt-get's own status, which the caller follows with its check that the files are there.
set -u
what=$1 purpose=$2 need=$3 advice=$4
shift 4
if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: $need, and there is no apt-get here to install Debian's $what: $advice." >&2
  exit 3
fi
if [ "$(id -u)" = 0 ]; then SUDO=
elif command -v sudo >/dev/null 2>&1; then SUDO=sudo
else echo "error: installing $what needs root, and sudo is not installed." >&2; exit 3; fi
echo "Installing Debian's $what for the $purpose"
$SUDO apt-get update -qq &&
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
