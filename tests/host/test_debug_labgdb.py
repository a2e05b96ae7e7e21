"""The parts of scripts/labgdb/ that run without gdb: elf.py's copy of a
.ko with the guest's load addresses in its section headers, checked with
readelf against a module the lab builds."""
import os
import re
import subprocess
import sys
import tempfile

from lablib import MODULES, ROOT, expect

sys.path.insert(0, os.path.join(ROOT, 'scripts'))
from labgdb import elf  # noqa: E402  (path set just above)

KO = os.path.join(MODULES, 'guest-driver', 'labtrigger', 'labtrigger.ko')


def section_addresses(path):
    """{name: sh_addr} as readelf -S reads them."""
    out = subprocess.run(['arm-linux-gnueabihf-readelf', '-SW', path],
                         capture_output=True, text=True, check=True).stdout
    return {m.group(1): int(m.group(2), 16) for m in re.finditer(
        r'^\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+([0-9a-f]{8}) ', out, re.M)}


def test_relocated_copy_has_the_load_addresses():
    sects = {'.text': 0xbf007000, '.data': 0xbf009100,
             '.init.text': 0xbf00c000, '.no-such-section': 0xbf00d000}
    with tempfile.TemporaryDirectory() as tmp:
        path, placed = elf.relocated_copy(KO, sects, tmp)
        expect(os.path.basename(path) == 'labtrigger@bf007000+init.ko',
               'copy named %s' % path)
        expect(sorted(placed) == ['.data', '.init.text', '.text'],
               'placed: %s' % placed)
        got, orig = section_addresses(path), section_addresses(KO)
    for name in placed:
        expect(got[name] == sects[name], '%s at 0x%x, want 0x%x'
               % (name, got[name], sects[name]))
    # everything else as it was (.bss: not in sects)
    expect({n: a for n, a in got.items() if n not in placed} ==
           {n: a for n, a in orig.items() if n not in placed},
           'sections the guest did not place moved')


def test_relocated_copy_without_placed_sections():
    with tempfile.TemporaryDirectory() as tmp:
        path, placed = elf.relocated_copy(KO, {'.nothing': 0xbf000000}, tmp)
        expect(path is None and placed == [] and not os.listdir(tmp),
               'a copy for a module with no section placed: %s' % path)


def test_relocated_copy_of_what_is_no_elf():
    readme = os.path.join(ROOT, 'README.md')
    try:
        elf.relocated_copy(readme, {'.text': 0xbf000000}, '/nonexistent')
    except ValueError as e:
        expect(str(e).startswith(readme + ': not a 32-bit little-endian ELF'),
               'message: %s' % e)
    else:
        expect(False, 'no error for README.md as a .ko')
