"""The kernel's rules for a child: a seccomp filter (classic BPF) that the grader builds itself.

    program(exec_too=False) -> bytes      # struct sock_filter[], native byte order

A seccomp filter is a small program the kernel runs at every system call of the process (and of
every thread and process it starts), before the call does anything; it answers "allow" or "fail
with errno E". Once loaded it cannot be removed, and it is inherited across fork and exec. The
grader's filter refuses, with EPERM:

  * new processes: fork, vfork, and clone without CLONE_THREAD (a thread shares the process and
    its memory limit; a new process would not) or with any namespace flag; clone3 gets ENOSYS,
    so that the C library falls back to clone, where the flags can be read (clone3 passes them in
    memory, which a classic BPF filter cannot read);
  * running another program: execve, execveat (`exec_too`; see below);
  * changing file modes and owners: chmod, fchmod, fchmodat(2), chown, fchown, lchown, fchownat
    (the child runs as the grader's uid mapped into its namespace, so a file the grader opened for
    it would otherwise be its to chmod);
  * reading or writing another process: ptrace, process_vm_readv/writev, kcmp, pidfd_getfd;
  * the system's own machinery: mount and the new mount API, umount2, pivot_root, chroot,
    unshare, setns, bpf, perf_event_open, userfaultfd, io_uring (its requests bypass seccomp),
    keyctl, add_key, request_key, personality, kexec, kernel modules, open_by_handle_at, acct,
    swapon/swapoff, reboot, syslog.

Everything else is allowed (a Python process needs hundreds of calls). The first instructions
check the architecture (x86_64 or aarch64, the ones the numbers below are for): a call made
through another ABI (32-bit int 0x80 on x86_64, or x32 numbers) kills the process.

Under bubblewrap the program goes to `bwrap --seccomp FD` without execve: bwrap loads it just
before it execs the child's Python, and that exec must pass. The child then loads a second,
stacked filter with `exec_too` for exec alone, before any student code runs (child.py,
`load_seccomp`). Outside bubblewrap the child loads the whole program itself (`exec_too=True`).

Layout of the program (each line one 8-byte instruction: code u16, jt u8, jf u8, k u32):

    ld  arch;  jeq ARCH ? next : kill;  ret KILL_PROCESS
    ld  nr;    [x86_64: jge 0x40000000 ? kill]       (x32 numbers)
    per refused call:  jeq NR ? next : skip 1;  ret ERRNO(e)
    jeq clone ? next : allow;  ld args[0] (low word);  jset CLONE_THREAD ? next : refuse;
    jset namespace flags ? refuse : allow;  refuse: ret ERRNO(EPERM);  allow: ret ALLOW
"""

from __future__ import annotations

import errno
import os
import platform
import struct

# BPF instruction codes (linux/filter.h, linux/bpf_common.h)
LD_ABS_W = 0x20          # BPF_LD | BPF_W | BPF_ABS: A = 32-bit word at offset k of seccomp_data
JEQ = 0x15               # BPF_JMP | BPF_JEQ | BPF_K
JGE = 0x35               # BPF_JMP | BPF_JGE | BPF_K
JSET = 0x45              # BPF_JMP | BPF_JSET | BPF_K: jump if A & k
RET = 0x06               # BPF_RET | BPF_K
# seccomp return values (linux/seccomp.h)
ALLOW = 0x7FFF0000
KILL_PROCESS = 0x80000000
ERRNO = 0x00050000       # | errno
# struct seccomp_data: int nr; u32 arch; u64 instruction_pointer; u64 args[6]
OFFSET_NR, OFFSET_ARCH, OFFSET_ARG0 = 0, 4, 16     # args[0]'s low word: both arches are little-endian
CLONE_THREAD = 0x00010000
CLONE_NAMESPACES = 0x7E020000    # NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET
X32_BIT = 0x40000000

# audit architecture, and the numbers of the refused calls (a missing name: no such call there)
ARCHES = {
    "x86_64": (0xC000003E, {
        "fork": 57, "vfork": 58, "clone": 56, "clone3": 435, "execve": 59, "execveat": 322,
        "chmod": 90, "fchmod": 91, "fchmodat": 268, "fchmodat2": 452,
        "chown": 92, "fchown": 93, "lchown": 94, "fchownat": 260,
        "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311, "kcmp": 312, "pidfd_getfd": 438,
        "mount": 165, "umount2": 166, "pivot_root": 155, "chroot": 161, "unshare": 272, "setns": 308,
        "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433,
        "mount_setattr": 442, "bpf": 321, "perf_event_open": 298, "userfaultfd": 323,
        "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
        "keyctl": 250, "add_key": 248, "request_key": 249, "personality": 135,
        "kexec_load": 246, "kexec_file_load": 320, "init_module": 175, "finit_module": 313,
        "delete_module": 176, "open_by_handle_at": 304, "acct": 163, "swapon": 167, "swapoff": 168,
        "reboot": 169, "syslog": 103,
    }),
    "aarch64": (0xC00000B7, {
        "clone": 220, "clone3": 435, "execve": 221, "execveat": 281,
        "fchmod": 52, "fchmodat": 53, "fchmodat2": 452, "fchownat": 54, "fchown": 55,
        "ptrace": 117, "process_vm_readv": 270, "process_vm_writev": 271, "kcmp": 272, "pidfd_getfd": 438,
        "mount": 40, "umount2": 39, "pivot_root": 41, "chroot": 51, "unshare": 97, "setns": 268,
        "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433,
        "mount_setattr": 442, "bpf": 280, "perf_event_open": 241, "userfaultfd": 282,
        "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
        "keyctl": 219, "add_key": 217, "request_key": 218, "personality": 92,
        "kexec_load": 104, "kexec_file_load": 294, "init_module": 105, "finit_module": 273,
        "delete_module": 106, "open_by_handle_at": 265, "acct": 89, "swapon": 224, "swapoff": 225,
        "reboot": 142, "syslog": 116,
    }),
}
EXEC = ("execve", "execveat")
ENOSYS_CALLS = ("clone3",)          # refused with ENOSYS: the C library then falls back to clone


def supported() -> bool:
    """True on Linux on an architecture this module knows the numbers of."""
    return platform.system() == "Linux" and platform.machine() in ARCHES


def _instruction(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k & 0xFFFFFFFF)


def program(exec_too: bool = False, exec_only: bool = False, machine: str | None = None) -> bytes:
    """The filter for this machine's architecture (see the module docstring): every refused call
    but execve/execveat, plus those with `exec_too`; only those with `exec_only`."""
    machine = machine or platform.machine()
    arch, numbers = ARCHES[machine]
    names = [n for n in numbers if n != "clone" and (n in EXEC) <= (exec_too or exec_only)]
    if exec_only:
        names = [n for n in names if n in EXEC]
    out = [_instruction(LD_ABS_W, 0, 0, OFFSET_ARCH),
           _instruction(JEQ, 1, 0, arch),
           _instruction(RET, 0, 0, KILL_PROCESS),
           _instruction(LD_ABS_W, 0, 0, OFFSET_NR)]
    if machine == "x86_64":                  # x32 ABI numbers: no call of ours uses them
        out += [_instruction(JGE, 0, 1, X32_BIT), _instruction(RET, 0, 0, KILL_PROCESS)]
    for name in names:
        code = errno.ENOSYS if name in ENOSYS_CALLS else errno.EPERM
        out += [_instruction(JEQ, 0, 1, numbers[name]), _instruction(RET, 0, 0, ERRNO | code)]
    if not exec_only:
        out += [_instruction(JEQ, 0, 5, numbers["clone"]),          # not clone: allow (5 ahead)
                _instruction(LD_ABS_W, 0, 0, OFFSET_ARG0),          # A = clone's flags (low word)
                _instruction(JSET, 0, 2, CLONE_THREAD),             # no CLONE_THREAD: refuse
                _instruction(JSET, 1, 0, CLONE_NAMESPACES),         # new namespaces: refuse
                _instruction(RET, 0, 0, ALLOW),
                _instruction(RET, 0, 0, ERRNO | errno.EPERM)]
    out.append(_instruction(RET, 0, 0, ALLOW))
    return b"".join(out)


def program_fd(data: bytes) -> int:
    """A file descriptor to read `data` from (what `bwrap --seccomp FD` reads): a pipe whose
    write end is closed after writing (the program is a few hundred bytes, far below a pipe's
    buffer). The caller passes it to the child and closes it."""
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, data)
    finally:
        os.close(write_end)
    return read_end
