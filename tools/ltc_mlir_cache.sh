#!/usr/bin/env bash
# `bazel run //tools:ltc_mlir_cache -- list`: the cache inspector, always run by
# Debian's /usr/bin/python3, in the directory bazel run was called from.
set -euo pipefail
script="$(dirname "$(readlink -f "$0")")/ltc_mlir_cache.py"
[[ -f "$script" ]] || script="${RUNFILES_DIR:-$0.runfiles}/ltc_mlir/tools/ltc_mlir_cache.py"
tool="${RUNFILES_DIR:-$0.runfiles}/ltc_mlir/tools/ltc-mlir-export/ltc-mlir-export"
if [[ -z "${LTC_MLIR_EXPORT_TOOL:-}" && -x "$tool" ]]; then
  export LTC_MLIR_EXPORT_TOOL="$(readlink -f "$tool")"
fi
cd "${BUILD_WORKING_DIRECTORY:-.}"
exec /usr/bin/python3 "$script" "$@"
