"""The guest kernel's list of loaded modules and each module's section
addresses, read from guest memory while the guest is stopped (the only
time a gdb command runs; the serial console would need it running).

The walk is the one /sys/module/*/sections is made from: the list
`modules` -> struct module -> sect_attrs -> grp.bin_attrs[] -> each
section's name and address. The structure offsets come from the debug
info of our own .ko files (each has the kernel's struct module, built
against the same headers), so no vmlinux is needed. `modules` itself: a
vmlinux has the symbol; else the struct module that do_init_module()
gets leads to it; else the constants find_module_all() loads, checked by
walking the list they lead to (kallsyms, which Debian's kernel has,
lists functions only). Read-only.
"""

import re
import struct

import gdb

from .memory import kernel_view, symbol_address
from .pagetable import read_kernel as read

IDENT = re.compile(r'^[A-Za-z0-9_]+$')


def word(addr):
    return struct.unpack('<I', read(addr, 4))[0]


def cstring(addr, limit=256):
    return read(addr, limit).split(b'\0', 1)[0].decode('ascii', 'replace')


def field_offset(t, path):
    """Byte offset of a (nested, dotted) field of struct type t."""
    off = 0
    for name in path.split('.'):
        for f in t.strip_typedefs().fields():
            if f.name == name:
                off += f.bitpos // 8
                t = f.type
                break
        else:
            raise KeyError(name)
    return off


class Layout:
    """The offsets the module walk needs, from the debug info of a .ko
    (every one of ours carries struct module) or of a vmlinux."""

    def __init__(self, any_ko):
        loaded_here = None
        try:
            gdb.lookup_type('struct module')
        except gdb.error:
            # No types yet: read them from one .ko loaded for a moment
            # (its addresses do not matter here).
            gdb.execute('add-symbol-file %s -o 0' % any_ko, to_string=True)
            loaded_here = any_ko
        try:
            mod = gdb.lookup_type('struct module')
            grp = gdb.lookup_type('struct attribute_group')
            battr = gdb.lookup_type('struct bin_attribute')
            self.ptr = gdb.lookup_type('void').pointer().sizeof
            self.list = field_offset(mod, 'list')
            self.name = field_offset(mod, 'name')
            self.name_len = mod['name'].type.sizeof
            self.state = field_offset(mod, 'state')
            self.sect_attrs = field_offset(mod, 'sect_attrs')
            # struct module_sect_attrs (kernel/module/sysfs.c) begins
            # with its struct attribute_group; each section's
            # struct module_sect_attr is its bin_attribute followed by
            # the address (newer kernels keep it in ->private instead).
            self.bin_attrs = field_offset(grp, 'bin_attrs')
            self.battr_name = field_offset(battr, 'attr.name')
            self.battr_private = field_offset(battr, 'private')
            self.battr_size = battr.sizeof
            self.coming = self.unformed = None
            for f in gdb.lookup_type('enum module_state').fields():
                if f.name == 'MODULE_STATE_COMING':
                    self.coming = f.enumval
                if f.name == 'MODULE_STATE_UNFORMED':
                    self.unformed = f.enumval
        finally:
            if loaded_here:
                gdb.execute('remove-symbol-file %s' % loaded_here,
                            to_string=True)


def code_constants(func, count):
    """32-bit constants an ARM function builds with movw/movt or loads
    from its literal pool, in its first `count` instructions: how
    find_module_all() names the address of `modules`."""
    code = read(func, count * 4)
    halves, consts = {}, []
    for i in range(count):
        insn, = struct.unpack_from('<I', code, i * 4)
        if insn >> 28 == 0xf:
            continue
        rd = (insn >> 12) & 0xf
        imm16 = ((insn >> 4) & 0xf000) | (insn & 0xfff)
        if insn & 0x0ff00000 == 0x03000000:           # movw rd, #imm16
            halves[rd] = imm16
        elif insn & 0x0ff00000 == 0x03400000 and rd in halves:  # movt
            consts.append(halves.pop(rd) | imm16 << 16)
        elif insn & 0x0f7f0000 == 0x051f0000:         # ldr rd, [pc, #imm]
            off = insn & 0xfff if insn & 0x00800000 else -(insn & 0xfff)
            try:
                consts.append(word(func + i * 4 + 8 + off))
            except gdb.MemoryError:
                pass
    return consts


class ModuleList:
    def __init__(self):
        self.head = None        # address of the kernel's `modules` list
        self.layout = None
        self.cache = {}         # (struct module, name, coming) -> sections
        self.why = ''           # why the last walk() said "not a list"

    def get_layout(self, index):
        """The Layout, from any .ko of index (symbols.ko_index)."""
        if self.layout is None:
            if not index:
                raise gdb.GdbError(
                    'no .ko files in %s: build them first (make modules)'
                    % gdb.parameter('lab-module-path'))
            self.layout = Layout(next(iter(index.values())))
        return self.layout

    def walk(self, head, area=None, limit=1000):
        """[(struct module address, name, state)] of the list at head, or
        None when head is not a list of modules. With area=(lo, hi),
        every module must lie in it: the walk is a guess then, and must
        not read where a stray pointer leads (device registers are mapped
        in the kernel's address space too, and a read can have effects).
        One read per module (state, list and name lead struct module)."""
        L = self.layout
        span = max(L.state + 4, L.list + 2 * L.ptr, L.name + L.name_len)
        mods, node, prev = [], word(head), head
        while node != head:
            mod = node - L.list
            if len(mods) >= limit or area and not \
                    area[0] <= mod < area[1] - span:
                self.why = 'node 0x%x is not module memory' % node
                return None
            raw = read(mod, span)
            nxt, back = struct.unpack_from('<II', raw, L.list)
            name = raw[L.name:L.name + L.name_len].split(b'\0', 1)[0]
            if back != prev or \
                    not IDENT.match(name.decode('ascii', 'replace')):
                self.why = 'node 0x%x: prev 0x%x, name %r' % (node, back, name)
                return None
            mods.append((mod, name.decode(),
                         struct.unpack_from('<I', raw, L.state)[0]))
            prev, node = node, nxt
        return mods

    def head_from_module(self, mod):
        """`modules` from any struct module on the list: following the
        list from it, the one node that is not inside a struct module
        (its "name" is whatever follows the list head in kernel data)."""
        L = self.layout
        node = mod + L.list
        for _ in range(1000):
            node = word(node)
            if node == mod + L.list:
                return None
            name = read(node - L.list + L.name, L.name_len).split(b'\0', 1)[0]
            if not IDENT.match(name.decode('ascii', 'replace')):
                mods = self.walk(node)
                return node if mods and any(m[0] == mod for m in mods) \
                    else None
        return None

    def find_head(self):
        if self.head is not None:
            return self.head
        addr = symbol_address('modules')
        if addr is not None:
            self.head = addr
            return addr
        func = symbol_address('find_module_all')
        if func is None:
            raise gdb.GdbError('the kernel symbols have neither `modules` nor '
                               'find_module_all(): give a vmlinux, or use '
                               'lab-modules --from FILE')
        # module memory starts 16 MiB below the kernel's (ARM)
        kernel = func & 0xf0000000
        area = (kernel - 0x1000000, kernel)
        found, why = set(), []
        for base in code_constants(func, 64):
            if base < kernel:
                continue        # not kernel data
            try:
                chunk = read(base, 512 + 4)
            except gdb.MemoryError:
                continue
            for d in range(0, 512, 4):
                nxt, prv = struct.unpack_from('<II', chunk, d)
                if nxt % 4 or not (area[0] <= nxt < area[1] and
                                   area[0] <= prv < area[1]):
                    continue    # (an empty list says nothing either)
                try:
                    mods = self.walk(base + d, area)
                except gdb.MemoryError as e:
                    why.append('0x%x: %s' % (base + d, e))
                    continue
                if mods:
                    found.add(base + d)
                else:
                    why.append('0x%x: %s' % (base + d, self.why))
        if len(found) != 1:
            raise gdb.GdbError(
                'cannot tell where the kernel keeps its module list: %d '
                'candidates from find_module_all() (%s); no module loaded '
                'yet?' % (len(found), '; '.join(
                    ['0x%x' % c for c in sorted(found)] + why) or 'none'))
        self.head = found.pop()
        return self.head

    def sections(self, mod):
        """{section name: address} of a loaded module, as
        /sys/module/<name>/sections lists them."""
        L = self.layout
        attrs = word(mod + L.sect_attrs)
        if not attrs:
            return {}
        table = word(attrs + L.bin_attrs)
        battrs = []
        while len(battrs) < 256:
            chunk = struct.unpack('<16I', read(table + len(battrs) * 4, 64))
            if 0 in chunk:
                battrs += chunk[:chunk.index(0)]
                break
            battrs += chunk
        sects = {}
        for battr in battrs:
            raw = read(battr, L.battr_size + 4)
            name = cstring(struct.unpack_from('<I', raw, L.battr_name)[0], 48)
            sects[name] = struct.unpack_from('<I', raw, L.battr_private)[0] \
                or struct.unpack_from('<I', raw, L.battr_size)[0]
        return sects

    def from_guest(self, index):
        """{module name: {section: address}} read from guest memory."""
        with kernel_view():
            return self._from_guest(index)

    def _from_guest(self, index):
        L = self.get_layout(index)
        result, seen = {}, {}
        mods = self.walk(self.find_head())
        if mods is None:
            raise gdb.GdbError('the module list at 0x%x is broken (%s)'
                               % (self.head, self.why))
        for mod, name, state in mods:
            if state == L.unformed:
                continue
            key = (mod, name, state == L.coming)
            sects = self.cache.get(key)
            if sects is None:
                sects = self.sections(mod)
                if state != L.coming:
                    # init code and data are freed once init has run
                    sects = {s: a for s, a in sects.items()
                             if not s.startswith('.init')}
            if sects:
                seen[key] = sects
            result[name] = sects
        self.cache = seen
        return result
