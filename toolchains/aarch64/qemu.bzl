"""Marks tests that cannot run in the AArch64 cross build under qemu-user (--config=aarch64).

    load("//toolchains/aarch64:qemu.bzl", "not_under_qemu")

    sh_test(
        name = "gdb_jit_test",
        ...
        target_compatible_with = not_under_qemu("gdb cannot debug a process that qemu emulates"),
    )

Under --config=aarch64 such a target is incompatible: `bazel test` skips it and says so
("SKIPPED"), it is never built, run or counted as passed. Elsewhere the attribute is empty. The
reason is required so that every exception says why it is one; tools/test_aarch64.sh lists them.
"""

def not_under_qemu(reason):
    """A target_compatible_with value: incompatible with --config=aarch64, compatible elsewhere.

    Args:
      reason: why the test cannot run as an AArch64 binary under qemu-user (documentation; must
        not be empty).

    Returns:
      A select() for the target_compatible_with attribute.
    """
    if not reason or not reason.strip():
        fail("not_under_qemu: give the reason the test cannot run under qemu-user")
    return select({
        str(Label("//toolchains/aarch64:aarch64_under_qemu")): [
            str(Label("//toolchains/aarch64:runs_natively_only")),
        ],
        "//conditions:default": [],
    })

def only_in_aarch64_build(reason):
    """A target_compatible_with value: compatible only with --config=aarch64.

    Args:
      reason: why the target needs the AArch64 build (documentation; must not be empty), e.g.
        that it runs the AArch64 cross compiler, which only that build requires.

    Returns:
      A select() for the target_compatible_with attribute.
    """
    if not reason or not reason.strip():
        fail("only_in_aarch64_build: give the reason the target needs --config=aarch64")
    return select({
        str(Label("//toolchains/aarch64:aarch64_under_qemu")): [],
        "//conditions:default": [str(Label("//toolchains/aarch64:runs_natively_only"))],
    })
