#!/usr/bin/env bash
# The main job: install dependencies, build chipwright, and compare the
# custom SF2 inference chip against GPUs on Llama-3.1-70B serving.
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCHIPWRIGHT_BUILD_TESTS=OFF \
  -DCHIPWRIGHT_BUILD_BENCH=OFF -DCHIPWRIGHT_BUILD_PYTHON=OFF >/dev/null
cmake --build build --target chipwright
./build/chipwright compare "$@"
