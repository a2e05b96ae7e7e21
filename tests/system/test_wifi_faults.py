"""The QCA6584's injected failures (hw/net/qca6584/faults.c), the paths
ath10k_sdio users meet in the field, on a WPA2 connection: a firmware
crash (fw-crash) with its register dump and devcoredump, the restart of
the firmware and an association kept across it, data flowing again under
the re-installed keys; a WMI handler that hangs (fail-wmi) until the
host's command times out and it restarts the firmware; a CMD53 that
the card fails (fail-cmd53) or whose data phase fails on the bus, as the
uSDHC reports it (fail-cmd53-crc, fail-cmd53-timeout); a suspend the firmware never acknowledges
(fail-suspend-ack). Each asserts the exact
kernel messages and that the board carries on."""
import re

from lablib import expect
from wifi import (AP_BSSID, GUEST_IP, WIFI, WPA2_ARGS, connected_count,
                  download, ensure_connected, supplicant_log, wifi_ready)

BOARD = {'qemu_args': WPA2_ARGS}
ATH = r'ath10k_sdio mmc1:0001:1: '
RECOVERED = ATH + 'device successfully recovered'


def connected(board):
    """Up, connected under WPA2 and leased; how often the supplicant has
    connected so far."""
    ensure_connected(board)
    if 'inet %s/' % GUEST_IP not in board.run('ip -4 addr show wlan0'):
        board.run('udhcpc -i wlan0 -n -q -t 5', timeout=60)
    return connected_count(board)


def expect_association_kept(board, connects):
    """Still connected to the AP, without a new connection or a
    disconnection on the supplicant's side, and data flows."""
    expect('Connected to ' + AP_BSSID in board.run('iw dev wlan0 link'),
           'not connected after the restart')
    log = supplicant_log(board)
    expect(log.count('CTRL-EVENT-CONNECTED') == connects and
           'CTRL-EVENT-DISCONNECTED' not in log.split(
               'CTRL-EVENT-CONNECTED')[-1],
           'the association was not kept:\n' + log)
    download(board, 1)


def test_firmware_crash_dumps_restarts_and_keeps_the_association(board):
    wifi_ready(board)
    connects = connected(board)
    crashes = board.qom_get(WIFI, 'fw-crashes')
    board.run('rm -f /tmp/dumps; ls /sys/class/devcoredump/ > /tmp/dumps '
              '2>/dev/null; true')
    mark = board.mark()
    board.qom_set(WIFI, 'fw-crash', 1)
    board.wait_for(RECOVERED, 60, since=mark)
    text = board.text[mark:]
    for line in (ATH + r'firmware crashed! \(guid [0-9a-f-]{36}\)',
                 ATH + 'firmware register dump:',
                 ATH + r'\[00\]: 0x05030000 0x00981D2C 0x4A000202 0x4A000303',
                 ATH + r'\[56\]: 0x4A003838 0x4A003939 0x4A003A3A 0x4A003B3B',
                 r'ieee80211 phy0: Hardware restart was requested'):
        expect(re.search(line, text), 'no /%s/ in:\n%s' % (line, text))
    expect(board.qom_get(WIFI, 'fw-crashes') == crashes + 1,
           'the model did not count the crash')
    # the devcoredump ath10k made of it
    dump = board.run('for d in /sys/class/devcoredump/devcd*; do '
                     'grep -qx "${d##*/}" /tmp/dumps || '
                     'head -c 14 $d/data; done')
    expect(dump == 'ATH10K-FW-DUMP', 'no new ath10k devcoredump: %r' % dump)
    expect_association_kept(board, connects)


def test_wmi_hang_times_out_and_restarts_the_firmware(board):
    wifi_ready(board)
    connects = connected(board)
    injected = board.qom_get(WIFI, 'faults-injected')
    mark = board.mark()
    # the firmware swallows the next 8 commands: the host's 8 credits;
    # each power-save switch sends a command or more, without waiting for
    # an answer, and the one after the 8 waits 3 s for a credit
    board.qom_set(WIFI, 'fail-wmi', 8)
    for _ in range(10):
        board.run('iw dev wlan0 set power_save on; '
                  'iw dev wlan0 set power_save off; true', timeout=60)
        if 'timeout, restarting hardware' in board.text[mark:]:
            break
    board.wait_for(ATH + r'wmi command \d+ timeout, restarting hardware', 5,
                   since=mark)
    board.wait_for(RECOVERED, 60, since=mark)
    expect(board.qom_get(WIFI, 'faults-injected') == injected + 8,
           'not 8 commands swallowed')
    expect(board.qom_get(WIFI, 'fail-wmi') == 0, 'knob not used up')
    expect_association_kept(board, connects)


def after_ath10k_warning_burst(board):
    """ath10k_warn() is rate-limited, 10 messages in 5 s for all of them
    (dev_warn_ratelimited at one call site), and the previous test's
    recovery printed a burst: wait until 5 s of guest time have passed
    since ath10k's last line, so that the next warnings are printed."""
    stamps = re.findall(r'\[\s*(\d+\.\d+)\] ' + ATH, board.text)
    if stamps:
        uptime = float(board.run("cut -d ' ' -f 1 /proc/uptime"))
        left = float(stamps[-1]) + 5.2 - uptime
        if left > 0:
            board.run('sleep %.1f' % left, timeout=30)


def expect_status_read_failure_recovered(board, knob, errno):
    """The next interrupt status read (a CMD53 that includes 0x800, which
    the next beacon causes on an idle link) fails by @knob: ath10k gets
    -@errno from the mmc core, which does not retry a CMD53, reads it as a
    dead bus and restarts the firmware, keeping the association. Without
    fail-cmd53-addr the knob takes whichever CMD53 comes first, the mailbox
    sleep's chip control read at times."""
    wifi_ready(board)
    connects = connected(board)
    after_ath10k_warning_burst(board)
    mark = board.mark()
    board.qom_set(WIFI, 'fail-cmd53-addr', 0x800)
    try:
        board.qom_set(WIFI, knob, 1)
        board.wait_for(RECOVERED, 60, since=mark)
        expect(board.qom_get(WIFI, knob) == 0, 'knob not used')
    finally:
        board.qom_set(WIFI, knob, 0)
        board.qom_set(WIFI, 'fail-cmd53-addr', 0xffffffff)
    for line in ('failed to read from address 0x800: -%d' % errno,
                 'read int status fail, start recovery',
                 'failed to process pending SDIO interrupts: -%d' % errno):
        board.wait_for(ATH + line, 10, since=mark)
    expect_association_kept(board, connects)


def test_cmd53_r5_error_on_the_status_read_restarts_the_firmware(board):
    """The card answers R5 ERROR: -EIO"""
    expect_status_read_failure_recovered(board, 'fail-cmd53', 5)


def test_cmd53_data_crc_error_on_the_status_read_restarts_the_firmware(
        board):
    """The uSDHC reports a data CRC error (ERRINTSTS DCE): -EILSEQ"""
    expect_status_read_failure_recovered(board, 'fail-cmd53-crc', 84)


def test_cmd53_data_timeout_on_the_status_read_restarts_the_firmware(board):
    """The uSDHC reports a data timeout (ERRINTSTS DTOE): -ETIMEDOUT"""
    expect_status_read_failure_recovered(board, 'fail-cmd53-timeout', 110)


def test_suspend_never_acknowledged(board):
    wifi_ready(board)
    connected(board)
    mark = board.mark()
    board.qom_set(WIFI, 'fail-suspend-ack', 1)
    board.run('lab-wifi-connect --stop; ip link set wlan0 down', timeout=60)
    board.wait_for(ATH + 'suspend timed out - target pause event never '
                   'came', 10, since=mark)
    expect(board.qom_get(WIFI, 'fail-suspend-ack') == 0, 'knob not used')
    # the next interface down is acknowledged again, and the link comes back
    mark = board.mark()
    board.run('ip link set wlan0 up; ip link set wlan0 down; '
              'ip link set wlan0 up', timeout=60)
    expect('target pause event never came' not in board.text[mark:],
           'a suspend without the fault timed out')
    connected(board)
    download(board, 1)
