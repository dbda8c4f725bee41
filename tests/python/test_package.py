"""The ltc_mlir package imports and its extension module is the one we built."""
import os

import ltc_mlir


def test_extension_loads_from_package():
    assert os.path.dirname(ltc_mlir._C.__file__) == os.path.dirname(ltc_mlir.__file__)


def test_llvm_version():
    assert ltc_mlir.llvm_version() == "22"
