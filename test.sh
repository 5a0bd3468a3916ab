#!/usr/bin/env bash
# Builds chipwright and runs every test: the release build's unit, CLI and
# accuracy tests, then the unit tests again under AddressSanitizer and
# UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-deps.sh
jobs=$(nproc)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j "$jobs"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCHIPWRIGHT_SANITIZE=ON \
  -DCHIPWRIGHT_BUILD_BENCH=OFF >/dev/null
cmake --build build-asan -j "$jobs"
ctest --test-dir build-asan --output-on-failure -j "$jobs"
CHIPWRIGHT_FUZZ_JOBS="$jobs" scripts/fuzz.sh  # every parser under libFuzzer, 20 s each
echo "all tests passed"
