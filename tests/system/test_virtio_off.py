"""The board without its virtio-mmio transport (machine property
virtio=off): QEMU disables the transport's node in the device tree, so
the guest's virtio_mmio driver never touches the unassigned window, and
the board boots as usual (no share: lab-reload says why)."""
from lablib import expect

BOARD = dict(machine_opts='virtio=off')


def test_node_disabled_and_nothing_probed(board):
    status = board.run('cat /proc/device-tree/virtio@30c00000/status')
    status = status.replace('\0', '').strip()      # a DT string ends in NUL
    expect(status == 'disabled', 'virtio node status: ' + status)
    expect(board.run('ls /sys/bus/platform/drivers/virtio-mmio 2>/dev/null'
                     ' | grep -c 30c00000 || true') == '0',
           'a virtio-mmio device was probed')
    expect('Unhandled fault' not in board.text and 'Oops' not in board.text,
           'the guest took a fault')


def test_lab_reload_says_there_is_no_share(board):
    out = board.run('lab-reload ili9341fb 2>&1; echo rc=$?', check=False)
    expect('no host share at /lab/host' in out and 'rc=1' in out,
           'lab-reload said: ' + out)
