"""A repository rule for libraries that Debian packages install.

It checks that the package's files are there and fails with a message naming
the package and tools/setup.sh, instead of letting the build end in a wall of
compiler errors. It links the named folders of the system path into the
repository and uses the given BUILD file.
"""

def _debian_library_impl(ctx):
    missing = [f for f in ctx.attr.probes if not ctx.path(f).exists]
    if missing:
        fail(("\n\nltc-mlir: '{}' is missing ({}).\n" +
              "Install the Debian package(s) {} by running: sudo tools/setup.sh\n").format(
            ctx.name,
            ", ".join(missing),
            ", ".join(ctx.attr.packages),
        ))
    for src, dst in ctx.attr.links.items():
        ctx.symlink(src, dst)
    ctx.symlink(ctx.attr.build_file, "BUILD.bazel")

debian_library = repository_rule(
    implementation = _debian_library_impl,
    attrs = {
        "build_file": attr.label(mandatory = True, allow_single_file = True),
        "links": attr.string_dict(doc = "system path -> folder in the repository"),
        "packages": attr.string_list(mandatory = True),
        "probes": attr.string_list(mandatory = True, doc = "files that must exist"),
    },
    local = True,
)
