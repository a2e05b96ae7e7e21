"""Secondary CPU bring-up, CPU hotplug and kexec work on both boot paths
(tests/smp.py): both CPUs online every time, the SRC model's counters
agree with what the guest did, and the kernel logs no trouble."""
import re

import smp
from lablib import expect

BOARDS = smp.modes()
COLD_BOOT = 'tests the secondary-CPU bring-up at boot on both paths'
TIMEOUT = 300
HOTPLUG_CYCLES = 50
KEXECS = 5


def test_boot_brings_up_both_cpus(board):
    smp.expect_online(board, '0-1')
    expect('smp: Brought up 1 node, 2 CPUs' in board.text,
           'the kernel did not bring up 2 CPUs')
    if smp.psci(board):
        expect('psci: PSCIv1.1 detected' in board.text, 'no PSCI found')
        expect('CPU: All CPU(s) started in HYP mode' in board.text,
               'not booted in HYP')
    else:
        expect(not re.search(r'^\[[ .0-9]+\] psci:', board.text, re.M),
               'psci=off but the kernel found PSCI')
        expect('CPU: All CPU(s) started in SVC mode' in board.text,
               'not booted in SVC')
    smp.expect_no_kernel_trouble(board.text)
    smp.expect_counters(board, releases=1, starts=1, stops=0, injected=0)


def test_hotplug_loop(board):
    mark = board.mark()
    out = board.run(
        'bad=0; i=0; while [ $i -lt %d ]; do'
        ' echo 0 > %s; read s < %s; [ "$s" = 0 ] || bad=$((bad + 1));'
        ' echo 1 > %s; read s < %s; [ "$s" = 1 ] || bad=$((bad + 1));'
        ' i=$((i + 1)); done; echo "cycles=$i bad=$bad"'
        % ((HOTPLUG_CYCLES,) + (smp.CPU1,) * 4), timeout=240)
    expect(out.endswith('cycles=%d bad=0' % HOTPLUG_CYCLES),
           'hotplug loop: ' + out)
    smp.expect_online(board, '0-1')
    text = board.text[mark:]
    smp.expect_no_kernel_trouble(text)
    if smp.psci(board):
        expect(text.count('CPU1 killed.') == HOTPLUG_CYCLES,
               'PSCI did not confirm every CPU1 kill')
    smp.expect_counters(board, releases=1 + HOTPLUG_CYCLES,
                        starts=1 + HOTPLUG_CYCLES, stops=HOTPLUG_CYCLES,
                        injected=0)


def test_kexec_loop(board):
    before = smp.counters(board)
    for n in range(1, KEXECS + 1):
        # the board's uImage, the last time Debian's zImage as shipped
        zimage = n == KEXECS
        ready, text = smp.kexec(board, '-z' if zimage else '')
        kernel = '/boot/zImage' if zimage else '/boot/uImage'
        expect('lab-kexec: ' + kernel in text,
               'kexec %d: lab-kexec did not load %s' % (n, kernel))
        expect(ready.group(2) == '0-1' and ready.group(3) == str(n),
               'kexec %d: %s' % (n, ready.group(0)))
        expect('lab.boot=%d' % n in board.run('cat /proc/cmdline'),
               'kexec %d: the new kernel has the wrong command line' % n)
        smp.expect_no_kernel_trouble(text)
    smp.expect_counters(board, starts=before['starts'] + KEXECS,
                        stops=before['stops'] + KEXECS, injected=0)
