"""WPA2-PSK through the QCA6584 (hw/net/wifi-rsn.c, the AP's
authenticator): Debian's wpa_supplicant joins the simulated AP with the
4-way handshake, ath10k installs the keys (VDEV_INSTALL_KEY, answered by
HTT SEC_IND as the firmware does), and data flows as the chip's
hardware CCMP delivers it (Protected frames with a rising PN; the AP
takes nothing else once the network is WPA2). A wrong passphrase ends as
against a real AP: message 3 never comes, the AP gives up after its 4th
message 1 and deauthenticates with reason 15, and the supplicant blames
the key. The AP beacons; switched off (qom-set ap-enabled false) it falls
silent, the chip reports the beacon miss and the station disconnects;
switched on, the supplicant reconnects. The AP deauthenticates or
disassociates the station on request. A group rekey on demand (qom-set ap-rekey) runs the group key
handshake under the pairwise key; broadcasts keep arriving under the new
group key. The board captures the air (-global qca6584.pcap=FILE), and
Debian's tshark reads in it what the tests did: authentication,
association, the 4-way handshake's four messages, the group key
handshake, the deauthentication of the wrong passphrase."""
import os
import re
import subprocess

from lablib import BUILD, expect
from wifi import (AP_BSSID, GUEST_IP, SUPPLICANT_LOG, WIFI, WPA2_ARGS,
                  ath10k_trouble, connected_count, dhcp_lease, download,
                  ensure_connected, join, supplicant_log, wait_supplicant,
                  wifi_ready)

CAPTURE = os.path.join(BUILD, 'test-logs', 'wifi-wpa2-air.pcap')
BOARD = {'qemu_args': WPA2_ARGS + ('-global', 'qca6584.pcap=' + CAPTURE)}
KEY_TROUBLE = r'failed to (install|set) key'


def test_wpa2_connect_and_download(board):
    wifi_ready(board)
    mark = board.mark()
    before = board.qom_get(WIFI, 'ap-handshakes')
    out = join(board)
    log = supplicant_log(board)
    expect(out.startswith('connected'), 'not connected:\n' + out + log)
    expect('WPA: Key negotiation completed with %s [PTK=CCMP GTK=CCMP]'
           % AP_BSSID in log, 'no key negotiation:\n' + log)
    expect('CTRL-EVENT-CONNECTED - Connection to %s completed' % AP_BSSID
           in log, 'not connected:\n' + log)
    expect(board.qom_get(WIFI, 'ap-handshakes') == before + 1,
           'the AP did not count the handshake')
    text = board.text[mark:]
    bad = ath10k_trouble(text) + re.findall(r'.*%s.*' % KEY_TROUBLE, text)
    expect(not bad, 'key trouble:\n' + '\n'.join(bad))
    # the data path: DHCP (broadcast under the GTK), then a download whose
    # every frame is Protected under the PTK both ways
    dhcp_lease(board)
    download(board, 4)


def test_wpa2_group_rekey(board):
    wifi_ready(board)
    ensure_connected(board)
    board.qom_set(WIFI, 'ap-rekey', True)
    wait_supplicant(board, 'WPA: Group rekeying completed with %s '
                    '[GTK=CCMP]' % AP_BSSID)
    # a new lease: QEMU's DHCP server answers to the broadcast address,
    # so the offer comes under the new group key (key ID 2)
    out = board.run('ip addr flush dev wlan0; udhcpc -i wlan0 -n -q -t 5 '
                    '2>&1', timeout=60)
    expect('lease of %s obtained' % GUEST_IP in out,
           'no lease after the rekey:\n' + out)
    download(board, 1)


def test_wpa2_wrong_passphrase(board):
    wifi_ready(board)
    board.run('lab-wifi-connect --stop')
    mark = board.mark()
    handshakes = board.qom_get(WIFI, 'ap-handshakes')
    bad_mics = board.qom_get(WIFI, 'ap-bad-mics')
    out = join(board, 'not-the-passphrase')
    log = supplicant_log(board)
    expect(out.startswith('failed'), 'connected with a wrong passphrase')
    for line in ('CTRL-EVENT-DISCONNECTED bssid=%s reason=15' % AP_BSSID,
                 'WPA: 4-Way Handshake failed - pre-shared key may be '
                 'incorrect',
                 'CTRL-EVENT-SSID-TEMP-DISABLED id=0 ssid="lab-ap" '
                 'auth_failures=1 duration=10 reason=WRONG_KEY'):
        expect(line in log, 'the supplicant did not say "%s":\n%s'
               % (line, log))
    expect('Key negotiation completed' not in log, 'keys negotiated')
    board.wait_for(r'wlan0: deauthenticated from %s \(Reason: '
                   r'15=4WAY_HANDSHAKE_TIMEOUT\)' % AP_BSSID, 10, since=mark)
    # the AP sent message 1 four times (hostapd's retry limit) and could
    # verify none of the messages 2 (one for each, unless the guest was
    # too slow for the AP's second), and no handshake completed
    expect(board.qom_get(WIFI, 'ap-handshakes') == handshakes,
           'the AP completed a handshake')
    expect(1 <= board.qom_get(WIFI, 'ap-bad-mics') - bad_mics <= 4,
           'not 1-4 messages 2 with a bad MIC')
    board.run('lab-wifi-connect --stop')


def wait_reconnect(board, before, timeout=60):
    """Until the supplicant has connected once more than `before` times."""
    board.run('(end=$(($(date +%%s) + %d)); until [ $(grep -c '
              'CTRL-EVENT-CONNECTED %s) -gt %d ]; do [ $(date +%%s) -ge $end ] '
              '&& exit 1; sleep 0.2; done)' % (timeout, SUPPLICANT_LOG,
                                                before), timeout=timeout + 15)


def test_beacon_loss_and_return(board):
    """The AP switched off: its beacons stop, the chip's firmware reports
    the beacon miss (WMI ROAM, reason BEACON_MISS), mac80211 probes the AP
    and drops the connection, the supplicant says so; switched on, the
    supplicant finds it again and reconnects."""
    wifi_ready(board)
    ensure_connected(board)
    misses = board.qom_get(WIFI, 'bmiss-events')
    before = connected_count(board)
    board.qom_set(WIFI, 'ap-enabled', False)
    wait_supplicant(board, 'CTRL-EVENT-BEACON-LOSS')
    wait_supplicant(board, 'CTRL-EVENT-DISCONNECTED bssid=%s reason=4 '
                    'locally_generated=1' % AP_BSSID)
    expect(board.qom_get(WIFI, 'bmiss-events') == misses + 1,
           'not one beacon-miss event')
    board.qom_set(WIFI, 'ap-enabled', True)
    wait_reconnect(board, before)
    expect('Connected to ' + AP_BSSID in board.run('iw dev wlan0 link'),
           'not connected again')


def test_ap_deauth_and_disassoc(board):
    """The AP drops the station (qom-set ap-deauth / ap-disassoc REASON):
    the kernel prints the reason, the supplicant reconnects."""
    wifi_ready(board)
    ensure_connected(board)
    for prop, reason, kernel in (
            ('ap-deauth', 3, r'wlan0: deauthenticated from %s \(Reason: '
                             r'3=DEAUTH_LEAVING\)'),
            ('ap-disassoc', 8, r'wlan0: disassociated from %s \(Reason: '
                               r'8=DISASSOC_STA_HAS_LEFT\)')):
        mark = board.mark()
        before = connected_count(board)
        board.qom_set(WIFI, prop, reason)
        board.wait_for(kernel % AP_BSSID, 20, since=mark)
        wait_supplicant(board, 'CTRL-EVENT-DISCONNECTED bssid=%s reason=%d'
                        % (AP_BSSID, reason))
        wait_reconnect(board, before)


def tshark(*args):
    return subprocess.run(['tshark', '-r', CAPTURE, *args], check=True,
                          capture_output=True, text=True, timeout=120).stdout


def test_capture_of_the_air(board):
    """After the tests above: what tshark reads in the board's capture.
    A restored board's capture starts at the restore."""
    info = [l.split('\t', 1)[1] for l in tshark(
        '-Y', 'eapol || wlan.fc.type == 0', '-T', 'fields',
        '-e', 'frame.number', '-e', '_ws.col.Info').splitlines()]
    text = '\n'.join(info)
    # (a message the station was slow to answer comes again: once here)
    order = []
    for i in info:
        i = i.split(',')[0]
        if i.startswith(('Authentication', 'Association', 'Key')) and \
                (not order or order[-1] != i or i == 'Authentication'):
            order.append(i)
    first = ['Authentication', 'Authentication', 'Association Request',
             'Association Response', 'Key (Message 1 of 4)',
             'Key (Message 2 of 4)', 'Key (Message 3 of 4)',
             'Key (Message 4 of 4)']
    expect(order[:8] == first,
           'not a 4-way handshake after the association:\n' + text)
    expect('Key (Group Message 1 of 2)' in text and
           'Key (Group Message 2 of 2)' in text, 'no group key handshake')
    # the wrong passphrase: messages 1 and 2 four times, then the deauth
    reasons = tshark('-Y', 'wlan.fc.type_subtype == 0x000c', '-T', 'fields',
                     '-e', 'wlan.sa', '-e', 'wlan.fixed.reason_code')
    expect('%s\t0x000f' % AP_BSSID in reasons,
           'no deauthentication with reason 15 from the AP:\n' + reasons)
    # the AP beacons every 100 TU (102.4 ms of virtual time) while it is on
    times = [float(t) for t in tshark(
        '-Y', 'wlan.fc.type_subtype == 0x0008', '-T', 'fields',
        '-e', 'frame.time_relative').split()]
    gaps = sorted(b - a for a, b in zip(times, times[1:]))
    expect(len(times) > 20 and abs(gaps[len(gaps) // 2] - 0.1024) < 0.001,
           'no beacons every 102.4 ms: %d beacons, median gap %s'
           % (len(times), gaps[len(gaps) // 2] if gaps else None))
