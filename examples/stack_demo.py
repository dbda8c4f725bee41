"""Prints the versions of the stack ltc-mlir is built on: a quick check that it works."""
import torch

import ltc_mlir

print(f"torch {torch.__version__}, LLVM/MLIR {ltc_mlir.llvm_version()}")
