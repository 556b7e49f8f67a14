// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>

#include "toy_family.h"

int toy_family(void)
{
	FILE *f = fopen(TOY_FAMILY_PARAM, "re");
	int family, n;

	if (!f)
		return -1;
	n = fscanf(f, "%d", &family);
	fclose(f);
	if (n != 1 || family <= 0) {
		errno = EINVAL;
		return -1;
	}
	return family;
}
