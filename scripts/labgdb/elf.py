"""A copy of a module's .ko whose section headers say where the guest
loaded each section.

Why not `add-symbol-file X.ko ADDR -s SECT ADDR...`: that places the
symbol table right, but gdb places all of a relocatable file's debug
info with the .text offset alone, so every function in .init.text or
.exit.text would claim an address in .text (labtrigger_exit at
labtrigger_fire's). With the addresses in the section headers, the
relocations gdb applies to the debug info make every address right.

Plain Python (no gdb): tests/host/test_labgdb_elf.py runs it on the host.
"""

import os
import struct

SHF_ALLOC = 2


def section_names(elf):
    """[(section header offset, name, sh_flags)] of a 32-bit
    little-endian ELF file's bytes."""
    if elf[:4] != b'\x7fELF' or elf[4] != 1 or elf[5] != 1:
        raise ValueError('not a 32-bit little-endian ELF file')
    shoff, = struct.unpack_from('<I', elf, 0x20)
    shentsize, shnum, shstrndx = struct.unpack_from('<HHH', elf, 0x2e)
    stroff = struct.unpack_from('<10I', elf, shoff + shstrndx * shentsize)[4]
    out = []
    for i in range(shnum):
        head = shoff + i * shentsize
        sh_name, _, sh_flags = struct.unpack_from('<III', elf, head)
        end = elf.index(b'\0', stroff + sh_name)
        out.append((head, elf[stroff + sh_name:end].decode(), sh_flags))
    return out


def relocated_copy(ko, sects, outdir):
    """Write a copy of `ko` into outdir with sh_addr set to sects[name]
    for each allocated section the guest placed; (its path, the names
    placed), or (None, []) when the guest placed none of them. The name
    tells the load address, and '+init' when it has init sections (they
    are freed after init, and the copy is made again then)."""
    with open(ko, 'rb') as f:
        elf = bytearray(f.read())
    try:
        headers = section_names(elf)
    except ValueError as e:
        raise ValueError('%s: %s' % (ko, e)) from None
    placed = []
    for head, name, flags in headers:
        if flags & SHF_ALLOC and name in sects:
            struct.pack_into('<I', elf, head + 12, sects[name])    # sh_addr
            placed.append(name)
    if not placed:
        return None, placed
    out = os.path.join(outdir, '%s@%x.ko' % (
        os.path.basename(ko)[:-3], sects.get('.text', min(sects.values()))))
    if any(s.startswith('.init') for s in placed):
        out = out[:-3] + '+init.ko'
    with open(out, 'wb') as f:
        f.write(elf)
    return out, placed
