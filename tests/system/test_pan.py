"""The kernel kept out of user memory: Debian's armmp kernel builds with
CONFIG_CPU_SW_DOMAIN_PAN, which opens the user domain in DACR only
around each user access. guest-driver/labpan copies a byte from the
writer's buffer (the TLB now holds that user page) and then reads it
directly: the CPU must fault. QEMU's DACR writes flush only the TLB
entries of the domains they close (target/arm dacr_write()); a DACR write
that left the entry in place would let the read through."""
from lablib import expect

BOARD = {}


def test_direct_read_of_user_memory_takes_a_domain_fault(board):
    board.run('modprobe labpan')
    mark = board.mark()
    # a child shell writes: the oops kills the writer
    out = board.run("sh -c 'printf Z > /dev/labpan'; echo rc=$?",
                    check=False, timeout=30)
    board.wait_for(r'labpan: copying a byte from user memory', 10,
                   since=mark)
    board.wait_for(r'Unhandled fault: page domain fault \(0x[0-9a-f]+\) '
                   r'at 0x[0-9a-f]{8}', 10, since=mark)
    text = board.text[mark:]
    expect('user memory is not protected' not in text,
           'the kernel read user memory directly:\n' + text)
    expect('rc=0' not in out, 'the write returned: ' + out)
    # the writer died, the kernel and the shell carry on
    expect(board.run('echo alive') == 'alive', 'the board did not carry on')
