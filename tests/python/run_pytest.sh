#!/usr/bin/env bash
# Runs a pytest file from Bazel's runfiles against the built ltc_mlir package,
# always with Debian's /usr/bin/python3 (the one that has torch).
set -euo pipefail
runfiles="${RUNFILES_DIR:-$0.runfiles}"
export PYTHONPATH="$runfiles/ltc_mlir/python:$runfiles/ltc_mlir/tests/python/support${PYTHONPATH:+:$PYTHONPATH}"
# Never fill the user's real executable cache: a fresh one per run, unless
# the caller chose one (an empty value turns the disk tier off).
if [[ -z "${LTC_MLIR_CACHE_DIR+set}" ]]; then
  export LTC_MLIR_CACHE_DIR="$(mktemp -d "${TEST_TMPDIR:-/tmp}/ltc-mlir-cache.XXXXXX")"
fi
cd "$runfiles/ltc_mlir"
exec /usr/bin/python3 -m pytest -q -p no:cacheprovider "$@"
