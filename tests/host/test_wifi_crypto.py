"""The simulated AP's WPA2 key hierarchy (hw/net/wifi-crypto.c) against
the published test vectors: PBKDF2 (IEEE 802.11-2016 J.4.2), the PRF
(J.3.2), the PTK (J.7) and AES key wrap (RFC 3394 4.1). The file is
compiled with the flags meson used for it in the lab's QEMU build and
linked against that build's crypto and util libraries."""
import json
import os
import shlex
import subprocess
import tempfile

from lablib import BUILD, ROOT, expect

QEMU_BUILD = os.path.join(BUILD, 'qemu')
VECTORS = os.path.join(ROOT, 'tests', 'host', 'wifi-crypto-vectors.c')
OBJECT = 'libcommon.fa.p/hw_net_wifi-crypto.c.o'
LIBS = ('libcrypto.fa', 'libqemuutil.a', 'libauthz.fa', 'libio.fa',
        'libqom.fa', 'libevent-loop-base.a')

EXPECTED = {
    'pmk-ieee': 'f42c6fc52df0ebef9ebb4b90b38a5f902e83fe1b135a70e23aed762e'
                '9710a12e',
    'pmk-ssid': '0dc0d6eb90555ed6419756b9a15ec3e3209b63df707dd508d14581f8'
                '982721af',
    'kck': '379f9852d0199236b94e407ce4c00ec8',
    'kek': '47c9edc01c2c6e5b4910caddfb3e51a7',
    'tk': 'b2360c79e9710fdd58bea93deaf06599',
    'prf-512': 'bcd4c650b30b9684951829e0d75f9d54b862175ed9f00606e17d8da3'
               '5402ffee75df78c3d31e0f889f012120c0862beb67753e7439ae242e'
               'db8373698356cf5a',
    'key-wrap': '1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5',
}


def compile_command():
    """meson's command for wifi-crypto.c, minus its input and outputs"""
    with open(os.path.join(QEMU_BUILD, 'compile_commands.json')) as f:
        for entry in json.load(f):
            if entry['file'].endswith('hw/net/wifi-crypto.c'):
                args = shlex.split(entry['command'])
                break
        else:
            raise AssertionError('wifi-crypto.c is not in the QEMU build')
    out, skip = [], 0
    for a in args:
        if skip:
            skip -= 1
        elif a in ('-o', '-c', '-MQ', '-MF'):
            skip = 1
        elif a != '-MD':
            out.append(a)
    return out


def test_key_hierarchy_matches_the_published_vectors():
    with tempfile.TemporaryDirectory() as tmp:
        obj, exe = os.path.join(tmp, 'v.o'), os.path.join(tmp, 'v')
        subprocess.run(compile_command() + ['-c', VECTORS, '-o', obj],
                       cwd=QEMU_BUILD, check=True)
        glib = subprocess.run(['pkg-config', '--libs', 'glib-2.0',
                               'gio-2.0', 'gmodule-2.0'], check=True,
                              capture_output=True, text=True).stdout.split()
        subprocess.run(['cc', '-o', exe, obj, OBJECT, '-Wl,--start-group',
                        *LIBS, '-Wl,--end-group', *glib, '-lm', '-lz'],
                       cwd=QEMU_BUILD, check=True, capture_output=True)
        run = subprocess.run([exe], capture_output=True, text=True,
                             timeout=60)
    got = dict(l.split() for l in run.stdout.splitlines())
    expect(run.returncode == 0, 'a primitive failed:\n' + run.stdout)
    for name, want in EXPECTED.items():
        expect(got.get(name) == want, '%s: %s, expected %s'
               % (name, got.get(name), want))
