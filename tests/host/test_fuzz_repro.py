"""Fuzz reproducers (tests/qtest/lab-fuzz.c, tests/run): a device fuzz
run whose QEMU dies is reported with its seed and operation number, the
runner saves that as a .repro file, and the file then runs as a qtest of
its own that replays the same operations."""
import importlib.machinery
import importlib.util
import os
import re
import subprocess
import tempfile

from lablib import BUILD, ROOT, expect

QTEST = os.path.join(BUILD, 'qemu', 'tests', 'qtest', 'imx7-src-test')
QEMU = os.path.join(BUILD, 'qemu', 'qemu-system-arm')

# A QEMU that crashes a second into the run, the way a device model bug
# caught by a sanitizer would (abort_on_error)
CRASHING_QEMU = r'''#!/bin/sh
"%s" "$@" &
qemu=$!
sleep 1
kill -ABRT $qemu
wait $qemu
'''


def load_runner():
    loader = importlib.machinery.SourceFileLoader(
        'lab_test_runner', os.path.join(ROOT, 'tests', 'run'))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    runner = importlib.util.module_from_spec(spec)
    loader.exec_module(runner)
    return runner


def run_qtest(path, env):
    return subprocess.run([QTEST, '--tap', '-p', path], env=env, timeout=300,
                          capture_output=True, text=True)


def test_crash_saved_and_replayed_as_qtest():
    with tempfile.TemporaryDirectory() as tmp:
        wrapper = os.path.join(tmp, 'qemu-system-arm')  # libqtest reads the arch
        with open(wrapper, 'w') as f:
            f.write(CRASHING_QEMU % QEMU)
        os.chmod(wrapper, 0o755)
        env = dict(os.environ, QTEST_QEMU_BINARY=wrapper,
                   LAB_FUZZ_SEED='0x5eed', LAB_FUZZ_OPS='100000000')
        proc = run_qtest('/arm/imx7-src/fuzz', env)
        out = proc.stdout + proc.stderr
        expect(proc.returncode != 0, 'the run survived its QEMU:\n' + out)
        m = re.search(r'^LAB-FUZZ-FAIL device=imx7-src gen=\d+ seed=0x5eed '
                      r'op=(\d+)$', out, re.M)
        expect(m, 'no LAB-FUZZ-FAIL line:\n' + out[-2000:])
        op = int(m.group(1))
        expect(op > 0, 'failure at operation 0')

        runner = load_runner()
        runner.REPRO_DIR = os.path.join(tmp, 'repro')
        saved = runner.save_reproducers(out)
        name = 'imx7-src-0x5eed-%d.repro' % op
        expect([os.path.basename(p) for p in saved] == [name],
               'saved %s, want %s' % (saved, name))
        text = open(saved[0]).read()
        expect('ops=%d\n' % op in text and 'seed=0x5eed\n' in text,
               'reproducer:\n' + text)

        env = dict(os.environ, QTEST_QEMU_BINARY=QEMU,
                   LAB_FUZZ_REPRO_DIR=runner.REPRO_DIR)
        proc = run_qtest('/arm/imx7-src/fuzz/repro', env)
        out = proc.stdout + proc.stderr
        expect(proc.returncode == 0, 'replay failed:\n' + out[-2000:])
        expect(re.search(r'^ok 1 /arm/imx7-src/fuzz/repro/%s$'
                         % re.escape(name), out, re.M),
               'the reproducer did not run as a qtest:\n' + out[-2000:])
        expect('# fuzz imx7-src: seed 0x5eed, %d operations\n' % op in out,
               'the replay ran another dose:\n' + out[-2000:])


def test_reproducer_of_another_generator_refused():
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, 'imx7-src-old.repro'), 'w') as f:
            f.write('device=imx7-src\ngen=999\nseed=0x1\nops=10\n')
        env = dict(os.environ, QTEST_QEMU_BINARY=QEMU,
                   LAB_FUZZ_REPRO_DIR=tmp)
        proc = run_qtest('/arm/imx7-src/fuzz/repro', env)
        out = proc.stdout + proc.stderr
        expect(proc.returncode != 0, 'a stale reproducer ran:\n' + out)
        expect('imx7-src-old.repro was found with imx7-src generator 999'
               in out, 'no reason given:\n' + out[-2000:])
        expect('LAB-FUZZ-FAIL' not in out,
               'a refused reproducer was reported as a new failure')
