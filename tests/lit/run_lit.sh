#!/usr/bin/env bash
# Runs the lit suite from Bazel's runfiles with ltc-mlir-opt on PATH.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
opt="$(cd "$(dirname "$1")" && pwd)"
export LTC_MLIR_TOOLS_PATH="$opt"
exec /usr/lib/llvm-22/bin/lit -v "$here"
