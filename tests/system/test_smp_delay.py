"""A slow core1 (its start delayed in virtual time), on both boot paths:
500 ms is within Linux's 1 s wait and CPU1 comes online; 1500 ms is not,
Linux reports the failure and the system keeps working."""
import re

import smp
from lablib import expect

BOARDS = smp.modes()
# Linux waits 1 s for the core: a second busy QEMU beside this one could
# steal the 500 ms margin from core1's vCPU thread
ALONE = 'a 500 ms margin in a 1 s wait'
RESPONSIVE_S = 30


def _offline_then_delay(board, ms):
    board.run('echo 0 > ' + smp.CPU1)
    smp.expect_online(board, '0')
    board.qom_set(smp.SRC, 'cpu1-on-delay-ms', ms)


def test_start_delayed_500ms_comes_online(board):
    _offline_then_delay(board, 500)
    mark = board.mark()
    rc, out = smp.online_cpu1(board)
    expect(rc == 0, 'CPU1 did not come online: ' + out)
    smp.expect_online(board, '0-1')
    smp.expect_no_kernel_trouble(board.text[mark:])
    smp.expect_counters(board, starts=2, injected=1)


def test_start_delayed_1500ms_fails_and_system_stays_up(board):
    _offline_then_delay(board, 1500)
    mark = board.mark()
    rc, out = smp.online_cpu1(board)
    expect(rc != 0, 'CPU1 came online after all: ' + out)
    board.wait_for(re.escape(smp.NEVER_STARTED), 10, since=mark)
    start = uptime(board)
    n = 0
    while uptime(board) < start + RESPONSIVE_S:
        n += 1
        expect(board.run('echo alive-%d' % n, timeout=10) == 'alive-%d' % n,
               'the shell stopped answering')
        board.run('sleep 3', timeout=10)
    expect(n >= RESPONSIVE_S // 3, 'only %d rounds in %d s' % (n, RESPONSIVE_S))
    smp.expect_online(board, '0')
    # the core did start, late
    smp.expect_counters(board, starts=3, injected=2)


def uptime(board):
    """The guest's clock: seconds since its boot (virtual time)."""
    return float(board.run('cat /proc/uptime').split()[0])
