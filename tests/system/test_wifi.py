"""The QCA6584 Wi-Fi on uSDHC2 (hw/net/qca6584/ on hw/sd/sdio-card.c):
Linux enumerates the SDIO card, Debian's ath10k_core with ath10k_sdio
(built out of tree from the image's kernel source, unmodified) probes it
to a wiphy with both bands and a wlan0 that goes up and down. Through the
model's simulated access point (hw/net/wifi-ap.c) it scans, connects,
gets a DHCP lease from QEMU's user network behind the AP and downloads
files from an HTTP server on the host's loopback, intact; it reconnects,
and survives module reloads and a save/restore of the whole board."""
import os
import re

import lablib
from lablib import BUILD, expect
from wifi import (AP_BSSID, GUEST_IP, HOST_IP, NET_ARGS, PROBED,
                  ath10k_trouble, dhcp_lease, download, wait_wlan0,
                  wifi_ready)

BOARD = {'qemu_args': NET_ARGS}
RECONNECTS = 10
TIMEOUT = 180
SDIO_FUNC = '/sys/bus/sdio/devices/mmc1:0001:1'
RELOADS = 10
STATE = os.path.join(BUILD, 'test-logs', 'wifi-snapshot.state')


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


def test_scan_again_and_again(board):
    """A regression: scans that completed before ath10k checked its scan
    state made `iw scan` hang, about one in three."""
    wifi_ready(board)
    board.run('ip link set wlan0 up')
    for n in range(5):
        out = board.run('iw dev wlan0 scan', timeout=60)
        expect('SSID: lab-ap' in out, 'scan %d misses the AP:\n%s' % (n, out))
    board.run('ip link set wlan0 down')


def wait_link(board, connected=True, timeout=20):
    """Wait until `iw dev wlan0 link` says (not) connected; its output.
    The guest gives up after `timeout` seconds of its own clock (a
    subshell: its exit leaves the console shell alone)."""
    want = 'Connected to ' + AP_BSSID if connected else 'Not connected'
    board.run('(end=$(($(date +%%s) + %d)); until iw dev wlan0 link | '
              'grep -q "%s"; do [ $(date +%%s) -ge $end ] && exit 1; '
              'sleep 0.2; done)' % (timeout, want), timeout=timeout + 15)
    return board.run('iw dev wlan0 link')


def connect_again(board, tries=3):
    """iw connect, and again if the attempt came to nothing: under host
    load cfg80211 was seen to abort a fresh authentication at once ("by
    local choice"), the previous disconnect's work running late."""
    for attempt in range(tries):
        board.run('iw dev wlan0 connect lab-ap')
        try:
            return wait_link(board, timeout=10)
        except lablib.TestFailure:
            if attempt == tries - 1:
                raise
            board.run('iw dev wlan0 disconnect')


def connect(board):
    """Up and connected to the AP (a test may find it so already)."""
    board.run('ip link set wlan0 up')
    if 'Connected to' not in board.run('iw dev wlan0 link'):
        board.run('iw dev wlan0 connect lab-ap')
    return wait_link(board)


def test_connect_associates(board):
    wifi_ready(board)
    mark = board.mark()
    out = connect(board)
    expect('SSID: lab-ap' in out and 'freq: 2437' in out,
           'wrong network:\n' + out)
    board.wait_for(r'wlan0: associated', 10, since=mark)
    expect(re.search(r'wlan0: authenticated', board.text[mark:]),
           'no authentication in the kernel log')


def test_dhcp_lease_over_wifi(board):
    wifi_ready(board)
    connect(board)
    dhcp_lease(board)
    expect('inet %s/24' % GUEST_IP in board.run('ip -4 addr show wlan0'),
           'the lease is not on wlan0')
    expect('default via %s dev wlan0' % HOST_IP in board.run('ip route'),
           'no default route through wlan0')


def lease(board):
    connect(board)
    if 'inet %s/' % GUEST_IP not in board.run('ip -4 addr show wlan0'):
        board.run('udhcpc -i wlan0 -n -q -t 5', timeout=60)


def test_download_1mib(board):
    wifi_ready(board)
    lease(board)
    download(board, 1)


def test_download_16mib(board):
    wifi_ready(board)
    lease(board)
    download(board, 16)


def test_reconnect_ten_times(board):
    wifi_ready(board)
    lease(board)
    mark = board.mark()
    for n in range(RECONNECTS):
        board.run('iw dev wlan0 disconnect')
        wait_link(board, connected=False)
        connect_again(board)
    text = board.text[mark:]
    expect(len(re.findall(r'wlan0: associated', text)) >= RECONNECTS,
           'not every reconnect associated')
    bad = ath10k_trouble(text)
    expect(not bad, 'reconnect trouble:\n' + '\n'.join(bad))
    # and the data path still works
    download(board, 1)
    board.run('iw dev wlan0 disconnect; ip link set wlan0 down')


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
    dest = lablib.Board.restore('test_wifi-restored', STATE,
                                qemu_args=NET_ARGS)
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
