/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Command-line number parsing shared by the user tools.
 */
#ifndef TOY_PARSE_H
#define TOY_PARSE_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

/*
 * toy_parse_uint() - @s as a whole unsigned number (decimal, 0x hex or 0
 * octal) of at most @max, into *@val. Returns 0, or -1 for anything else:
 * empty, trailing text, a sign, out of range.
 */
static inline int toy_parse_uint(const char *s, uint64_t max, uint64_t *val)
{
	char *end;

	errno = 0;
	*val = strtoull(s, &end, 0);
	return errno || !*s || *end || *s == '-' || *val > max ? -1 : 0;
}

#endif /* TOY_PARSE_H */
