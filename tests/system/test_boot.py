"""The board boots its kernel (Debian's, or one built from source with
KERNEL_SRC=1) to the lab's test shell, with both CPUs, and out-of-tree
modules from guest-driver/ load and unload."""
import os
import re

from lablib import IMAGES, KERNEL_SRC, expect, kernel_release

BOARD = {}
COLD_BOOT = 'tests the boot itself'


def test_boots_the_kernel_to_shell(board):
    expect('Machine model: i.MX7D kernel lab board (QEMU imx7d-custom)'
           in board.text, 'the kernel did not boot our device tree')
    release = board.run('uname -r')
    expect(release == kernel_release(),
           'kernel release %s, the image was built for %s'
           % (release, kernel_release()))
    expect(KERNEL_SRC or release.endswith('-armmp'),
           'unexpected kernel release ' + release)
    expect('Run /init as init process' in board.text, 'init did not run')


def test_both_cpus_online(board):
    expect(board.run('cat /sys/devices/system/cpu/online') == '0-1',
           'CPUs online: ' + board.run('cat /sys/devices/system/cpu/online'))
    expect('smp: Brought up 1 node, 2 CPUs' in board.text,
           'the kernel did not bring up 2 CPUs')
    expect('CPU1: failed' not in board.text, 'CPU1 failed to come up')


def test_boot_is_clean(board):
    # the device tree only enables what QEMU models: nothing waits for a
    # supplier and no driver fails
    expect(board.run('cat /sys/kernel/debug/devices_deferred') == '',
           'devices in deferred probe')
    bad = [l for l in board.run('dmesg', kmsg=True).splitlines()
           if 'probe of' in l and 'failed' in l or 'timeout' in l]
    expect(not bad, 'boot problems:\n' + '\n'.join(bad))


def test_board_drivers_bound_at_boot(board):
    # modules loaded at boot (Debian's kernel) or built in (imx_v6_v7
    # from source): either way each driver has its device
    for driver in ('gpio-mxc', 'imx2-wdt', 'spi_imx'):
        bound = board.run('ls -1 /sys/bus/platform/drivers/%s' % driver)
        expect(re.search(r'^[0-9a-f]+\.\w+$', bound, re.M),
               'no device bound to %s at boot: %s' % (driver, bound))


def test_out_of_tree_module_loads_and_unloads(board):
    mark = board.mark()
    board.run('modprobe labtrigger')
    board.wait_for(r'labtrigger: loaded', 10, since=mark)
    board.run('echo 21 > /sys/kernel/labtrigger/fire')
    board.wait_for(r'labtrigger: fired with 21', 10, since=mark)
    expect(board.run('cat /sys/kernel/labtrigger/fire') == '1 21',
           'labtrigger did not count the call')
    board.run('rmmod labtrigger')
    board.wait_for(r'labtrigger: unloaded', 10, since=mark)
    board.run('! test -e /sys/kernel/labtrigger')
    expect('labtrigger' not in board.run("cut -d' ' -f1 /proc/modules"),
           'labtrigger still listed in /proc/modules')


def test_static_kexec_runs(board):
    out = board.run('kexec --version')
    expect(out.startswith('kexec-tools 2.'), 'kexec --version said: ' + out)
    # lab-kexec loads the board's own uImage, or with -z the zImage
    want = ['imx7d-custom.dtb', 'zImage']
    if os.path.exists(os.path.join(IMAGES, 'uImage')):
        want.insert(1, 'uImage')
    expect(board.run('ls /boot').split() == want,
           'kernel and DTB for kexec are not in /boot')


def test_kernel_matches_image(board):
    size = int(board.run("wc -c < /boot/zImage"))
    expect(size == os.path.getsize(os.path.realpath(
        os.path.join(IMAGES, 'zImage'))), 'guest /boot/zImage differs')
    uimage = os.path.join(IMAGES, 'uImage')
    if os.path.exists(uimage):
        size = int(board.run("wc -c < /boot/uImage"))
        expect(size == os.path.getsize(uimage), 'guest /boot/uImage differs')
