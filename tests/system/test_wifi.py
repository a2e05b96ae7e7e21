"""The QCA6584 Wi-Fi on uSDHC2 (hw/net/qca6584.c on hw/sd/sdio-card.c):
Linux enumerates the SDIO card, Debian's ath10k_core with ath10k_sdio
(built out of tree from the image's kernel source, unmodified) probes it
to a wiphy with both bands and a wlan0 that goes up and down, across
module reloads and a save/restore of the whole board."""
import os
import re

import lablib
from lablib import BUILD, expect

BOARD = {}
TIMEOUT = 180
SDIO_FUNC = '/sys/bus/sdio/devices/mmc1:0001:1'
PROBED = r'ath10k_sdio mmc1:0001:1: htt-ver 3\.87 wmi-op 4 htt-op 3'
RELOADS = 10
STATE = os.path.join(BUILD, 'test-logs', 'wifi-snapshot.state')


def wait_wlan0(board, timeout=60):
    board.run('i=0; while [ ! -e /sys/class/net/wlan0 ] && [ $i -lt %d ]; '
              'do sleep 0.2; i=$((i + 1)); done; test -e /sys/class/net/wlan0'
              % (timeout * 5), timeout=timeout + 10)


def wifi_ready(board):
    """Wait until ath10k_sdio probed the card (it loads after the board's
    other modules) and wlan0 exists."""
    board.wait_for(PROBED, 60, since=0)
    wait_wlan0(board)


def ath10k_trouble(text):
    """ath10k or kernel trouble in `text`; Debian's kernel logs every
    optional firmware file it does not find (pre-cal, cal, board-2):
    those are not trouble."""
    return [l for l in text.splitlines()
            if re.search(r'ath10k.*(error|fail|timed? ?out|unable|could not)|'
                         r'WARNING:|Oops|BUG:', l, re.I)
            and 'firmware: failed to load' not in l]


def test_sdio_card_enumerates(board):
    board.wait_for(r'mmc1: new high speed SDIO card at address 0001', 30,
                   since=0)
    expect(board.run('cat %s/vendor %s/device' % (SDIO_FUNC, SDIO_FUNC))
           .split() == ['0x0271', '0x050a'], 'wrong SDIO ids')


def test_ath10k_sdio_autoloads_and_probes(board):
    wifi_ready(board)
    mods = board.run("cut -d' ' -f1 /proc/modules").split()
    expect('ath10k_sdio' in mods and 'ath10k_core' in mods,
           'ath10k modules not loaded: %s' % mods)
    expect(board.run('basename $(readlink %s/driver)' % SDIO_FUNC)
           == 'ath10k_sdio', 'ath10k_sdio is not bound to the card')
    bad = ath10k_trouble(board.text)
    expect(not bad, 'probe trouble:\n' + '\n'.join(bad))


def test_iw_phy_has_both_bands(board):
    wifi_ready(board)
    out = board.run('iw phy')
    expect(re.search(r'^Wiphy phy\d+', out, re.M), 'no wiphy:\n' + out)
    expect('* 2412 MHz [1]' in out, 'no 2.4 GHz band')
    expect('* 5180 MHz [36]' in out, 'no 5 GHz band')


def test_wlan0_up_and_down(board):
    wifi_ready(board)
    board.run('ip link set wlan0 up')
    expect(',UP' in board.run('ip link show wlan0'), 'wlan0 not up')
    board.run('ip link set wlan0 down')
    expect(',UP' not in board.run('ip link show wlan0'), 'wlan0 still up')


def test_scan_finds_the_simulated_ap(board):
    wifi_ready(board)
    # the model's access point: ap-ssid lab-ap, ap-channel 6 (2437 MHz)
    board.run('ip link set wlan0 up')
    out = board.run('iw dev wlan0 scan', timeout=60)
    board.run('ip link set wlan0 down')
    expect(re.search(r'^BSS 02:03:7f:00:00:01', out, re.M),
           'the AP is not in the scan results:\n' + out)
    expect('SSID: lab-ap' in out and 'freq: 2437' in out,
           'wrong SSID or channel:\n' + out)
    expect(re.search(r'signal: -50\.00 dBm', out), 'no plausible signal')


def test_reload_ath10k_sdio(board):
    wifi_ready(board)
    mark = board.mark()
    for n in range(RELOADS):
        board.run('rmmod ath10k_sdio')
        board.run('! test -e /sys/class/net/wlan0')
        board.run('modprobe ath10k_sdio')
        wait_wlan0(board)
    text = board.text[mark:]
    expect(len(re.findall(PROBED, text)) == RELOADS,
           'not every reload probed the card')
    bad = ath10k_trouble(text)
    expect(not bad, 'reload trouble:\n' + '\n'.join(bad))


def test_save_restore_with_driver_loaded(board):
    wifi_ready(board)
    board.save_state(STATE)
    dest = lablib.Board.restore('test_wifi-restored', STATE)
    try:
        dest.qmp('cont')
        dest.write('\n')
        dest.sync_shell()
        dest.run('ip link set wlan0 up')
        expect(',UP' in dest.run('ip link show wlan0'),
               'wlan0 does not go up after the restore')
        dest.run('ip link set wlan0 down')
        bad = ath10k_trouble(dest.text)
        expect(not bad, 'trouble after the restore:\n' + '\n'.join(bad))
    finally:
        dest.shutdown()
