"""The field bug: CPU1 fails once after a kexec (fault injected on core1
release number 2, i.e. the first one after the kexec), and then on every
later kernel too with no injection, because the core1 enable is left set;
the imx7-src-fix module recovers it. Then a "zombie" core1 that ignores
its stop before a kexec: the next kernel cannot start it. Both boot
paths."""
import smp
from lablib import expect

BOARDS = smp.modes(qemu_args=smp.knob('fail-cpu1-on-nth', 2))
TIMEOUT = 180


def test_boot0_has_both_cpus(board):
    smp.expect_online(board, '0-1')


def test_boot1_after_kexec_fails(board):
    ready, text = smp.kexec(board)
    expect(ready.group(3) == '1', 'not boot 1: ' + ready.group(0))
    expect(smp.NEVER_STARTED in text, 'boot 1 did not fail')
    expect(ready.group(2) == '0', 'boot 1 has CPUs ' + ready.group(2))
    smp.expect_counters(board, releases=2, starts=1, injected=1)


def test_boot2_fails_too_with_no_injection(board):
    ready, text = smp.kexec(board)
    expect(ready.group(3) == '2', 'not boot 2: ' + ready.group(0))
    expect(smp.NEVER_STARTED in text,
           'boot 2 brought CPU1 up: the stale enable did not persist')
    expect(ready.group(2) == '0', 'boot 2 has CPUs ' + ready.group(2))
    # no new release reached the SoC, and nothing was injected
    smp.expect_counters(board, releases=2, starts=1, injected=1)


def test_fix_module_recovers_cpu1(board):
    board.run('modprobe imx7-src-fix')
    rc, out = smp.online_cpu1(board)
    expect(rc == 0, 'CPU1 does not come online with the fix: ' + out)
    smp.expect_online(board, '0-1')
    smp.expect_counters(board, releases=3, starts=2, injected=1)


def test_zombie_core1_before_kexec(board):
    board.qom_set(smp.SRC, 'fail-cpu1-off', 1)
    ready, text = smp.kexec(board)
    want = smp.FIRMWARE_REFUSED if smp.psci(board) else smp.NEVER_STARTED
    expect(want in text, 'the next kernel did not report: ' + want)
    expect(ready.group(2) == '0', 'CPU1 came up: ' + ready.group(0))
    expect(board.run('echo alive') == 'alive', 'the shell does not answer')
    smp.expect_counters(board, injected=2)
