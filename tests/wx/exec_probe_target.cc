// A shared library that exec_probe dlopens: loading it needs a new executable file mapping.
extern "C" int maru_exec_probe_target() { return 42; }
