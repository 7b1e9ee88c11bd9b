"""External repositories of maru-jit, for Bazel 4.2.3 (Debian 12 `bazel-bootstrap`), fully offline.

Usage from this workspace (see WORKSPACE) or from a consumer's WORKSPACE:

    local_repository(name = "maru_jit", path = "...")   # or http_archive
    load("@maru_jit//:deps.bzl", "maru_jit_dependencies")
    maru_jit_dependencies()

Every repository is skipped if the caller already defined one with the same name
(native.existing_rule), so a consumer can substitute its own.

Repositories defined:
  * Stand-ins for what Bazel 4.2.3's built-in WORKSPACE suffix would download (and fail to,
    offline). They must be defined before that suffix runs, i.e. from the WORKSPACE file:
      @rules_cc                 cc/defs.bzl forwarding to the native rules (+ a few helpers)
      @rules_java               java/defs.bzl forwarding to the native rules
      @remote_coverage_tools    no-op coverage_report_generator / lcov_merger (so
                                `bazel coverage` yields an empty report instead of failing)
  * The Debian system libraries (new_local_repository on /usr, BUILD files in //third_party):
      @asmjit//:asmjit          libasmjit-dev (asmjit 1.9, static only; see the linkstatic note)
      @absl//:absl              libabsl-dev 20220623 (shared libabsl_*.so)
      @gtest//:gtest, :gtest_main, :gmock, :gmock_main     libgtest-dev / googletest 1.12.1
      @benchmark//:benchmark, :benchmark_main               libbenchmark-dev 1.7.1
      @bdwgc//:gc, :gctba, :gccpp                           libgc-dev 8.2 (Boehm GC)
      @libffi//:ffi             libffi-dev 3.4

Abseil's repository is called `absl` (not `com_google_absl`, the name of the upstream source
repository): nothing in Bazel 4.2.3 or in this project uses `absl`, and a distinct name makes it
obvious that this is the prebuilt Debian Abseil, not a source build. A consumer that already
builds Abseil from source as @com_google_absl must not link both into one binary (ODR).

Label() resolves relative to this .bzl file's repository, so the build_file strings are right
both here (//third_party:...) and in a consumer (@maru_jit//third_party:...).
"""

# ---------------------------------------------------------------------------------------------
# Stand-in repositories for the Bazel-internal downloads.
# ---------------------------------------------------------------------------------------------

_RULES_CC_DEFS = '''"""Offline stand-in for @rules_cc//cc:defs.bzl: forwards to Bazel's native C++ rules."""

def cc_binary(**kwargs):
    native.cc_binary(**kwargs)

def cc_import(**kwargs):
    native.cc_import(**kwargs)

def cc_library(**kwargs):
    native.cc_library(**kwargs)

def cc_proto_library(**kwargs):
    native.cc_proto_library(**kwargs)

def cc_test(**kwargs):
    native.cc_test(**kwargs)

def cc_toolchain(**kwargs):
    native.cc_toolchain(**kwargs)

def cc_toolchain_suite(**kwargs):
    native.cc_toolchain_suite(**kwargs)

def fdo_prefetch_hints(**kwargs):
    native.fdo_prefetch_hints(**kwargs)

def fdo_profile(**kwargs):
    native.fdo_profile(**kwargs)

def objc_import(**kwargs):
    native.objc_import(**kwargs)

def objc_library(**kwargs):
    native.objc_library(**kwargs)
'''

_RULES_CC_FIND_TOOLCHAIN = '''"""Offline stand-in for @rules_cc//cc:find_cc_toolchain.bzl."""

load("@bazel_tools//tools/cpp:toolchain_utils.bzl", "find_cpp_toolchain")

find_cc_toolchain = find_cpp_toolchain
'''

_RULES_CC_ACTION_NAMES = '''"""Offline stand-in for @rules_cc//cc:action_names.bzl (ACTION_NAMES only)."""

load("@bazel_tools//tools/build_defs/cc:action_names.bzl", _ACTION_NAMES = "ACTION_NAMES")

ACTION_NAMES = _ACTION_NAMES
'''

_RULES_CC_BUILD = '''package(default_visibility = ["//visibility:public"])

exports_files(["defs.bzl", "find_cc_toolchain.bzl", "action_names.bzl"])

# Used by @bazel_tools//tools/build_defs/cc:cc_import.bzl.
alias(
    name = "toolchain_type",
    actual = "@bazel_tools//tools/cpp:toolchain_type",
)
'''

def _rules_cc_standin_impl(rctx):
    rctx.file("WORKSPACE", 'workspace(name = "rules_cc")\n')
    rctx.file("BUILD", "")
    rctx.file("cc/BUILD", _RULES_CC_BUILD)
    rctx.file("cc/defs.bzl", _RULES_CC_DEFS)
    rctx.file("cc/find_cc_toolchain.bzl", _RULES_CC_FIND_TOOLCHAIN)
    rctx.file("cc/action_names.bzl", _RULES_CC_ACTION_NAMES)

_rules_cc_standin = repository_rule(
    implementation = _rules_cc_standin_impl,
    local = True,
    doc = "Offline @rules_cc: forwards to the native C++ rules built into Bazel 4.",
)

_JAVA_RULES = [
    "java_binary",
    "java_import",
    "java_library",
    "java_lite_proto_library",
    "java_package_configuration",
    "java_plugin",
    "java_proto_library",
    "java_runtime",
    "java_test",
    "java_toolchain",
]

def _rules_java_standin_impl(rctx):
    defs = ['"""Offline stand-in for @rules_java//java:defs.bzl: forwards to the native rules."""\n']
    for rule in _JAVA_RULES:
        defs.append("def %s(**kwargs):\n    native.%s(**kwargs)\n" % (rule, rule))
    rctx.file("WORKSPACE", 'workspace(name = "rules_java")\n')
    rctx.file("BUILD", "")
    rctx.file("java/BUILD", 'exports_files(["defs.bzl"])\n')
    rctx.file("java/defs.bzl", "\n".join(defs))

_rules_java_standin = repository_rule(
    implementation = _rules_java_standin_impl,
    local = True,
    doc = "Offline @rules_java: forwards to the native Java rules built into Bazel 4.",
)

# Both tools are called as `TOOL --flag=value ...`; create whatever --output_file names so that the
# coverage actions succeed with an empty report.
_NOOP_COVERAGE_TOOL = """#!/bin/sh
# Offline stand-in (maru-jit deps.bzl): produces an empty coverage report.
for arg in "$@"; do
  case "$arg" in
    --output_file=*) out="${arg#--output_file=}"; mkdir -p "$(dirname "$out")"; : > "$out" ;;
  esac
done
exit 0
"""

_REMOTE_COVERAGE_TOOLS_BUILD = """package(default_visibility = ["//visibility:public"])

filegroup(
    name = "coverage_report_generator",
    srcs = ["coverage_report_generator.sh"],
)

filegroup(
    name = "lcov_merger",
    srcs = ["lcov_merger.sh"],
)
"""

def _remote_coverage_tools_standin_impl(rctx):
    rctx.file("WORKSPACE", 'workspace(name = "remote_coverage_tools")\n')
    rctx.file("BUILD", _REMOTE_COVERAGE_TOOLS_BUILD)
    rctx.file("coverage_report_generator.sh", _NOOP_COVERAGE_TOOL, executable = True)
    rctx.file("lcov_merger.sh", _NOOP_COVERAGE_TOOL, executable = True)

_remote_coverage_tools_standin = repository_rule(
    implementation = _remote_coverage_tools_standin_impl,
    local = True,
    doc = "Offline @remote_coverage_tools: no-op tools (bazel coverage gives an empty report).",
)

# ---------------------------------------------------------------------------------------------
# System libraries from Debian packages.
# ---------------------------------------------------------------------------------------------

# repository name -> BUILD file in //third_party.
_SYSTEM_LIBRARIES = {
    "asmjit": "asmjit.BUILD",
    "absl": "absl.BUILD",
    "gtest": "gtest.BUILD",
    "benchmark": "benchmark.BUILD",
    "bdwgc": "bdwgc.BUILD",
    "libffi": "libffi.BUILD",
}

def _maybe(repo_rule, name, **kwargs):
    if not native.existing_rule(name):
        repo_rule(name = name, **kwargs)

def maru_jit_dependencies():
    """Defines every external repository maru-jit needs; skips names already defined."""
    _maybe(_rules_cc_standin, "rules_cc")
    _maybe(_rules_java_standin, "rules_java")
    _maybe(_remote_coverage_tools_standin, "remote_coverage_tools")

    for name, build_file in _SYSTEM_LIBRARIES.items():
        _maybe(
            native.new_local_repository,
            name,
            path = "/usr",
            # Bazel 4's native new_local_repository wants a string here, not a Label.
            build_file = str(Label("//third_party:" + build_file)),
        )
