"""scripts/bench's report without a board: the measurements replaced by
recorded figures, every section goes through the one table writer, and the
report holds each figure, each peer's and each target."""
import importlib.machinery
import importlib.util
import io
import os
import sys
import tempfile

from lablib import ROOT, expect

BENCH = os.path.join(ROOT, 'scripts', 'bench')


def load_bench():
    loader = importlib.machinery.SourceFileLoader('lab_bench', BENCH)
    spec = importlib.util.spec_from_loader('lab_bench', loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


# Figures in the results' shapes (boot and net from a real run,
# make bench 2026-11-22; display and kexec as interleaved rounds)
BOOTS = {'run': [0.91, 0.95, 0.85, 0.89, 1.02],
         'uImage': [(3.21, 5.70, 220 << 10), (3.84, 5.9, 224 << 10),
                    (4.08, 6.1, 218 << 10), (3.30, 5.8, 221 << 10),
                    (3.25, 5.75, 219 << 10)],
         'zImage': [(7.28, 9.0, 200 << 10)] * 5}
DISPLAY = {'driver': [40.1, 41.0, 39.5, 40.6, 42.0],
           'drm': [29.0, 29.4, 30.1, 28.8, 29.9],
           'lab': [50.0, 52.0, 49.0, 51.0, 53.0],
           'sabre': [54.0, 55.0, 53.0, 52.0, 56.0],
           'stock': [55.0, 54.0, 52.0, 57.0, 53.0],
           'lab_4k': [30.0, 31.0, 29.0, 32.0, 30.5],
           'sabre_4k': [33.0, 32.0, 34.0, 31.0, 33.5],
           'stock_4k': [34.0, 33.0, 35.0, 32.0, 33.0],
           'driver_fsync': 18.9, 'drm_fsync': 1071.0,
           'last_frame_red': True, 'partial': 171 / 160}
KEXEC = [2.09, 2.2, 1.95, 2.3, 2.1]
NETS = {'wifi': {'rx': [56.1, 50.2, 49.9], 'tx': [227.1, 200.0, 210.5]},
        'wired': {'rx': [220.5, 210.0, 205.5], 'tx': [256.3, 250.1, 240.0]},
        'wifi-tap': {'rx': [105.3, 77.9, 74.9], 'tx': [205.2, 356.9, 287.3]},
        'wired-tap': {'rx': [331.7, 394.6, 366.2],
                      'tx': [391.1, 398.1, 489.5]},
        'hwsim': {'error': 'lab-hwsim-pair: no IBSS'}}
# (make kernel-src and the reload loop, session of 2026-12-02)
REBUILD = 35.2
SOURCE_BOOTS = ([2.9, 3.1, 3.0, 3.3, 2.8], [3.2, 3.4, 3.1, 3.6, 3.3])
RELOADS = [(14.4, 13.0, 1.4), (13.1, 11.3, 1.9), (14.3, 12.9, 1.5),
           (13.8, 12.2, 1.6), (10.9, 9.1, 1.8)]


def measured(bench, stock_qemu=True):
    """bench.sections() with the boards replaced by the figures above."""
    bench.boot_bench = lambda: dict(BOOTS)
    bench.display_bench = lambda: dict(DISPLAY) if stock_qemu else {
        k: v for k, v in DISPLAY.items() if not k.startswith('stock')}
    labels = [bench.KEXEC_ON, bench.KEXEC_OFF, bench.KEXEC_ON_Z]
    if stock_qemu:
        labels += [bench.KEXEC_STOCK, bench.KEXEC_STOCK_Z]
    bench.kexec_bench = lambda: {label: KEXEC for label in labels}
    bench.net_bench = lambda: NETS
    bench.one_file_rebuild = lambda: REBUILD
    bench.source_kernel_boots = lambda: SOURCE_BOOTS
    bench.reload_loop = lambda: RELOADS
    # the report looks for it
    bench.STOCK_QEMU = sys.executable if stock_qemu else \
        '/nonexistent/qemu-system-arm'
    return list(bench.sections())


def report(bench, sections):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'bench.md')
        bench.write_report(path, sections)
        with open(path) as f:
            return f.read()


def test_report_has_every_figure_peer_and_target():
    bench = load_bench()
    text = report(bench, measured(bench))
    for want in (
            '## Start and boot, 5 interleaved rounds',
            '| `make run` to the guest shell (from the board\'s snapshot) | '
            '0.91 s (median of 0.85, 0.89, 0.91, 0.95, 1.02) | cold boot of '
            'the same (uImage): 3.30 s', '| <= 1 s |',
            '| boot to the test shell | 3.30 s (median of '
            '3.21, 3.25, 3.30, 3.84, 4.08) | Debian zImage as shipped '
            '(reference): 7.28 s', '| <= 5 s |',
            '| QEMU peak RSS (highest of the runs) | 224 MiB |',
            '| ili9341fb: full frames/s (write + fsync, 5 s) | 40.6 '
            'frames/s (median of 39.5, 40.1, 40.6, 41.0, 42.0) | upstream '
            'DRM tiny/ili9341 (fbdev emulation), same test: 29.4 frames/s',
            'fsync/s the program saw | 18.9 fsync/s | upstream DRM '
            'tiny/ili9341 (fbdev emulation), same test: 1071.0 fsync/s',
            '| console shows the last frame | yes |',
            'one 153,600-byte message per frame | 51.0 frames/s (median of '
            '49.0, 50.0, 51.0, 52.0, 53.0) | the lab\'s QEMU on '
            'mcimx7d-sabre (no display): 54.0 frames/s',
            'stock QEMU 7.2 mcimx7d-sabre, same guest, no display: 54.0 '
            'frames/s',
            '| SPI ceiling, full frames: lab board / stock, pair by pair | '
            '0.94 x (median of 0.89, 0.91, 0.94, 0.96, 1.00)', '| >= 0.9 |',
            '| SPI ceiling, 4 KiB messages: lab board / stock, pair by pair |',
            '| ili9341fb full frames / stock\'s full-frame ceiling, pair by '
            'pair | 0.76 x',
            '(20x4 rect) | 1.07 bytes/byte |  | <= 1.1 |',
            '| imx7d-custom,psci=on, uImage | 2.10 s (median of 1.95, 2.09, '
            '2.10, 2.20, 2.30) |  | <= 3 s |',
            '| stock QEMU 7.2 mcimx7d-sabre (peer), uImage | 2.10 s',
            '| imx7d-custom,psci=on, zImage (lab-kexec -z) |',
            'download (to the guest) | 56.1 Mbit/s (best of 49.9, 50.2, '
            '56.1) | wired ENET (fec), to the host: 220.5 Mbit/s (best of '
            '205.5, 210.0, 220.5); mac80211_hwsim',
            'failed: lab-hwsim-pair: no IBSS | >= 100 Mbit/s |',
            'upload | 227.1 Mbit/s', '32 MiB each way',
            '| QEMU configure + full build |'):
        expect(want in text, '%r missing from the report:\n%s' % (want, text))


def test_without_stock_qemu_the_report_says_so():
    bench = load_bench()
    text = report(bench, measured(bench, stock_qemu=False))
    missing = 'not measured (/nonexistent/qemu-system-arm missing)'
    # both SPI ceilings, the three ratios and kexec
    expect(text.count(missing) == 6,
           'stock QEMU should be "%s" for the SPI ceilings, their ratios '
           'and kexec:\n%s' % (missing, text))
    expect('mcimx7d-sabre (peer), uImage | not measured' in text, text)


def test_every_target_reaches_a_row():
    bench = load_bench()
    text = report(bench, measured(bench))
    for label in bench.TARGETS:
        expect('| %s |' % label in text, 'target for %r has no row' % label)


def test_printed_tables_are_the_report_sections():
    bench = load_bench()
    sections = measured(bench)
    out = io.StringIO()
    for section in sections:
        bench.write_table(out, *section)
    text = report(bench, sections)
    expect(text.split('\n', 1)[1] == out.getvalue(),
           'stdout and build/bench.md differ:\n%s\n---\n%s'
           % (out.getvalue(), text))
