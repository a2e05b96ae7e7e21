"""Guest memory and CPU modes through QEMU's gdb stub.

QEMU's gdb stub reads memory as the selected CPU would: through that
CPU's current page table and with the permissions of its current mode.
So a CPU stopped in user space cannot see the kernel, and a CPU whose
page table was never used to touch module memory cannot see modules
(pagetable.py). What is here picks the CPU to read through; it writes no
guest memory (kernel_view changes a CPU's mode for a moment, and puts it
back before the guest runs).
"""

import struct

import gdb

from . import say

CPSR_MODE, MODE_USR, MODE_SVC = 0x1f, 0x10, 0x13


def raw_read(addr, size):
    """Guest memory as the selected CPU sees it."""
    return bytes(gdb.selected_inferior().read_memory(addr, size))


def raw_word(addr):
    return struct.unpack('<I', raw_read(addr, 4))[0]


def readable(addr):
    """The selected CPU can read the word at addr."""
    try:
        raw_read(addr, 4)
        return True
    except gdb.MemoryError:
        return False


def symbol_address(name):
    """The address of a kernel symbol (function or data), or None."""
    try:
        return int(gdb.parse_and_eval('(unsigned long)&%s' % name))
    except gdb.error:
        return None


def in_user_space():
    """The selected CPU runs in user mode."""
    return int(gdb.parse_and_eval('$cpsr')) & CPSR_MODE == MODE_USR


class kernel_view:
    """Within: the selected CPU is one gdb can read kernel memory through:
    another CPU that is in the kernel, or else this one put in SVC mode
    for the while (QEMU banks and restores the registers; the guest never
    runs in between)."""

    def __enter__(self):
        self.thread = gdb.selected_thread()
        self.cpsr = None
        if self.thread is None or not in_user_space():
            return self
        for t in gdb.selected_inferior().threads():
            t.switch()
            if not in_user_space():
                return self
        self.thread.switch()
        self.cpsr = int(gdb.parse_and_eval('$cpsr')) & 0xffffffff
        gdb.execute('set $cpsr = 0x%x' % (self.cpsr & ~CPSR_MODE | MODE_SVC))
        return self

    def __exit__(self, *exc):
        if self.thread is None:
            return
        if self.cpsr is not None:
            gdb.execute('set $cpsr = 0x%x' % self.cpsr)
        self.thread.switch()


def prefer_kernel_cpu(probes=()):
    """After a stop that is not a breakpoint (attach, the lab-sh prompt):
    select a CPU that `print` of kernel data works through: one in the
    kernel and, given probes (addresses in loaded modules), one that can
    read them. The selected CPU stays when it will do; another is
    selected only when it does better, and that is said. True when the
    selected CPU reads every probe."""
    thread = gdb.selected_thread()
    if thread is None:
        return True

    def good(need_probe):
        return not in_user_space() and \
            (not need_probe or all(readable(a) for a in probes))

    if good(True):
        return True
    why = 'is in user space' if in_user_space() else \
        'cannot read module memory (its page table does not map it yet)'
    # (the selected CPU first: it stays if no other does better)
    threads = sorted(gdb.selected_inferior().threads(),
                     key=lambda t: t.num != thread.num)
    for need_probe in (True, False):
        for t in threads:
            t.switch()
            if not good(need_probe):
                continue
            if t.num != thread.num:
                say('CPU%d %s: selected CPU%d (thread %d), in the kernel%s, '
                    'for reading kernel memory' % (
                        thread.num - 1, why, t.num - 1, t.num,
                        ' with module memory mapped'
                        if need_probe and probes else ''))
            return need_probe or not probes
    thread.switch()
    say('both CPUs are in user space: kernel memory is unreadable until '
        'one is in the kernel (QEMU reads memory as the CPU\'s mode allows)')
    return False
