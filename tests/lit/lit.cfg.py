# lit configuration for ltc-mlir's FileCheck tests. Run through Bazel
# (`bazel test //tests/lit:lit_tests`), which puts ltc-mlir-opt and the LLVM
# tools on PATH via LTC_MLIR_TOOLS_PATH.
import os

import lit.formats

config.name = "ltc-mlir"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".mlir"]
config.test_source_root = os.path.dirname(__file__)
# Keep lit's Output/ folders out of the source tree (Bazel runs from symlinks
# into it): write them under the test's temporary directory.
config.test_exec_root = os.path.join(
    os.environ.get("TEST_TMPDIR", "/tmp"), "ltc-mlir-lit")
config.excludes = ["lit.cfg.py", "BUILD.bazel", "run_lit.sh"]

tools_path = os.environ.get("LTC_MLIR_TOOLS_PATH", "")
config.environment["PATH"] = os.pathsep.join(
    [p for p in [tools_path, "/usr/lib/llvm-22/bin", config.environment.get("PATH", os.environ.get("PATH", ""))] if p]
)
