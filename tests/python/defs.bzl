"""pytest files as Bazel tests, each run by /usr/bin/python3 against //python:ltc_mlir."""

def pytest_test(name, src, size = "medium", data = [], **kwargs):
    native.sh_test(
        name = name,
        size = size,
        srcs = ["run_pytest.sh"],
        args = ["tests/python/" + src],
        data = [src, "//python:ltc_mlir"] + native.glob(["support/**"]) + data,
        **kwargs
    )
