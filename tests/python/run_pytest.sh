#!/usr/bin/env bash
# Runs a pytest file from Bazel's runfiles against the built ltc_mlir package,
# always with Debian's /usr/bin/python3 (the one that has torch).
set -euo pipefail
runfiles="${RUNFILES_DIR:-$0.runfiles}"
export PYTHONPATH="$runfiles/ltc_mlir/python:$runfiles/ltc_mlir/tests/python/support${PYTHONPATH:+:$PYTHONPATH}"
cd "$runfiles/ltc_mlir"
exec /usr/bin/python3 -m pytest -q -p no:cacheprovider "$@"
