#!/usr/bin/env bash
# Builds chipwright's libFuzzer targets (fuzz/, clang with ASan + UBSan) and
# runs each for a bounded time, starting from the seed corpus in
# fuzz/corpus/<target>/. Fails if any target crashes, leaks, trips a
# sanitizer, hangs or lets an exception other than cw::UserError escape.
#
# Environment:
#   CHIPWRIGHT_FUZZ_SECONDS  seconds per target (default 20)
#   CHIPWRIGHT_FUZZ_TARGETS  space-separated subset of targets (default: all)
#   CHIPWRIGHT_FUZZ_BUILD    build directory (default build-fuzz)
#   CHIPWRIGHT_FUZZ_JOBS     build parallelism (default nproc)
#
# New inputs that reach new code are kept in $CHIPWRIGHT_FUZZ_BUILD/corpus/
# (not in the source tree). A crashing input is written to
# $CHIPWRIGHT_FUZZ_BUILD/artifacts/<target>/; after fixing the bug, copy it to
# tests/data/fuzz-regressions/<target>/ so fuzz_regression_test replays it.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${CHIPWRIGHT_FUZZ_SECONDS:-20}
build=${CHIPWRIGHT_FUZZ_BUILD:-build-fuzz}
jobs=${CHIPWRIGHT_FUZZ_JOBS:-$(nproc)}

cxx=$(command -v clang++ || command -v clang++-14 || true)
if [ -z "$cxx" ]; then
  echo "fuzz.sh: clang++ not found (scripts/install-deps.sh installs clang)" >&2
  exit 1
fi
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="$cxx" \
  -DCHIPWRIGHT_FUZZ=ON -DCHIPWRIGHT_BUILD_TESTS=OFF -DCHIPWRIGHT_BUILD_BENCH=OFF \
  -DCHIPWRIGHT_BUILD_PYTHON=OFF >/dev/null
cmake --build "$build" --target fuzzers -j "$jobs"

targets=${CHIPWRIGHT_FUZZ_TARGETS:-$(cat "$build/fuzz-targets.txt" | tr ';' ' ')}
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
printf '%-14s %8s %12s %10s %8s\n' target seconds executions exec/s corpus
for t in $targets; do
  bin="$build/fuzz/${t}_fuzz"
  work="$build/corpus/$t"
  artifacts="$build/artifacts/$t/"
  log="$build/logs/$t.log"
  mkdir -p "$work" "$artifacts" "$(dirname "$log")"
  # Inputs that once crashed are replayed first, as seeds.
  seeds=("fuzz/corpus/$t")
  if [ -d "tests/data/fuzz-regressions/$t" ]; then seeds+=("tests/data/fuzz-regressions/$t"); fi
  # Keys, units and dtypes of the format, so mutations speak its language.
  dict=()
  if [ -f "fuzz/dict/$t.dict" ]; then dict=(-dict="fuzz/dict/$t.dict"); fi
  # -timeout: one input taking 10 s is a hang; -rss_limit_mb: 2 GiB is a leak or a blow-up.
  if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
       "${dict[@]}" -print_final_stats=1 -artifact_prefix="$artifacts" "$work" "${seeds[@]}" \
       >"$log" 2>&1; then
    status=ok
  else
    status=FAILED
    failed+=("$t")
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  corpus=$(find "$work" -type f | wc -l)
  printf '%-14s %8s %12s %10s %8s %s\n' "$t" "$seconds" "${runs:-?}" "${rate:-?}" "$corpus" \
    "$([ "$status" = ok ] || echo "FAILED: see $log")"
done

if [ ${#failed[@]} -gt 0 ]; then
  for t in "${failed[@]}"; do
    echo "---- $t (last lines of $build/logs/$t.log)" >&2
    tail -40 "$build/logs/$t.log" >&2
    ls "$build/artifacts/$t/" >&2
  done
  echo "fuzz.sh: ${#failed[@]} target(s) failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz.sh: no crashes"
