"""Setup robustness (scripts/lib.sh, scripts/build-image): a download that
fails is retried, a package apt does not have fails at once with its name,
and a build killed half-way is finished by running it again."""
import os
import signal
import subprocess
import tempfile
import time

from lablib import IMAGES, MODULES, ROOT, expect

LIB = os.path.join(ROOT, 'scripts', 'lib.sh')

# An apt-get that fails its first FAILS downloads (a flaky mirror), then
# "downloads" an empty .deb; it counts its calls in $CALLS.
FAKE_APT_GET = r'''#!/bin/sh
n=$(cat "$CALLS" 2>/dev/null || echo 0); n=$((n + 1)); echo $n >"$CALLS"
if [ $n -le $FAILS ]; then
	echo "E: Failed to fetch http://mirror/pool/$2  Hash Sum mismatch" >&2
	exit 100
fi
pkg=${2%%=*}; ver=${2#*=}
: >"${pkg%%:*}_${ver}_armhf.deb"
'''


def fetch_deb(tmp, fails, pkg='lab-test-pkg:armhf', ver='1.0-1'):
    bindir = os.path.join(tmp, 'bin')
    os.makedirs(bindir, exist_ok=True)
    with open(os.path.join(bindir, 'apt-get'), 'w') as f:
        f.write(FAKE_APT_GET)
    os.chmod(os.path.join(bindir, 'apt-get'), 0o755)
    env = dict(os.environ, PATH=bindir + ':' + os.environ['PATH'],
               LAB_CACHE=os.path.join(tmp, 'cache'),
               CALLS=os.path.join(tmp, 'calls'), FAILS=str(fails))
    proc = subprocess.run(['bash', '-c', '. "%s"; fetch_deb "$1" "$2"' % LIB,
                           'fetch', pkg, ver], capture_output=True,
                          text=True, env=env, timeout=60)
    try:
        calls = int(open(env['CALLS']).read())
    except OSError:
        calls = 0
    return proc, calls


def test_download_retried_until_it_works():
    with tempfile.TemporaryDirectory() as tmp:
        proc, calls = fetch_deb(tmp, fails=2)
        expect(proc.returncode == 0, 'fetch_deb failed:\n' + proc.stderr)
        expect(calls == 3, 'apt-get called %d times, want 3' % calls)
        expect(proc.stdout.strip().endswith('lab-test-pkg_1.0-1_armhf.deb'),
               'no .deb path printed: ' + proc.stdout)
        expect('(try 2/3)' in proc.stderr, 'retries not reported:\n'
               + proc.stderr)


def test_download_failing_every_time_names_it():
    with tempfile.TemporaryDirectory() as tmp:
        proc, calls = fetch_deb(tmp, fails=99)
        expect(proc.returncode != 0, 'fetch_deb succeeded')
        expect(calls == 3, 'apt-get called %d times, want 3' % calls)
        expect('lab-test-pkg:armhf=1.0-1' in proc.stderr and
               'Hash Sum mismatch' in proc.stderr,
               'the failure does not name the package and its error:\n'
               + proc.stderr)


def test_missing_package_fails_at_once_naming_it():
    # what build-image does: the version apt knows, then the download
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run(
            ['bash', '-c', '. "%s"; fetch_deb no-such-lab-package:armhf '
             '"$(apt_version_of no-such-lab-package:armhf)"' % LIB],
            capture_output=True, text=True, timeout=60,
            env=dict(os.environ, LAB_CACHE=tmp))
        expect(proc.returncode != 0, 'a missing package did not fail')
        expect("package no-such-lab-package:armhf is not in apt's package "
               "lists" in proc.stderr, 'no message naming it:\n'
               + proc.stderr)
        expect('retrying' not in proc.stderr, 'retried a missing package')


def test_interrupted_image_build_recovers():
    """The image build (scripts/build-image) killed half-way, then run
    again, as `make` would: a complete, valid initramfs."""
    stamp = os.path.join(IMAGES, '.stamp')
    if os.path.exists(stamp):
        os.unlink(stamp)                    # force a rebuild
    # killed while it stages the root (its busybox is there), however fast
    # the machine: a fixed delay once outlasted a whole build
    stage = os.path.join(MODULES, 'rootfs')
    subprocess.run(['rm', '-rf', stage], check=True)
    build = ['make', '-C', ROOT, '--no-print-directory', '_image']
    proc = subprocess.Popen(build, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while (not os.path.exists(os.path.join(stage, 'bin', 'busybox')) and
           proc.poll() is None and time.monotonic() < deadline):
        time.sleep(0.01)
    expect(proc.poll() is None, 'build-image finished before it was killed')
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    proc = subprocess.run(build, capture_output=True, text=True,
                          timeout=600)
    expect(proc.returncode == 0, 'the second build-image failed:\n'
           + proc.stderr[-2000:])
    initrd = os.path.join(IMAGES, 'initrd.cpio.lz4')
    check = subprocess.run(['lz4', '-t', initrd], capture_output=True)
    expect(check.returncode == 0, 'the initramfs is not a valid lz4 file')
    expect(os.path.exists(stamp), 'no stamp after the rebuild')


def test_image_rebuild_never_leaves_a_boot_file_missing():
    """A board started while the image is rebuilt (a test beside `make
    image`, as `make test -j 2` runs them) must find every file it boots
    from: each is renamed into place, never removed first."""
    files = [os.path.join(IMAGES, f) for f in
             ('uImage', 'initrd.cpio.lz4', 'imx7d-custom.dtb')]
    files = [f for f in files if os.path.exists(f)]
    expect(files, 'no image to rebuild')
    os.unlink(os.path.join(IMAGES, '.stamp'))       # force a rebuild
    proc = subprocess.Popen(['make', '-C', ROOT, '--no-print-directory',
                             '_image'], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    missing = set()
    while proc.poll() is None:
        missing.update(f for f in files if not os.path.exists(f))
        time.sleep(0.005)
    expect(proc.returncode == 0, 'the image build failed')
    expect(not missing, 'missing during the rebuild: %s'
           % ', '.join(sorted(os.path.basename(f) for f in missing)))


def test_a_failed_build_shows_its_compiler_errors():
    """A build that fails shows the compiler's errors, not the first 30
    lines of meson's warnings that say "error" (and, under pipefail, not
    lib.sh's ERR trap on the `head` that cut them short)."""
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, 'ninja.log')
        with open(log, 'w') as f:
            for i in range(5000):
                f.write("meson.build:21: WARNING: Source item 'x%d' will "
                        "become a hard error in the future.\n" % i)
            f.write('FAILED: obj.o\n../x.c:163:13: error: \'f\' defined '
                    'but not used [-Werror=unused-function]\n')
        proc = subprocess.run(
            ['bash', '-c', '. "%s"; set -o pipefail; build() { false; }; '
             'build || { first_errors "$1"; die "build failed"; }' % LIB,
             'build', log], capture_output=True, text=True, timeout=60)
        expect(proc.returncode != 0, 'the failed build passed')
        expect("x.c:163:13: error: 'f' defined but not used" in proc.stderr
               and 'FAILED: obj.o' in proc.stderr,
               'the compiler error is not shown:\n' + proc.stderr[-2000:])
        expect('hard error' not in proc.stderr and
               'build failed' in proc.stderr,
               'not the errors and the reason:\n' + proc.stderr[-2000:])
