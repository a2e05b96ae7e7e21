// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * labtrigger: the smallest useful out-of-tree module of the lab.
 *
 * It proves the out-of-tree build works (load/unload test) and gives
 * debugger tests a function to break in that the guest can call on
 * demand: writing a number to /sys/kernel/labtrigger/fire calls
 * labtrigger_fire() with it; reading the file returns how many times it
 * ran and the last value.
 */

#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sysfs.h>

static struct kobject *labtrigger_kobj;
static DEFINE_MUTEX(labtrigger_lock);
static unsigned long labtrigger_count;
static long labtrigger_last;

/* Kept out of line so that a debugger can break on it by name. */
static noinline long labtrigger_fire(long value)
{
	long doubled = value * 2;

	mutex_lock(&labtrigger_lock);
	labtrigger_count++;
	labtrigger_last = value;
	mutex_unlock(&labtrigger_lock);
	pr_info("labtrigger: fired with %ld\n", value);
	return doubled;
}

static ssize_t fire_store(struct kobject *kobj, struct kobj_attribute *attr,
			  const char *buf, size_t count)
{
	long value;
	int ret;

	ret = kstrtol(buf, 0, &value);
	if (ret)
		return ret;
	labtrigger_fire(value);
	return count;
}

static ssize_t fire_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	ssize_t len;

	mutex_lock(&labtrigger_lock);
	len = sysfs_emit(buf, "%lu %ld\n", labtrigger_count, labtrigger_last);
	mutex_unlock(&labtrigger_lock);
	return len;
}

static struct kobj_attribute fire_attr = __ATTR_RW(fire);

static int __init labtrigger_init(void)
{
	int ret;

	labtrigger_kobj = kobject_create_and_add("labtrigger", kernel_kobj);
	if (!labtrigger_kobj)
		return -ENOMEM;
	ret = sysfs_create_file(labtrigger_kobj, &fire_attr.attr);
	if (ret) {
		kobject_put(labtrigger_kobj);
		return ret;
	}
	pr_info("labtrigger: loaded\n");
	return 0;
}

static void __exit labtrigger_exit(void)
{
	kobject_put(labtrigger_kobj);
	pr_info("labtrigger: unloaded\n");
}

module_init(labtrigger_init);
module_exit(labtrigger_exit);
MODULE_DESCRIPTION("Kernel lab: a sysfs-triggered function for load and debugger tests");
MODULE_LICENSE("GPL");
