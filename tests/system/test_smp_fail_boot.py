"""A core1 release swallowed at boot (fault injected from QEMU's start),
on both boot paths: Linux gives up on CPU1 within its 1 s wait and keeps
running on one CPU; onlining CPU1 again fails because the core1 enable
stays set (no new edge), until the imx7-src-fix module clears it. A
source kernel with the lab's fix (psci=off) clears it itself: onlining
CPU1 again works without the module."""
import re

import smp
from lablib import expect

BOARDS = smp.modes(qemu_args=smp.knob('fail-cpu1-on', 1))
COLD_BOOT = 'tests CPU1 failing to start at boot'


def _kernel_time(board, message):
    m = re.search(r'^\[\s*(\d+\.\d+)\] ' + re.escape(message), board.text,
                  re.M)
    expect(m, 'the kernel did not print: ' + message)
    return float(m.group(1))


def test_cpu1_fails_to_come_online_within_2s(board):
    start = _kernel_time(board, 'smp: Bringing up secondary CPUs')
    failed = _kernel_time(board, smp.NEVER_STARTED)
    expect(failed - start <= 2.0,
           'the failure took %.2f s (kernel time)' % (failed - start))
    expect('smp: Brought up 1 node, 1 CPU' in board.text,
           'the kernel did not go on with one CPU')
    smp.expect_online(board, '0')
    smp.expect_counters(board, releases=1, starts=0, injected=1)


def test_online_fails_with_eio_unless_the_kernel_is_fixed(board):
    mark = board.mark()
    rc, out = smp.online_cpu1(board)
    if smp.kernel_fixes_stale_enable(board):
        # the kernel cleared the stale enable: an edge, a start
        expect(rc == 0, 'CPU1 does not come online with the kernel fix: '
               + out)
        smp.expect_online(board, '0-1')
        smp.expect_counters(board, releases=2, starts=1, injected=1)
        return
    expect(rc != 0 and 'Input/output error' in out,  # EIO
           'echo 1 > online: exit %d, said: %s' % (rc, out))
    board.wait_for(re.escape(smp.NEVER_STARTED), 10, since=mark)
    smp.expect_online(board, '0')
    # the enable bit never went back to 0: no second release
    smp.expect_counters(board, releases=1, starts=0)


def test_fix_module_recovers_cpu1(board):
    if smp.kernel_fixes_stale_enable(board):
        # CPU1 is already back (above); the module has nothing to clear
        board.run('modprobe imx7-src-fix')
        smp.expect_online(board, '0-1')
        smp.expect_counters(board, releases=2, starts=1, injected=1)
        return
    mark = board.mark()
    board.run('modprobe imx7-src-fix')
    rc, out = smp.online_cpu1(board)
    expect(rc == 0, 'CPU1 still does not come online: ' + out)
    board.wait_for(r'imx7_src_fix: CPU1: clearing a stale core enable', 10,
                   since=mark)
    smp.expect_online(board, '0-1')
    smp.expect_counters(board, releases=2, starts=1, injected=1)
