#!/usr/bin/env bash
# Make sure the Debian 12 system packages Kiosk needs are installed.
#   scripts/system-deps.sh demo   # what `make demo` needs
#   scripts/system-deps.sh test   # what `make test` needs (a superset)
# Does nothing (no apt work at all) when everything is already present.
set -euo pipefail

usage() { echo "usage: $0 demo|test" >&2; exit 2; }
[[ $# -eq 1 ]] || usage

# WeasyPrint (receipts/statements as PDF) loads Pango and HarfBuzz via ffi.
# fonts-noto-core ships Noto Nastaliq Urdu and Noto Naskh Arabic, so Urdu text
# renders with real shaping (bookworm has no separate fonts-noto-nastaliq-urdu).
# Receipts: Pillow draws text a printer's code page cannot carry (Urdu) as an image; its right-to-left
# shaping (raqm) loads libfribidi at run time; fonts-dejavu-core is the monospace for those lines.
packages=(python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core fonts-dejavu-core libfribidi0)
case "$1" in
  demo) ;;
  # postgresql: server binaries for the throwaway test cluster (tests/support/postgres.py)
  # tmux: drives the terminal UI in end-to-end tests; poppler-utils: pdftotext/pdftoppm
  # openssh-server (+ client): the remote-review test's throwaway sshd (tests/support/sshd.py)
  test) packages+=(postgresql tmux poppler-utils hledger ledger openssh-server openssh-client) ;;
  *) usage ;;
esac

if ! command -v dpkg-query >/dev/null; then
  echo "system-deps: not a Debian system; install the equivalents of: ${packages[*]}" >&2
  exit 0
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "system-deps ($1): all ${#packages[@]} packages present"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  # Not root: don't fail the build; tests that need a missing tool skip (PostgreSQL
  # tests only when its binaries are truly absent) and say why.
  echo "system-deps ($1): missing ${missing[*]}; install with: sudo apt-get install --no-install-recommends ${missing[*]}" >&2
  exit 0
fi

echo "system-deps ($1): installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
