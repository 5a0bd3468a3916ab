#!/usr/bin/env bash
# Regenerates the measured part of ACCURACY.md from `chipwright validate` on
# the calibration files (everything after the "## Full output" heading).
set -euo pipefail
cd "$(dirname "$0")/.."
head=$(sed '/^## Full output/,$d' ACCURACY.md)
{
  printf '%s\n## Full output\n' "$head"
  for f in tests/data/calibration/cases.yaml tests/data/calibration/device-h100-2026-11-25.yaml \
    tests/data/calibration/device-h200-2026-11-25.yaml \
    tests/data/calibration/published-fa3-2026-12-02.yaml \
    tests/data/calibration/published-serving-2026-12-03.yaml \
    tests/data/calibration/published-nemo-latency-2026-12-03.yaml; do
    printf '\n`./build/chipwright validate %s`\n\n```\n%s\n```\n' "$f" \
      "$(./build/chipwright validate "$f" 2>/dev/null)"
  done
} > ACCURACY.md.tmp && mv ACCURACY.md.tmp ACCURACY.md
