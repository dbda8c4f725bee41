"""A small wrapper around mlir-tblgen for ltc-mlir's own .td files.

    mlir_tblgen(
        name = "TorchOpsIncGen",
        td_file = "TorchOps.td",
        td_srcs = ["TorchBase.td", ":GeneratedTorchOps.td"],
        outs = {
            "TorchOps.h.inc": ["-gen-op-decls"],
            "TorchOps.cpp.inc": ["-gen-op-defs"],
        },
    )

makes one genrule per output and a filegroup `name` holding all of them.
Includes resolve against MLIR's include dir, the workspace root and the
genfiles root, so a .td file may include a generated .td by its workspace
path ("mlir_lowering/Dialect/Torch/IR/GeneratedTorchOps.td").
"""

_TBLGEN = "@llvm//:mlir-tblgen"
_MLIR_TD = "@llvm//:mlir_td_files"

def mlir_tblgen(name, td_file, outs, td_srcs = [], **kwargs):
    srcs = [td_file] + [s for s in td_srcs if s != td_file and s != ":" + td_file]
    out_files = []
    for out, flags in outs.items():
        rule_name = "%s_%s" % (name, out.replace(".", "_").replace("/", "_"))
        native.genrule(
            name = rule_name,
            srcs = srcs + [_MLIR_TD],
            outs = [out],
            tools = [_TBLGEN],
            # mlir-tblgen lives in <llvm>/bin; MLIR's .td files in <llvm>/include.
            cmd = ("$(location {tblgen}) {flags} " +
                   "-I $$(dirname $(location {tblgen}))/../include " +
                   "-I . -I $(GENDIR) $(location {td}) -o $@").format(
                tblgen = _TBLGEN,
                flags = " ".join(flags),
                td = td_file,
            ),
            message = "mlir-tblgen %s" % out,
            **kwargs
        )
        out_files.append(out)
    native.filegroup(name = name, srcs = out_files, **kwargs)
