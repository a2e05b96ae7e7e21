"""A core1 that starts too late (1500 ms after its release, in virtual
time), on both boot paths: Linux's 1 s wait runs out, it reports the
failure, and the system keeps working while the core starts after all.
(No ALONE here: the failure is the point, a busy machine only makes the
core later.)"""
import re

import smp
from lablib import expect

BOARDS = smp.modes()
RESPONSIVE_S = 30


def test_start_delayed_1500ms_fails_and_system_stays_up(board):
    smp.offline_then_delay(board, 1500)
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
    expect(n >= 5, 'only %d rounds in %d s' % (n, RESPONSIVE_S))
    smp.expect_online(board, '0')
    # the core did start, late
    smp.expect_counters(board, starts=2, injected=1)


def uptime(board):
    """The guest's clock: seconds since its boot (virtual time)."""
    return float(board.run('cat /proc/uptime').split()[0])
