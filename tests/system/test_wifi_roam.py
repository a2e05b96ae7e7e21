"""More than one AP, and roaming (-global qca6584.aps=SSID:CHANNEL[:SNR]):
the lab's WPA2 network "lab-ap" on channel 6 (/machine/wifi/ap[0], the
ap-* properties) and a second AP of the same network on channel 11
(ap[1], its BSSID the next one). A scan finds both, each on its channel
with its own signal, and a signal set at run time (qom-set ap[N] snr)
shows in the next scan. The supplicant joins the stronger; when its
signal drops and the other's rises, the supplicant's background scan
finds the better AP and roams to it (mac80211 leaves the old AP for a new
authentication, reassociates, the 4-way handshake runs with the new AP),
and a download in flight across the roam completes with the right md5:
the network behind both APs is one, so the station keeps its address and
TCP its connection."""
from lablib import expect
from wifi import (AP_BSSID, PSK, WIFI, WPA2_ARGS, dhcp_lease,
                  PacedDownload, ath10k_trouble, supplicant_log,
                  wait_supplicant, wifi_ready)

AP2_BSSID = '02:03:7f:00:00:02'
AP0, AP1 = WIFI + '/ap[0]', WIFI + '/ap[1]'
BOARD = {'qemu_args': WPA2_ARGS + ('-global', 'qca6584.aps=lab-ap:11:20')}
# scans every 2 s while the signal is below -70 dBm, else hourly
BGSCAN = 'simple:2:-70:3600'


def scan(board):
    """{bssid: (MHz, dBm)} of a fresh scan (iw, which waits for it)."""
    found, bss = {}, None
    out = board.run('ip link set wlan0 up; iw dev wlan0 scan', timeout=60)
    for line in out.splitlines():
        words = line.replace('(', ' ').split()
        if line.startswith('BSS '):
            bss = words[1]
            found[bss] = [None, None]
        elif bss and words[:1] == ['freq:']:
            found[bss][0] = int(float(words[1]))
        elif bss and words[:1] == ['signal:']:
            found[bss][1] = float(words[1])
    return {b: tuple(v) for b, v in found.items()}


def test_scan_finds_each_ap_on_its_channel(board):
    wifi_ready(board)
    expect(board.qom_get(AP1, 'bssid') == AP2_BSSID and
           board.qom_get(AP1, 'channel') == 11 and
           board.qom_get(AP1, 'ssid') == 'lab-ap', 'ap[1] is not set up')
    # the signal is the SNR above the noise floor, -95 dBm
    found = scan(board)
    expect(found.get(AP_BSSID) == (2437, -50.0) and
           found.get(AP2_BSSID) == (2462, -75.0),
           'scan: %s' % found)
    board.qom_set(AP1, 'snr', 30)
    found = scan(board)
    board.qom_set(AP1, 'snr', 20)
    expect(found.get(AP2_BSSID) == (2462, -65.0),
           'ap[1] at snr 30: %s' % found)


def test_roam_during_download(board):
    wifi_ready(board)
    board.run('lab-wifi-connect --stop')
    out = board.run('LAB_WIFI_BGSCAN=%s lab-wifi-connect lab-ap %s; true'
                    % (BGSCAN, PSK), timeout=60)
    expect(out.startswith('connected'), 'not connected:\n' + out)
    expect('Connected to ' + AP_BSSID in board.run('iw dev wlan0 link'),
           'the supplicant did not choose the stronger AP')
    dhcp_lease(board)

    paced = PacedDownload(8)
    try:
        paced.start(board, '/tmp/roam.md5')
        paced.wait_sent(2 << 20)
        mark = board.mark()
        at_drop = paced.sent
        # the station walks away from ap[0] towards ap[1]
        board.qom_set(AP0, 'snr', 10)
        board.qom_set(AP1, 'snr', 60)
        wait_supplicant(board, 'CTRL-EVENT-CONNECTED - Connection to %s '
                        'completed' % AP2_BSSID, timeout=60)
        at_roam = paced.sent
        expect(at_roam < paced.size, 'the download ended before the roam '
               '(%d bytes sent at the signal drop)' % at_drop)
        paced.release.set()
        out = board.run('i=0; until [ -s /tmp/roam.md5 ] || [ $i -ge 600 ]; '
                        'do sleep 0.2; i=$((i + 1)); done; cat /tmp/roam.md5',
                        timeout=150)
    finally:
        paced.close()
    expect(out.split()[:1] == [paced.md5],
           'download across the roam: md5 %s, want %s' % (out, paced.md5))
    expect(at_roam > at_drop, 'no data moved while the station roamed')

    log = supplicant_log(board)
    for line in ('CTRL-EVENT-SIGNAL-CHANGE above=0',
                 "SME: Trying to authenticate with %s (SSID='lab-ap' "
                 "freq=2462 MHz)" % AP2_BSSID,
                 'Associated with ' + AP2_BSSID,
                 'WPA: Key negotiation completed with %s [PTK=CCMP '
                 'GTK=CCMP]' % AP2_BSSID):
        expect(line in log, 'the supplicant did not say "%s":\n%s'
               % (line, log))
    for line in (r'wlan0: disconnect from AP %s for new auth to %s'
                 % (AP_BSSID, AP2_BSSID),
                 r'wlan0: send auth to %s \(try 1/3\)' % AP2_BSSID,
                 r'wlan0: RX ReassocResp from %s \(capab=0x411 status=0 '
                 r'aid=1\)' % AP2_BSSID):
        board.wait_for(line, 10, since=mark)
    text = board.text[mark:]
    expect(not ath10k_trouble(text),
           'ath10k trouble:\n' + '\n'.join(ath10k_trouble(text)))
    link = board.run('iw dev wlan0 link')
    expect('Connected to %s' % AP2_BSSID in link and 'freq: 2462' in link,
           'not on ap[1]:\n' + link)
    # the old AP forgot the station (the network moved it), the new one
    # has it, its keys from its own handshake
    expect(board.qom_get(AP1, 'associated') and
           not board.qom_get(AP0, 'associated'),
           'the APs do not agree where the station is')
    expect(board.qom_get(AP1, 'handshakes') == 1, 'ap[1]: no handshake')
    board.run('lab-wifi-connect --stop')
    board.qom_set(AP0, 'snr', 45)
    board.qom_set(AP1, 'snr', 20)
