"""The grader's seccomp program (course_lib/grading/seccomp.py), checked without bubblewrap.

The system call numbers are checked against libseccomp's own tables (through ctypes, where the
library is installed: bubblewrap depends on it), for both architectures; the program is run
through the kernel in a forked process (the filter applies to that process only).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import platform
import struct

import pytest

from course_lib.grading import seccomp


def libseccomp():
    name = ctypes.util.find_library("seccomp")
    if name is None:
        pytest.skip("libseccomp is not installed")
    library = ctypes.CDLL(name)
    library.seccomp_syscall_resolve_name_arch.argtypes = [ctypes.c_uint32, ctypes.c_char_p]
    library.seccomp_syscall_resolve_name_arch.restype = ctypes.c_int
    return library


@pytest.mark.parametrize("machine", sorted(seccomp.ARCHES))
def test_the_numbers_are_libseccomps(machine):
    library = libseccomp()
    arch, numbers = seccomp.ARCHES[machine]
    known = 0
    for name, number in numbers.items():
        resolved = library.seccomp_syscall_resolve_name_arch(arch, name.encode())
        if resolved >= 0:                     # an older libseccomp may not know the newest calls
            assert resolved == number, (machine, name, resolved, number)
            known += 1
    assert known >= len(numbers) - 3
    for name in ("fork", "vfork", "chmod", "chown", "lchown"):     # calls aarch64 does not have
        if name not in numbers:
            assert library.seccomp_syscall_resolve_name_arch(arch, name.encode()) < 0, (machine, name)


def test_the_program_is_well_formed():
    """Every jump lands inside the program, and it ends in a return."""
    for machine in seccomp.ARCHES:
        for options in ({}, {"exec_too": True}, {"exec_only": True}):
            data = seccomp.program(machine=machine, **options)
            instructions = [struct.unpack("=HBBI", data[i:i + 8]) for i in range(0, len(data), 8)]
            assert instructions[-1][0] == seccomp.RET
            for index, (code, jt, jf, _k) in enumerate(instructions):
                if code in (seccomp.JEQ, seccomp.JGE, seccomp.JSET):
                    assert index + 1 + max(jt, jf) < len(instructions), (machine, options, index)


def run_filtered(program: bytes, action) -> int:
    """Fork; in the child load `program` (as child.py does) and run `action`; its errno, 0 if it
    succeeded."""
    from course_lib.grading import child

    pid = os.fork()
    if pid == 0:                                  # the child: never returns to pytest
        code = 0
        try:
            child.load_seccomp(program)
            action()
        except OSError as exc:
            code = exc.errno or 255
        except BaseException:
            code = 254
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


@pytest.mark.skipif(not seccomp.supported(), reason=f"no seccomp numbers for {platform.machine()}")
def test_the_kernel_refuses_what_the_program_lists(tmp_path):
    program = seccomp.program(exec_too=True)
    target = tmp_path / "file"
    target.write_text("x")

    def thread():
        import threading
        started = threading.Thread(target=lambda: None)
        started.start()
        started.join()

    assert run_filtered(program, lambda: os.chmod(target, 0o777)) == errno.EPERM
    assert run_filtered(program, lambda: os.fchmod(1, 0o777)) == errno.EPERM
    assert run_filtered(program, lambda: os.execv("/bin/true", ["true"])) == errno.EPERM
    assert run_filtered(program, lambda: os.fork() == 0 and os._exit(0)) == errno.EPERM
    assert run_filtered(program, thread) == 0                       # threads still start
    assert run_filtered(program, lambda: target.read_text()) == 0   # files still open
    assert oct(target.stat().st_mode)[-3:] != "777"
