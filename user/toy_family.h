/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Discovery of the address family number af_toy.ko registered, shared by
 * the user tools and the selftests.
 */
#ifndef TOY_FAMILY_H
#define TOY_FAMILY_H

#define TOY_FAMILY_PARAM "/sys/module/af_toy/parameters/family"

/*
 * toy_family() - the family number af_toy.ko was loaded with.
 *
 * Returns the number, or -1 with errno set: ENOENT when the module is not
 * loaded, EINVAL when the parameter file holds no number, or the error of
 * opening or reading the file.
 */
int toy_family(void);

#endif /* TOY_FAMILY_H */
