"""What the Wi-Fi system tests share (test_wifi, test_wifi_wpa2,
test_wifi_faults): the QCA6584's network on QEMU's user network, waiting
for ath10k_sdio and wlan0, ath10k trouble in a log, downloads from an
HTTP server on the host checked by md5; the WPA2 network and
wpa_supplicant (lab-wifi-connect) on it."""
import functools
import hashlib
import http.server
import os
import random
import re
import threading

from lablib import BUILD, expect

# the Wi-Fi's network: QEMU's user network (DHCP, the host as 10.0.2.2)
NET_ARGS = ('-netdev', 'user,id=wifi', '-global', 'qca6584.netdev=wifi')
AP_BSSID = '02:03:7f:00:00:01'
GUEST_IP = '10.0.2.15'
HOST_IP = '10.0.2.2'
WWW = os.path.join(BUILD, 'test-logs', 'wifi-www')
PROBED = r'ath10k_sdio mmc1:0001:1: htt-ver 3\.87 wmi-op 4 htt-op 3'
WIFI = '/machine/wifi'                  # the QCA6584's QOM path
# the AP as a WPA2 network (ap-psk), and the supplicant's log there
PSK = 'lab-passphrase'
WPA2_ARGS = NET_ARGS + ('-global', 'qca6584.ap-psk=' + PSK)
SUPPLICANT_LOG = '/run/wpa_supplicant.log'


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


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@functools.lru_cache(maxsize=None)
def http_server():
    """An HTTP server on the host's loopback serving WWW, for the whole
    run; the guest reaches it as HOST_IP (QEMU's user network)."""
    os.makedirs(WWW, exist_ok=True)
    handler = functools.partial(_Quiet, directory=WWW)
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


def served_file(mib):
    """A file of @mib MiB of pseudo-random bytes in WWW; its name, md5."""
    name = '%dMiB.bin' % mib
    data = random.Random(mib).randbytes(mib << 20)
    with open(os.path.join(WWW, name), 'wb') as f:
        f.write(data)
    return name, hashlib.md5(data).hexdigest()


def download(board, mib):
    port = http_server()
    name, md5 = served_file(mib)
    out = board.run('wget -q -O - http://%s:%d/%s | md5sum'
                    % (HOST_IP, port, name), timeout=120 + 20 * mib)
    expect(out.split()[:1] == [md5],
           '%d MiB download corrupt: md5 %s, want %s' % (mib, out, md5))


def supplicant_log(board):
    return board.run('cat ' + SUPPLICANT_LOG)


def wait_supplicant(board, text, timeout=30):
    """Until the supplicant's log has `text` (the guest's clock)."""
    board.run('(end=$(($(date +%%s) + %d)); until grep -qF \'%s\' %s; do '
              '[ $(date +%%s) -ge $end ] && exit 1; sleep 0.2; done)'
              % (timeout, text, SUPPLICANT_LOG), timeout=timeout + 15)


def join(board, psk=PSK):
    """lab-wifi-connect to the AP; its output (connected/failed)."""
    return board.run('lab-wifi-connect lab-ap %s; true' % psk, timeout=60)


def connected_count(board):
    """How often the supplicant has connected so far."""
    return int(board.run('grep -c CTRL-EVENT-CONNECTED %s || true'
                         % SUPPLICANT_LOG))


def ensure_connected(board):
    """Connected to the AP under WPA2 (a test may find it so already)."""
    if 'Connected to ' + AP_BSSID not in board.run('iw dev wlan0 link'):
        out = join(board)
        expect(out.startswith('connected'), 'cannot connect:\n' + out)
