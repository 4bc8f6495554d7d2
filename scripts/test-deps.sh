#!/usr/bin/env bash
# Installs what the test suite needs besides the Rust toolchain, when missing:
#   git                      fixture repositories are built with the real git
#   chromium-headless-shell  renders the HTML report (tests/report.rs)
#   poppler-utils            pdftotext / pdftoppm read the PDF board pack
#   nodejs, npm              the probe tests' real programs (scripts/probe-deps.sh
#                            installs semver and json-server from npm, project-local)
# Debian packages; run as root (CI) or with sudo. Safe to run repeatedly.
set -euo pipefail

missing=()
command -v git >/dev/null || missing+=(git)
command -v chromium-headless-shell >/dev/null || command -v chromium >/dev/null || missing+=(chromium-headless-shell)
command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null || missing+=(poppler-utils)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "installing test dependencies: ${missing[*]}" >&2
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The probe tests' programs, into target/probe-deps/ (needs the npm registry).
bash "$(dirname "$0")/probe-deps.sh"
