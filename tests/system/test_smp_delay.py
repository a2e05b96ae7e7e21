"""A slow core1 (its start delayed in virtual time), on both boot paths:
500 ms is within Linux's 1 s wait and CPU1 comes online. (1500 ms, which
is not: test_smp_late_start.)"""
import smp
from lablib import expect

BOARDS = smp.modes()
# Linux waits 1 s for the core: a second busy QEMU beside this one could
# steal the 500 ms margin from core1's vCPU thread
ALONE = 'a 500 ms margin in a 1 s wait'


def test_start_delayed_500ms_comes_online(board):
    smp.offline_then_delay(board, 500)
    mark = board.mark()
    rc, out = smp.online_cpu1(board)
    expect(rc == 0, 'CPU1 did not come online: ' + out)
    smp.expect_online(board, '0-1')
    smp.expect_no_kernel_trouble(board.text[mark:])
    smp.expect_counters(board, starts=2, injected=1)
