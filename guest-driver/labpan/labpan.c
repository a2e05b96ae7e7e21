// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * labpan: does the CPU keep the kernel out of user memory?
 *
 * With CONFIG_CPU_SW_DOMAIN_PAN (Debian's armmp kernel has it) the kernel
 * may touch user memory only between uaccess_save_and_enable() and
 * uaccess_restore(), which open and close the user domain in DACR. A
 * write to /dev/labpan copies its first byte in the proper way, so the
 * TLB holds the user page, then reads the same byte directly: the CPU
 * must raise a domain fault, and the writer dies with the kernel's
 * "Unhandled fault: page domain fault" oops. An emulator that kept the
 * TLB entry across the DACR write would let the read through, and the
 * module says so.
 */

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>

static ssize_t labpan_write(struct file *file, const char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	char copied, direct;

	if (!count)
		return 0;
	pr_info("labpan: copying a byte from user memory, then reading it directly\n");
	if (copy_from_user(&copied, ubuf, 1))
		return -EFAULT;
	/*
	 * What PAN forbids: the kernel reading user memory outside uaccess,
	 * right after the copy, so that the TLB still holds the page
	 */
	direct = READ_ONCE(*(const char __force *)ubuf);
	pr_err("labpan: copied 0x%02x, read 0x%02x directly: user memory is not protected\n",
	       (u8)copied, (u8)direct);
	return count;
}

static const struct file_operations labpan_fops = {
	.owner = THIS_MODULE,
	.write = labpan_write,
};

static struct miscdevice labpan_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "labpan",
	.fops = &labpan_fops,
};

module_misc_device(labpan_dev);
MODULE_DESCRIPTION("Kernel lab: checks that a direct kernel read of user memory faults (SW PAN)");
MODULE_LICENSE("GPL");
