"""Shared by the SMP system tests: the two secondary-boot paths of the
board, the SRC model's knobs and counters, and the messages Linux prints.

psci=on   QEMU's PSCI (kernel in HYP, /psci added to the DTB); core1's
          CPU_ON/CPU_OFF go through the SRC model, as U-Boot's do
psci=off  no PSCI (kernel in secure SVC): Linux's imx7_smp_ops write the
          SRC themselves
"""
import re

from lablib import expect, kernel_patches

SRC = '/machine/soc/src'
CPU1 = '/sys/devices/system/cpu/cpu1/online'
COUNTERS = ('releases', 'starts', 'stops', 'injected')

# How Linux 6.1 reports a CPU1 that did not start, per path: the SRC path
# waits for a core that never runs; PSCI firmware refuses a core it
# believes is still on (ALREADY_ON -> -EINVAL).
NEVER_STARTED = 'CPU1: failed to come online'
FIRMWARE_REFUSED = 'CPU1: failed to boot: -22'


def modes(**board_args):
    """BOARDS for a test module: the same board on both paths."""
    variants = {}
    for mode in ('on', 'off'):
        args = dict(board_args)
        opts = [o for o in (args.pop('machine_opts', ''), 'psci=' + mode) if o]
        args['machine_opts'] = ','.join(opts)
        variants['psci_' + mode] = args
    return variants


# The kernel's own fix for the stale core1 enable (make kernel-src applies
# it): on psci=off it makes every start an edge
EDGE_FIX = '0001-ARM-imx-make-the-i.MX7-secondary-core-enable-an-edge.patch'


def kernel_fixes_stale_enable(board):
    """The kernel under test clears a stale core1 enable itself: a source
    kernel with EDGE_FIX, on psci=off (with PSCI the kernel never writes
    the SRC: CPU_ON does, in the firmware)."""
    return EDGE_FIX in kernel_patches() and not psci(board)


def knob(name, value):
    """QEMU arguments that set an SRC knob from the start."""
    return ('-global', 'driver=imx7.src,property=%s,value=%d' % (name, value))


def psci(board):
    return 'psci=off' not in board.machine


def counters(board):
    return {c: board.qom_get(SRC, 'cpu1-' + c) for c in COUNTERS}


def expect_counters(board, **want):
    got = counters(board)
    expect(all(got[k] == v for k, v in want.items()),
           'SRC counters %s, expected %s' % (got, want))


def online(board):
    return board.run('cat /sys/devices/system/cpu/online')


def expect_online(board, want):
    got = online(board)
    expect(got == want, 'CPUs online: %s, expected %s' % (got, want))


def kexec(board, args='', timeout=120):
    """Boot the next kernel of the chain with /lab/bin/lab-kexec and wait
    for its shell; returns (LAB-READY match, that boot's console text)."""
    mark = board.mark()
    board.write('lab-kexec %s\n' % args)
    ready = board.wait_boot(timeout)
    text = board.text[mark:]
    expect('Initramfs unpacking failed' not in text,
           'the kexec placed the initramfs where the kernel overwrote it')
    return ready, text


def expect_no_kernel_trouble(text):
    bad = [l for l in text.splitlines()
           if re.search(r'WARNING:|Oops|BUG:|Unable to handle|unable to kill|'
                        r"didn't die|may not have shut down|power up timeout|"
                        r'failed to come online|failed to boot', l)]
    expect(not bad, 'kernel trouble:\n' + '\n'.join(bad[:20]))


def offline_then_delay(board, ms):
    """CPU1 offline, and its next start delayed by `ms` (virtual time)."""
    board.run('echo 0 > ' + CPU1)
    expect_online(board, '0')
    board.qom_set(SRC, 'cpu1-on-delay-ms', ms)


def online_cpu1(board):
    """echo 1 > cpu1/online; returns (exit status, what it printed)."""
    out = board.run('echo 1 > %s; echo rc=$?' % CPU1, check=False)
    return int(re.search(r'rc=(\d+)', out).group(1)), out
