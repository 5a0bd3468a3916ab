#!/usr/bin/env bash
# Regenerates the measured part of ACCURACY.md from `chipwright validate` on
# the calibration cases (everything after the "## Full output" heading).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(./build/chipwright validate tests/data/calibration/cases.yaml 2>/dev/null)
head=$(sed '/^## Full output/,$d' ACCURACY.md)
{
  printf '%s\n## Full output\n\n`./build/chipwright validate tests/data/calibration/cases.yaml`\n\n```\n%s\n```\n' \
    "$head" "$out"
} > ACCURACY.md.tmp && mv ACCURACY.md.tmp ACCURACY.md
