/* See LICENSE file for copyright and license details. */
/*
 * Coldplug: an "add" uevent, in the kernel's datagram format, for every
 * device that already exists under sysfs: first those with a device number
 * (SYSFS/dev/char, SYSFS/dev/block), then, with all, those of
 * SYSFS/bus/x/devices and SYSFS/class/x without one (for MODALIAS and
 * interface rules).
 */
#include <stddef.h>

/* fn(ctx, datagram, len) for each device; stops early when fn returns -1 */
int coldplug(const char *sysfs, int all,
             int (*fn)(void *ctx, const char *dg, size_t len), void *ctx);
