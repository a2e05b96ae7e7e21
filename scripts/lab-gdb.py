"""gdb commands for debugging the lab board's guest kernel and its modules.

scripts/debug sources this into gdb-multiarch; by hand:
`gdb-multiarch -x scripts/lab-gdb.py -ex 'target remote :PORT'`.

  lab-modules [--quiet]
      Load the symbols of every guest module that has a .ko on the host
      (build/guest-driver, build/upstream, then the kernel package's:
      `show lab-module-path`) at the addresses the guest loaded it at,
      what `add-symbol-file X.ko <.text> -s .data <addr>...` with the
      addresses from /sys/module/X/sections does by hand. Modules that
      moved or went away leave gdb. Turns on --auto.
  lab-modules --auto [on|off]
      Do that again whenever the guest loads a module, from a silent
      breakpoint at the kernel's do_init_module(): a breakpoint on a
      module's function, set before the module is there, resolves when
      it loads (its init function included).
  lab-modules --from FILE
      The same from addresses the guest printed, e.g. the output of
      `grep . /sys/module/*/sections/.*` saved on the host.
  lab-sh [COMMAND]
      Type COMMAND into the guest's shell and let the guest run until a
      breakpoint stops it or the shell prompt is back (in the board
      scripts/debug boots: it gives QEMU's console and monitor to gdb).

Where the addresses come from: the guest kernel's memory, read through
QEMU's gdb stub while the guest is stopped, which is the only time a gdb
command runs (the serial console would need the guest running). The walk
is the one /sys/module/*/sections is made from: the list `modules` ->
struct module -> sect_attrs -> grp.bin_attrs[] -> each section's name
and address. The structure offsets come from the debug info of our own
.ko files (each has the kernel's struct module, built against the same
headers), so no vmlinux is needed. `modules` itself: a vmlinux has the
symbol; else the struct module that do_init_module() gets leads to it;
else the constants find_module_all() loads, checked by walking the list
they lead to (kallsyms, which Debian's kernel has, lists functions only).
"""

import atexit
import json
import os
import re
import shutil
import socket
import struct
import threading

import gdb

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.environ.get('LAB_ROOT', os.path.dirname(HERE))
BUILD = os.environ.get('LAB_BUILD', os.path.join(ROOT, 'build'))

SHF_ALLOC = 2
_SCRATCH = []


def scratch_dir():
    """Where this gdb keeps its relocated module copies: removed at exit,
    and by the next gdb if this one is killed."""
    if not _SCRATCH:
        top = os.path.join(BUILD, 'debug')
        os.makedirs(top, exist_ok=True)
        for old in os.listdir(top):
            m = re.match(r'^modules-(\d+)$', old)
            if m and not os.path.exists('/proc/' + m.group(1)):
                shutil.rmtree(os.path.join(top, old), True)
        path = os.path.join(top, 'modules-%d' % os.getpid())
        os.makedirs(path, exist_ok=True)
        _SCRATCH.append(path)
        atexit.register(shutil.rmtree, path, True)
    return _SCRATCH[0]


def say(msg):
    gdb.write('[lab] %s\n' % msg)


def default_module_path():
    """Our modules first, then the kernel package's (kernel.mk says where
    scripts/fetch-kernel put them)."""
    dirs = [os.path.join(BUILD, 'guest-driver'),
            os.path.join(BUILD, 'upstream')]
    try:
        with open(os.path.join(BUILD, 'kernel', 'kernel.mk')) as f:
            m = re.search(r'^DEBIAN_KMODDIR := (.*)$', f.read(), re.M)
        if m:
            dirs.append(m.group(1).strip())
    except OSError:
        pass
    return ':'.join(dirs)


class ModulePath(gdb.Parameter):
    """Directories searched (recursively, in order) for the guest's .ko
    files by lab-modules, separated by ':'."""
    set_doc = 'Set the directories lab-modules searches for .ko files.'
    show_doc = 'Show the directories lab-modules searches for .ko files.'

    def __init__(self):
        super().__init__('lab-module-path', gdb.COMMAND_FILES,
                         gdb.PARAM_STRING)
        self.value = default_module_path()

    def get_show_string(self, value):
        return value


# -- helpers ----------------------------------------------------------------
_KO_INDEX = {}


def ko_index(path, fresh=False):
    """Module name -> .ko path: the first file of that name in path order
    (the kernel names a module after its file, '-' read as '_'). Kept
    between calls: the module breakpoint uses it on every module load."""
    if not fresh and path in _KO_INDEX:
        return _KO_INDEX[path]
    index = _KO_INDEX[path] = {}
    for top in path.split(':'):
        for dirpath, _, files in sorted(os.walk(top)):
            for f in sorted(files):
                if f.endswith('.ko'):
                    index.setdefault(f[:-3].replace('-', '_'),
                                     os.path.join(dirpath, f))
    return index


def relocated_copy(ko, sects, outdir):
    """A copy of `ko` whose section headers carry the addresses the guest
    loaded it at, and the names of the sections placed; None when none
    of them was. `add-symbol-file X.ko ADDR -s SECT ADDR...` would do for
    the symbol table, but gdb places all of a relocatable file's debug
    info with the .text offset alone: every function in .init.text or
    .exit.text would claim an address in .text (labtrigger_exit at
    labtrigger_fire's). With the addresses in the file, the relocations
    gdb applies to the debug info make every address right."""
    with open(ko, 'rb') as f:
        elf = bytearray(f.read())
    if elf[:4] != b'\x7fELF' or elf[4] != 1 or elf[5] != 1:
        raise gdb.GdbError('%s is not a 32-bit little-endian ELF file' % ko)
    shoff, = struct.unpack_from('<I', elf, 0x20)
    shentsize, shnum, shstrndx = struct.unpack_from('<HHH', elf, 0x2e)
    stroff = struct.unpack_from('<10I', elf, shoff + shstrndx * shentsize)[4]
    placed = []
    for i in range(shnum):
        head = shoff + i * shentsize
        sh_name, _, sh_flags = struct.unpack_from('<III', elf, head)
        end = elf.index(b'\0', stroff + sh_name)
        name = elf[stroff + sh_name:end].decode()
        if sh_flags & SHF_ALLOC and name in sects:
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


def raw_read(addr, size):
    """Guest memory as the selected CPU sees it."""
    return bytes(gdb.selected_inferior().read_memory(addr, size))


def raw_word(addr):
    return struct.unpack('<I', raw_read(addr, 4))[0]


def read(addr, size):
    """Guest memory as the selected CPU sees it, or else (module memory)
    through the kernel's own page table."""
    try:
        return raw_read(addr, size)
    except gdb.MemoryError:
        data = KERNEL_PT.read(addr, size)
        if data is None:
            raise
        return data


class KernelPageTable:
    """Reads of module memory that the CPU's current page table does not
    map yet. On 32-bit ARM, module_alloc() maps new module memory in the
    kernel's page table (swapper_pg_dir) only; a process's table gets the
    1 MiB section entry when it first touches it (a translation fault
    copies it). QEMU's gdb stub translates with the CPU's table, so a new
    module can be unreadable from the CPU gdb stopped on. Here the address
    is translated with swapper_pg_dir (classic short descriptors, the
    armmp kernel is not LPAE) and read through the kernel's linear map of
    RAM, which every table has."""

    def __init__(self):
        self.pgd = None

    def find(self):
        """swapper_pg_dir: the 16 KiB table just below the kernel image
        (PAGE_OFFSET + TEXT_OFFSET - 16 KiB; no symbol for it in
        kallsyms) whose user half is empty and whose entry for
        PAGE_OFFSET maps a section of RAM."""
        if self.pgd is not None:
            return self.pgd
        text = symbol_address('find_module_all')
        if text is None:
            return None
        self.page_offset = text & 0xf0000000
        top = symbol_address('_stext') or symbol_address('stext') or \
            (text & ~0xfffff)
        cand = (top & ~0x3fff) - 0x4000
        while cand >= self.page_offset:
            try:
                first = raw_word(cand + (self.page_offset >> 20) * 4)
                user = ((self.page_offset - 0x1000000) >> 20) * 4
                if first & 3 == 2 and not any(raw_read(cand, user)):
                    self.pgd = cand
                    self.phys_offset = first & 0xfff00000
                    return cand
            except gdb.MemoryError:
                pass
            cand -= 0x4000
        return None

    def linear(self, phys):
        return phys - self.phys_offset + self.page_offset

    def translate(self, va):
        l1 = raw_word(self.pgd + (va >> 20) * 4)
        if l1 & 3 == 2:                                 # section
            return (l1 & 0xfff00000) | (va & 0xfffff)
        if l1 & 3 != 1:
            return None
        l2 = raw_word(self.linear(l1 & 0xfffffc00) +
                      ((va >> 12) & 0xff) * 4)
        if l2 & 2:                                      # small page
            return (l2 & 0xfffff000) | (va & 0xfff)
        if l2 & 3 == 1:                                 # large page
            return (l2 & 0xffff0000) | (va & 0xffff)
        return None

    def sync_cpus(self):
        """Give each CPU's current page table the module-area entries of
        the kernel's, where it has none: what the kernel's own
        translation fault handler (do_translation_fault) does on the
        first touch, done ahead so that gdb can read every module's
        memory from any CPU. Nothing else is written."""
        if self.find() is None:
            return
        area = ((self.page_offset - 0x1000000) >> 20) * 4
        kernel_entry = (self.page_offset >> 20) * 4
        try:
            ours = raw_read(self.pgd + area, 64)
            mark = raw_word(self.pgd + kernel_entry)
        except gdb.MemoryError:
            return
        selected = gdb.selected_thread()
        for t in gdb.selected_inferior().threads():
            t.switch()
            # TTBR0: Linux without LPAE translates everything through it
            # (TTBCR.N = 0); the secure bank when it runs in secure state
            for reg in ('$TTBR0', '$TTBR0_S'):
                try:
                    ttbr = int(gdb.parse_and_eval(reg)) & 0xffffffff
                    pgd = self.linear(ttbr & 0xffffc000)
                    if not ttbr or raw_word(pgd + kernel_entry) != mark:
                        continue
                    theirs = raw_read(pgd + area, 64)
                except (gdb.error, gdb.MemoryError):
                    continue
                new = bytearray(theirs)
                for i in range(0, 64, 4):
                    if not any(theirs[i:i + 4]):
                        new[i:i + 4] = ours[i:i + 4]
                if new != theirs:
                    gdb.selected_inferior().write_memory(pgd + area,
                                                         bytes(new))
                break
        selected.switch()

    def read(self, addr, size):
        if self.find() is None or \
                not self.page_offset - 0x1000000 <= addr < self.page_offset:
            return None
        out = b''
        while len(out) < size:
            va = addr + len(out)
            pa = self.translate(va)
            if pa is None:
                return None
            n = min(size - len(out), 0x1000 - (va & 0xfff))
            out += raw_read(self.linear(pa), n)
        return out


KERNEL_PT = KernelPageTable()


def word(addr):
    return struct.unpack('<I', read(addr, 4))[0]


def cstring(addr, limit=256):
    data = read(addr, limit)
    return data.split(b'\0', 1)[0].decode('ascii', 'replace')


def symbol_address(name):
    """The address of a kernel symbol (function or data), or None."""
    try:
        return int(gdb.parse_and_eval('(unsigned long)&%s' % name))
    except gdb.error:
        return None


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


IDENT = re.compile(r'^[A-Za-z0-9_]+$')
KMSG = re.compile(r'^\[ *\d+\.\d+\] ')
ESCAPE = re.compile(r'\x1b\[[0-9;?]*[A-Za-z]')


# -- the module list in guest memory ----------------------------------------
class Modules:
    def __init__(self):
        self.head = None        # address of the kernel's `modules` list
        self.layout = None
        self.loaded = {}        # module name -> (symbol file, what it placed)
        self.cache = {}         # (struct module, name, coming) -> sections
        self.why = ''           # why the last walk() said "not a list"

    def get_layout(self, index):
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
        lowest = kernel - 0x1000000
        area = (lowest, kernel)
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
        self.get_layout(index)
        L = self.layout
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

    def sync(self, found, index, quiet=False):
        """Make gdb's module symbol files match `found`; what changed, as
        [(module, its .ko or None, a line to report)]."""
        report = []
        for name in sorted(set(self.loaded) - set(found)):
            path, _ = self.loaded.pop(name)
            gdb.execute('remove-symbol-file %s' % path, to_string=True)
            report.append((name, None, '%-16s unloaded' % name))
        for name, sects in sorted(found.items()):
            ko = index.get(name)
            if ko is None:
                report.append((name, None, '%-16s (no .ko in lab-module-path)'
                               % name))
                continue
            if not sects:
                continue    # still loading: its own do_init_module comes
            key = (ko, tuple(sorted(sects.items())))
            if name in self.loaded and self.loaded[name][1] == key:
                continue
            known = name in self.loaded
            if known:
                # moved, or its init sections are gone (freed after init)
                gdb.execute('remove-symbol-file %s' % self.loaded.pop(name)[0],
                            to_string=True)
            path, placed = relocated_copy(ko, sects, scratch_dir())
            if path is None:
                report.append((name, ko, '%-16s (no section of the .ko '
                               'loaded)' % name))
                continue
            gdb.execute('add-symbol-file %s' % path, to_string=True)
            self.loaded[name] = (path, key)
            if known:
                continue
            report.append((name, ko, '%-16s .text 0x%08x  %s' % (
                name, sects.get('.text', 0), os.path.relpath(ko, ROOT)
                if ko.startswith(ROOT + os.sep) else ko)))
        if not quiet:
            for _, _, line in report:
                say(line)
            say('%d modules in the guest, symbols for %d'
                % (len(found), len(self.loaded)))
        return report


CPSR_MODE, MODE_USR, MODE_SVC = 0x1f, 0x10, 0x13


class kernel_view:
    """Within: the selected CPU is one gdb can read kernel memory through.
    QEMU's gdb stub translates addresses as the CPU's current mode would,
    so a CPU stopped in user space cannot see the kernel: take another
    CPU that is in the kernel, or else put this one in SVC mode for the
    while (QEMU banks and restores the registers; the guest never runs
    in between)."""

    def __enter__(self):
        self.thread = gdb.selected_thread()
        self.cpsr = None
        if self.thread is None or not self._user():
            return self
        for t in gdb.selected_inferior().threads():
            t.switch()
            if not self._user():
                return self
        self.thread.switch()
        self.cpsr = int(gdb.parse_and_eval('$cpsr')) & 0xffffffff
        gdb.execute('set $cpsr = 0x%x' % (self.cpsr & ~CPSR_MODE | MODE_SVC))
        return self

    def __exit__(self, *exc):
        if self.thread is None:
            return
        if self.cpsr is not None:
            gdb.execute('set $cpsr = 0x%x' % self.cpsr)
        self.thread.switch()

    @staticmethod
    def _user():
        return int(gdb.parse_and_eval('$cpsr')) & CPSR_MODE == MODE_USR


def prefer_kernel_cpu():
    """After a stop that is not a breakpoint (attach, the lab-sh prompt):
    if the selected CPU is in user space and the other one is in the
    kernel, select that one, so that `print` of kernel and module data
    works (QEMU reads memory as the selected CPU's mode allows)."""
    thread = gdb.selected_thread()
    if thread is None or not kernel_view._user():
        return
    for t in gdb.selected_inferior().threads():
        t.switch()
        if not kernel_view._user():
            say('CPU%d is in user space: selected CPU%d (thread %d), in '
                'the kernel, for reading kernel memory'
                % (thread.num - 1, t.num - 1, t.num))
            return
    thread.switch()
    say('both CPUs are in user space: kernel memory is unreadable until '
        'one is in the kernel (QEMU reads memory as the CPU\'s mode allows)')


def code_constants(func, count):
    """32-bit constants an ARM function builds with movw/movt or loads
    from its literal pool, in its first `count` instructions."""
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


MODULES = Modules()


SYSFS_LINE = re.compile(
    r'^/sys/module/([^/]+)/sections/([^:]+):(0x[0-9a-f]+)$', re.I)
PLAIN_LINE = re.compile(r'^(\S+)\s+(\S+)\s+(0x[0-9a-f]+)$', re.I)


def parse_sections_file(path):
    """{module: {section: address}} from lines like
    /sys/module/NAME/sections/SECT:0xADDR (grep . output) or
    NAME SECT ADDR."""
    found = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            m = SYSFS_LINE.match(line) or PLAIN_LINE.match(line)
            if m:
                found.setdefault(m.group(1), {})[m.group(2)] = \
                    int(m.group(3), 16)
    if not found:
        raise gdb.GdbError('%s: no section addresses in it (expected the '
                           'output of `grep . /sys/module/*/sections/.*`)'
                           % path)
    return found


class ModuleLoadBreakpoint(gdb.Breakpoint):
    """At the entry of do_init_module(struct module *mod): the module is
    on the list with its sections, its init has not run yet."""

    def __init__(self):
        super().__init__('*do_init_module', internal=True)
        self.silent = True

    def stop(self):
        try:
            index = ko_index(gdb.parameter('lab-module-path'))
            MODULES.get_layout(index)
            if MODULES.head is None:
                MODULES.head = MODULES.head_from_module(
                    int(gdb.parse_and_eval('$r0')) & 0xffffffff)
            kernel_pkg = os.path.join(BUILD, 'kernel') + os.sep
            for _, ko, line in MODULES.sync(MODULES.from_guest(index), index,
                                            quiet=True):
                # ours only: the kernel package's come by the dozen
                if ko and not ko.startswith(kernel_pkg):
                    say('module ' + line)
            KERNEL_PT.sync_cpus()
        except Exception as e:      # never stop the guest's module load
            say('lab-modules --auto: %s' % e)
        return False


class LabModules(gdb.Command):
    """Load the guest's module symbols at the guest's addresses.
Usage: lab-modules [--quiet] | --auto [on|off] | --from FILE

Without arguments: read the loaded modules and their section addresses
from guest memory, give gdb the symbols of each one that has a .ko in
lab-module-path (show lab-module-path), drop those of modules that went
away, and turn --auto on.
--auto: also whenever the guest loads a module (a silent breakpoint at
do_init_module); a breakpoint set before its module is loaded resolves then.
--from FILE: the addresses from a file, the output of
`grep . /sys/module/*/sections/.*` in the guest."""

    def __init__(self):
        super().__init__('lab-modules', gdb.COMMAND_FILES)
        self.auto = None

    def set_auto(self, on):
        if on and self.auto is None:
            if symbol_address('do_init_module') is None:
                raise gdb.GdbError('no do_init_module in the kernel symbols: '
                                   'no automatic loading')
            self.auto = ModuleLoadBreakpoint()
        elif not on and self.auto is not None:
            self.auto.delete()
            self.auto = None

    def invoke(self, arg, from_tty):
        argv = gdb.string_to_argv(arg)
        quiet = '--quiet' in argv
        argv = [a for a in argv if a != '--quiet']
        index = ko_index(gdb.parameter('lab-module-path'), fresh=True)
        if argv[:1] == ['--auto']:
            on = argv[1:] in ([], ['on'])
            if argv[1:] not in ([], ['on'], ['off']):
                raise gdb.GdbError('usage: lab-modules --auto [on|off]')
            self.set_auto(on)
            say('automatic module symbols %s' % ('on' if on else 'off'))
            return
        if argv[:1] == ['--from']:
            if len(argv) != 2:
                raise gdb.GdbError('usage: lab-modules --from FILE')
            MODULES.sync(parse_sections_file(argv[1]), index, quiet)
            return
        if argv:
            raise gdb.GdbError('usage: lab-modules [--from FILE] [--quiet] '
                               '| --auto [on|off]')
        # from now on also whenever a module loads (and so, when no
        # module is there yet, as soon as one is)
        self.set_auto(True)
        try:
            found = MODULES.from_guest(index)
        except gdb.MemoryError as e:
            raise gdb.GdbError('cannot read the module list: %s (is the '
                               'kernel running yet?)' % e)
        MODULES.sync(found, index, quiet)
        prefer_kernel_cpu()
        KERNEL_PT.sync_cpus()


# -- the guest console (scripts/debug) ----------------------------------------
class Console:
    """The guest's serial console on the Unix socket scripts/debug gave
    QEMU (LAB_CONSOLE). A thread prints what the guest sends, as it
    arrives, to gdb's terminal (the guest only runs, and so only prints,
    while gdb waits for it), and notes each shell prompt; while lab-sh
    waits for one, the thread stops the guest once it appears."""

    PROMPT = re.compile(r'(^|\n)imx7d-lab:[^\n#]*# ')

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX)
        for _ in range(50):
            try:
                self.sock.connect(path)
                break
            except OSError:
                threading.Event().wait(0.1)
        else:
            raise gdb.GdbError('cannot connect to the guest console at '
                               + path)
        self.text = ''          # what the console printed (the tail)
        self.prompt_at = -1     # where the last shell prompt ends in text
        self.sent_at = 0        # where text ended when lab-sh typed
        self.watch = False      # lab-sh waits for a prompt
        self.stopping = False   # ... and it came: the guest is being stopped
        self.monitor = None
        self.run_id = 0
        self.coldplug = False   # /init said its boot-time modules are in
        self.lab_init = False   # the lab's /init (LAB-READY) runs
        self.booted = False     # the first prompt is the boot's end
        self.lock = threading.Lock()
        threading.Thread(target=self._reader, daemon=True).start()

    def _reader(self):
        held = b''
        while True:
            try:
                data = self.sock.recv(4096)
            except OSError:
                return
            if not data:
                return
            # The shell asks the terminal where the cursor is (ESC [6n);
            # the answer would be typed into gdb, not the guest. (A
            # sequence cut between two reads waits for the rest.)
            data = (held + data).replace(b'\x1b[6n', b'')
            cut = data.rfind(b'\x1b')
            held, data = (data[cut:], data[:cut]) \
                if cut >= 0 and len(data) - cut < 4 else (b'', data)
            os.write(1, data)
            with self.lock:
                start = max(0, len(self.text) - 64)
                self.text += ESCAPE.sub('', data.decode('utf-8', 'replace')
                                        .replace('\r', ''))
                if len(self.text) > 1 << 20:
                    drop = len(self.text) - (1 << 16)
                    self.text = self.text[drop:]
                    self.prompt_at -= drop
                    self.sent_at -= drop
                    start = max(0, start - drop)
                for m in self.PROMPT.finditer(self.text, start):
                    self.prompt_at = max(self.prompt_at, m.end())
                self.lab_init |= 'LAB-READY' in self.text[start:]
                self.coldplug |= 'LAB-COLDPLUG-DONE' in self.text[start:]
                # at boot: the prompt, and the lab's /init done loading
                # the board's drivers (/dev/fb0 is there)
                if self.watch and not self.stopping and \
                        self.prompt_at > self.sent_at and \
                        (self.booted or self.coldplug or not self.lab_init):
                    self.stopping = True
                    threading.Thread(target=self._stop, args=(self.run_id,),
                                     daemon=True).start()

    def _stop(self, run_id):
        """Stop the guest through QEMU's monitor (QMP `stop`), as often
        as it takes: a stop that lands while gdb handles a breakpoint of
        its own (the module one) is a no-op, and gdb resumes the guest.
        Ctrl-C (SIGINT to gdb) would be lost the same way, and a second
        one makes gdb offer to disconnect. A first short wait lets the
        shell go to sleep in read(): the CPUs idle in the kernel, where
        gdb can read kernel memory (QEMU reads as the CPU's mode)."""
        delay = 0.1
        while True:
            threading.Event().wait(delay)
            with self.lock:
                if not self.watch or self.run_id != run_id:
                    return      # that lab-sh has its stop
            self.qmp('stop')
            delay = 0.5

    def qmp(self, command):
        """Run a QMP command on the board (LAB_QMP, set by scripts/debug)."""
        if self.monitor is None:
            self.monitor = socket.socket(socket.AF_UNIX)
            self.monitor.connect(os.environ['LAB_QMP'])
            self.monitor_in = self.monitor.makefile('r')
            json.loads(self.monitor_in.readline())         # greeting
            self.monitor.sendall(b'{"execute": "qmp_capabilities"}\n')
            json.loads(self.monitor_in.readline())
        self.monitor.sendall(json.dumps({'execute': command}).encode() + b'\n')
        while True:     # (events come in between; the reply ends it)
            reply = json.loads(self.monitor_in.readline())
            if 'return' in reply or 'error' in reply:
                return reply

    def shell_idle(self):
        """The shell prompted after the last command lab-sh typed."""
        with self.lock:
            return self.prompt_at > self.sent_at

    def run(self, line=None):
        """Type `line` (if any) and continue the guest until it stops on
        its own (a breakpoint, Ctrl-C: returns True) or the shell prompts
        again (False)."""
        with self.lock:
            if line is not None or self.prompt_at > self.sent_at:
                # wait for a prompt printed from now on
                self.sent_at = len(self.text)
            self.watch, self.stopping = True, False
            self.run_id += 1
        if line is not None:
            self.sock.sendall(line.encode() + b'\n')
        try:
            gdb.execute('continue')
        finally:
            with self.lock:
                prompted = self.stopping
                self.watch = self.stopping = False
                self.booted = self.booted or prompted
        return not prompted


CONSOLE = None


def console():
    global CONSOLE
    if CONSOLE is None:
        path = os.environ.get('LAB_CONSOLE')
        if not path:
            raise gdb.GdbError('no guest console here: lab-sh works in the '
                               'board scripts/debug boots, not with --attach')
        CONSOLE = Console(path)
    return CONSOLE


class LabSh(gdb.Command):
    """Type a command into the guest's shell and let the guest run: lab-sh
[COMMAND]. The guest runs until a breakpoint stops it (gdb shows where) or
until its shell prompt is back (gdb's prompt then; the guest stays stopped
until the next continue or lab-sh). Without COMMAND: run until the shell
prompts (at boot: until the shell is up and /init has loaded the
board's drivers)."""

    def __init__(self):
        super().__init__('lab-sh', gdb.COMMAND_RUNNING)

    def invoke(self, arg, from_tty):
        con = console()
        arg = arg.strip()
        if arg and not con.shell_idle():
            # booting, or a command still running: what is typed before
            # the shell reads it can be lost
            if con.run():
                say('stopped before the shell was ready; lab-sh again to '
                    'type the command')
                return
        # without a command at an idle shell: an empty line, a new prompt
        line = arg if arg or con.shell_idle() else None
        if not con.run(line):
            gdb.write('\n')
            say('guest stopped at its shell prompt')
            prefer_kernel_cpu()


def on_stop(event):
    """Every stop: all module memory readable from every CPU."""
    try:
        KERNEL_PT.sync_cpus()
    except gdb.error:
        pass


gdb.events.stop.connect(on_stop)
ModulePath()
LabModules()
LabSh()
gdb.execute('set breakpoint pending on')
gdb.execute('set confirm off')
if os.environ.get('LAB_CONSOLE'):
    console()       # from the start: the boot log is printed as it comes
