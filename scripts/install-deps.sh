#!/usr/bin/env bash
# Installs chipwright's build dependencies from Debian's packages (run as root).
# Skips apt entirely when everything is already present.
set -euo pipefail
packages=(cmake ninja-build g++ ccache libyaml-cpp-dev nlohmann-json3-dev libfmt-dev
          libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev libsqlite3-dev
          libpagmo-dev python3-dev python3-yaml pybind11-dev clang libclang-rt-14-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
