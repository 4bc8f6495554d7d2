#!/usr/bin/env bash
# Installs what the test suite needs besides the Rust toolchain, when missing:
#   git                      fixture repositories are built with the real git
#   chromium-headless-shell  renders the HTML report (tests/report.rs)
#   poppler-utils            pdftotext / pdftoppm read the PDF board pack
# Debian packages; run as root (CI) or with sudo. Safe to run repeatedly.
set -euo pipefail

missing=()
command -v git >/dev/null || missing+=(git)
command -v chromium-headless-shell >/dev/null || command -v chromium >/dev/null || missing+=(chromium-headless-shell)
command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null || missing+=(poppler-utils)

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "installing test dependencies: ${missing[*]}" >&2
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
