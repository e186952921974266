/* See LICENSE file for copyright and license details. */
#include <limits.h>
#include <stdlib.h>

#include "../../util.h"
#include "fuzz.h"

char *
tmp_dir(char *buf, const char *name)
{
	const char *t = getenv("TMPDIR");

	if (fmt(buf, PATH_MAX, "%s/%s.XXXXXX", t && *t ? t : "/tmp", name) < 0)
		return NULL;
	return mkdtemp(buf);
}
