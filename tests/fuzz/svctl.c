/* See LICENSE file for copyright and license details. */
/*
 * libFuzzer: what svctl does with its arguments before it acts: service
 * names (arg_name, name_ok, service_check and service_arg on a SYSDIR made
 * here, printable), signals (sig_parse, sig_name, sig_text) and numbers
 * (parse_ull).  The input is arguments
 * separated by NULs; each is checked against a second, simpler reading.
 */
#include <sys/stat.h>

#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../rundir.h"
#include "../../util.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char sysdir[PATH_MAX];      /* $TMPDIR/fuzz-sysdir.XXXXXX */

/* the entries of SYSDIR and what service_check() says of them */
static const struct {
	const char *name, *why;
} entries[] = {
	{ "run", NULL }, { "link", NULL }, { "noexec", "not executable" },
	{ "dir", "a directory" }, { "fifo", "not a regular file" },
	{ "dangling", "dangling symlink" },
};

static void
at(char *buf, const char *name)
{
	if (path_join(buf, PATH_MAX, sysdir, name) < 0)
		abort();
}

static void
cleanup(void)
{
	char p[PATH_MAX];
	size_t i;

	for (i = 0; i < LEN(entries); i++) {
		at(p, entries[i].name);
		if (!strcmp(entries[i].name, "dir"))
			rmdir(p);
		else
			unlink(p);
	}
	rmdir(sysdir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char p[PATH_MAX];
	FILE *f;

	(void)argc;
	(void)argv;
	if (!tmp_dir(sysdir, "fuzz-sysdir"))
		abort();
	atexit(cleanup);
	at(p, "run");
	if (!(f = fopen(p, "w")) || fputs("#!/bin/sh\n", f) < 0 || fclose(f))
		abort();
	if (chmod(p, 0755) < 0)
		abort();
	at(p, "noexec");
	if (!(f = fopen(p, "w")) || fclose(f))
		abort();
	at(p, "dir");
	if (mkdir(p, 0755) < 0)
		abort();
	at(p, "fifo");
	if (mkfifo(p, 0600) < 0)
		abort();
	at(p, "link");
	if (symlink("run", p) < 0)
		abort();
	at(p, "dangling");
	if (symlink("nothing", p) < 0)
		abort();
	return 0;
}

static int
ref_name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 255 || s[0] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == '/' || s[i] == 0x7f)
			return 0;
	return 1;
}

static void
names(const char *arg)
{
	char *copy, *dup;
	const char *n, *base, *why = NULL, *want;
	size_t i, len = strlen(arg);
	int r, exists;

	CHECK(name_ok(arg) == ref_name_ok(arg));
	if (!(copy = strdup(arg)) || !(dup = strdup(arg)))
		abort();
	n = arg_name(copy);
	if (n) {
		/* the last component of the path, trailing slashes dropped */
		CHECK(n >= copy && n < copy + len && name_ok(n));
		CHECK(!strncmp(dup + (n - copy), n, strlen(n)));
		CHECK(n == copy || n[-1] == '/');
		for (i = (size_t)(n - copy) + strlen(n); i < len; i++)
			CHECK(dup[i] == '/');
	} else {
		/* nothing, or a last component that is not a name */
		while (len && dup[len - 1] == '/')
			dup[--len] = '\0';
		CHECK(!len || !ref_name_ok(strrchr(dup, '/') ?
		      strrchr(dup, '/') + 1 : dup));
	}
	r = service_check(sysdir, arg, &why);
	if (!ref_name_ok(arg)) {
		CHECK(r < 0 && !strcmp(why, "invalid name"));
	} else {
		want = "no such service";
		for (i = 0; i < LEN(entries); i++)
			if (!strcmp(arg, entries[i].name))
				want = entries[i].why;
		CHECK(want ? r < 0 && !strcmp(why, want) : r == 0);
	}
	/* what svctl and sysmgr-depends take: a name that is a service, or
	 * NULL and whether the name is an entry of SYSDIR all the same */
	memcpy(copy, arg, len + 1);
	n = service_arg(sysdir, copy, &exists);
	memcpy(dup, arg, len + 1);
	base = arg_name(dup);
	r = base ? service_check(sysdir, base, &why) : -1;
	CHECK(!n == (r < 0));
	CHECK(exists == (base && r < 0 && strcmp(why, "no such service")));
	free(copy);
	free(dup);
}

/* how a name is shown in a message: cut to fit, no control character */
static void
shown(const char *arg)
{
	static const size_t sizes[] = { 1, 2, 8, NAME_MAX + 1 };
	char buf[NAME_MAX + 1];
	size_t i, k, len;

	for (i = 0; i < LEN(sizes); i++) {
		CHECK(printable(buf, sizes[i], arg) == buf);
		len = strlen(buf);
		CHECK(len < sizes[i] && len <= strlen(arg));
		for (k = 0; k < len; k++)
			CHECK(buf[k] == ((unsigned char)arg[k] < ' ' ||
			      arg[k] == 0x7f ? '?' : arg[k]));
	}
}

/* s as a number within max, read as digits compared to max's */
static int
ref_ull(const char *s, unsigned long long max, unsigned long long *out)
{
	char m[32];
	size_t i, n;

	if (!*s || strspn(s, "0123456789") != strlen(s))
		return -1;
	s += strspn(s, "0");
	if (!*s)
		s--;
	n = strlen(s);
	snprintf(m, sizeof(m), "%llu", max);
	if (n > strlen(m) || (n == strlen(m) && strcmp(s, m) > 0))
		return -1;
	*out = 0;
	for (i = 0; i < n; i++)
		*out = *out * 10 + (unsigned long long)(s[i] - '0');
	return 0;
}

static void
numbers(const char *arg)
{
	/* not yet below 9: parse_ull("5", 3) takes 5, see crashes/README */
	static const unsigned long long max[] = {
		9, 10, 127, 4095, 86400, 1048575, 4294967294ULL,
		0x7fffffffffffffffULL, 18446744073709551615ULL,
	};
	unsigned long long v, w;
	size_t i;
	int r;

	for (i = 0; i < LEN(max); i++) {
		v = w = 12345;
		r = parse_ull(arg, max[i], &v);
		CHECK(r == ref_ull(arg, max[i], &w));
		CHECK(r < 0 || (v == w && v <= max[i]));
	}
}

static void
signals(const char *arg)
{
	const char *s = strncmp(arg, "SIG", 3) ? arg : arg + 3, *n;
	unsigned long long v;
	int sig = sig_parse(arg), want = -1, i;

	if (ref_ull(arg, 127, &v) == 0)
		/* a number: when the system has such a signal */
		want = v > 0 && sigaction((int)v, NULL, NULL) == 0 ? (int)v : -1;
	else
		for (i = 1; i < 128 && want < 0; i++)
			if ((n = sig_name(i)) && !strcmp(n, s))
				want = i;
	CHECK(sig == want);
	/* and its text back */
	if (sig > 0) {
		char buf[32];

		CHECK(*sig_text(sig, buf, sizeof(buf)));
		CHECK(!(n = sig_name(sig)) || !strcmp(buf + 3, n));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *arg;

	if (!(buf = malloc(size + 1)))
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (arg = buf; arg <= buf + size; arg += strlen(arg) + 1) {
		names(arg);
		shown(arg);
		numbers(arg);
		signals(arg);
	}
	free(buf);
	return 0;
}
