#!/usr/bin/env bash
# Builds chipwright and runs every test: the release build's unit, CLI,
# accuracy and Python-module tests, then the unit tests again under
# AddressSanitizer and UndefinedBehaviorSanitizer, then every parser under
# libFuzzer.
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-deps.sh
jobs=$(nproc)
# Tests, benchmarks and the Python module on explicitly: quickstart.sh
# configures the same build directory without them, and CMake would keep that
# choice in its cache.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCHIPWRIGHT_BUILD_TESTS=ON \
  -DCHIPWRIGHT_BUILD_BENCH=ON -DCHIPWRIGHT_BUILD_PYTHON=ON >/dev/null
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure --no-tests=error -j "$jobs"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCHIPWRIGHT_SANITIZE=ON \
  -DCHIPWRIGHT_BUILD_TESTS=ON -DCHIPWRIGHT_BUILD_BENCH=OFF -DCHIPWRIGHT_BUILD_PYTHON=OFF >/dev/null
cmake --build build-asan -j "$jobs"
ctest --test-dir build-asan --output-on-failure --no-tests=error -j "$jobs"
CHIPWRIGHT_FUZZ_JOBS="$jobs" scripts/fuzz.sh  # every parser under libFuzzer, 20 s each
echo "all tests passed"
