#!/usr/bin/env bash
# One-command setup for ltc-mlir on Debian 12: installs every system package the
# build, the tests, the examples and the benchmarks need. Idempotent; run as root.
set -euo pipefail

PACKAGES=(
  # PyTorch 1.13.1: Python package (with torchgen) and the C++ LibTorch headers/libraries.
  python3-torch libtorch-dev python3-dev
  # LLVM/MLIR 22 shared libraries, headers, tools (FileCheck, lit, mlir-opt, mlir-runner).
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools
  # Build system and C++ libraries.
  bazel-bootstrap g++ libabsl-dev googletest libgtest-dev libgmock-dev pybind11-dev
  # Tests, examples and benchmarks.
  python3-pytest python3-yaml python3-sklearn python3-torchvision
  # A fast BLAS, so eager CPU (the baseline) runs at its real speed.
  libopenblas0-pthread
  # oneDNN's headers: the runtime calls the oneDNN that LibTorch already links
  # for convolutions, where it measures faster than its own kernels.
  libdnnl-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup.sh: all ${#PACKAGES[@]} packages are already installed."
else
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup.sh: must run as root to install: ${missing[*]}" >&2
    exit 1
  fi
  echo "setup.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "setup.sh: installed ${#missing[@]} packages."
fi

# PyTorch's OpInfo database imports `expecttest`, which Debian does not package;
# tests/ ships a tiny stand-in that the test runner puts on the path.
