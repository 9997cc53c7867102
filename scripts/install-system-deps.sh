#!/usr/bin/env bash
# Make sure the programs outside Python are here: Java 8-17 for H2O and, with
# --with-chromium, Debian's Chromium for the book's browser test. As root on a
# Debian/Ubuntu machine, missing ones are installed with apt-get; otherwise the
# script says what to install and fails.
set -euo pipefail

with_chromium=false
[ "${1:-}" = "--with-chromium" ] && with_chromium=true

java_ok() {
  command -v java >/dev/null 2>&1 || return 1
  local v
  v=$(java -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\)\(\.\([0-9]*\)\)\?.*/\1 \3/p' | head -n1)
  set -- $v
  local major=$1
  [ "$major" = 1 ] && major=${2:-0}
  [ "$major" -ge 8 ] && [ "$major" -le 17 ]
}

missing=()
java_ok || missing+=(openjdk-17-jre-headless)
if $with_chromium && ! command -v "${CHROMIUM:-chromium}" >/dev/null 2>&1; then
  missing+=(chromium fonts-dejavu-core)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing[*]} with apt-get ..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if ! java_ok; then
    echo "error: Java 17 was installed but 'java' on PATH is another version: put Java 17 first on PATH." >&2
    exit 1
  fi
  exit 0
fi
echo "error: missing ${missing[*]}. Install them (on Debian/Ubuntu: sudo apt-get install ${missing[*]};" \
     "elsewhere: a Java 17 JDK/JRE and Chromium), then run make again." >&2
exit 1
