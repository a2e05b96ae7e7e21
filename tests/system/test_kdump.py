"""kdump with no fault injected, on both boot paths: the crash kernel
boots to its shell, but CPU1, left spinning by the crashed kernel, cannot
be started: the SRC path finds the core1 enable still set (no edge), PSCI
firmware refuses a core it believes is on. A source kernel with the lab's
fix (psci=off) clears the stale enable and restarts the spinning core:
its crash kernel has both CPUs."""
import smp
from lablib import expect

BOARDS = smp.modes(append='crashkernel=128M')
TIMEOUT = 180


def test_capture_kernel_boots_without_cpu1(board):
    board.run('lab-kexec -p', timeout=60)
    expect(board.run('cat /sys/kernel/kexec_crash_loaded') == '1',
           'no crash kernel loaded')
    mark = board.mark()
    # the panic on CPU0: the crash kernel boots on the CPU that panicked
    board.write("taskset 1 sh -c 'echo c > /proc/sysrq-trigger'\n")
    board.wait_for(r'Kernel panic', 30, since=mark)
    ready = board.wait_boot(120)
    text = board.text[mark:]
    expect(ready.group(3) == '1', 'not the crash kernel: ' + ready.group(0))
    if smp.kernel_fixes_stale_enable(board):
        expect(smp.NEVER_STARTED not in text,
               'the fixed crash kernel failed CPU1')
        expect(ready.group(2) == '0-1', 'CPUs: ' + ready.group(0))
    else:
        want = smp.FIRMWARE_REFUSED if smp.psci(board) else smp.NEVER_STARTED
        expect(want in text, 'the crash kernel did not report: ' + want)
        expect(ready.group(2) == '0', 'CPU1 came up: ' + ready.group(0))
    expect(board.run('echo alive') == 'alive', 'the shell does not answer')
    smp.expect_counters(board, injected=0)
