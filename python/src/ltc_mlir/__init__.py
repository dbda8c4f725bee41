"""ltc-mlir: a PyTorch Lazy Tensor Core backend that compiles through MLIR.

Usage::

    import torch, ltc_mlir
    ltc_mlir.init()
    x = torch.randn(4, 4, device="lazy")
"""

import torch  # noqa: F401  (loads libtorch before our extension)

from . import _C

__all__ = ["llvm_version"]


def llvm_version() -> str:
    """The LLVM/MLIR version the backend was built against."""
    return _C.llvm_version()
