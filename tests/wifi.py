"""What the Wi-Fi system tests share (test_wifi, test_wifi_wpa2,
test_wifi_faults, test_wifi_roam): the QCA6584's network on QEMU's user
network, waiting for ath10k_sdio and wlan0, ath10k trouble in a log,
downloads from an HTTP server on the host checked by md5, or paced so
that one is in flight while the link changes; the WPA2 network and
wpa_supplicant (lab-wifi-connect) on it."""
import functools
import hashlib
import http.server
import os
import random
import re
import threading
import time

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


class PacedDownload:
    """One file of @mib MiB served to the guest (as /paced.bin, at .url)
    at once up to @fast MiB, then in 8 KiB steps 20 ms apart (about
    400 kB/s, so that a transfer is in flight when something happens to
    the link) until .release is set, then the rest at once. .sent: bytes
    handed to the socket so far."""

    def __init__(self, mib, fast=1):
        self.data = random.Random('paced').randbytes(mib << 20)
        self.md5 = hashlib.md5(self.data).hexdigest()
        self.size = len(self.data)
        self.sent = 0
        self.release = threading.Event()
        paced = self

        class Handler(_Quiet):
            def do_GET(self):
                self.send_response(200)
                self.send_header('Content-Length', str(paced.size))
                self.end_headers()
                paced._stream(self.wfile, fast << 20)

        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                      Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever,
                         daemon=True).start()
        self.url = 'http://%s:%d/paced.bin' % (HOST_IP,
                                              self.server.server_address[1])

    def _stream(self, out, fast):
        step = 8 << 10
        while self.sent < self.size:
            n = self.size - self.sent
            if self.sent < fast:
                n = min(n, fast - self.sent)
            elif not self.release.is_set():
                n = min(n, step)
                # paced, but never held for more than 3 minutes
                self.release.wait(0.02 if time.monotonic() < self.deadline
                                  else 0)
            out.write(self.data[self.sent:self.sent + n])
            self.sent += n

    def start(self, board, path):
        """The guest downloads it in the background; md5sum's line
        appears in @path when done."""
        self.deadline = time.monotonic() + 180
        board.run('(wget -q -O - %s | md5sum >%s.part && mv %s.part %s) '
                  '</dev/null >/dev/null 2>&1 & true' % (self.url, path, path,
                                                    path))

    def wait_sent(self, nbytes, timeout=60):
        end = time.monotonic() + timeout
        while self.sent < nbytes and time.monotonic() < end:
            time.sleep(0.05)
        expect(self.sent >= nbytes, 'the download did not start: %d bytes'
               % self.sent)

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def dhcp_lease(board):
    """wlan0's address from QEMU's DHCP server, through the AP."""
    out = board.run('udhcpc -i wlan0 -n -q -t 5 2>&1', timeout=60)
    expect('lease of %s obtained from %s' % (GUEST_IP, HOST_IP) in out,
           'no lease:\n' + out)


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
