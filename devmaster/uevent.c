/* See LICENSE file for copyright and license details. */
#include <string.h>

#include "../util.h"
#include "uevent.h"

/* the variables that must be unique, and the fields that point at them */
static const struct {
	const char *name;
	size_t off;
} known[] = {
	{ "ACTION", offsetof(struct uevent, action) },
	{ "DEVPATH", offsetof(struct uevent, devpath) },
	{ "SUBSYSTEM", offsetof(struct uevent, subsystem) },
	{ "DEVNAME", offsetof(struct uevent, devname) },
	{ "DEVPATH_OLD", offsetof(struct uevent, devpath_old) },
	{ "MAJOR", offsetof(struct uevent, major_s) },
	{ "MINOR", offsetof(struct uevent, minor_s) },
	{ "DEVMODE", offsetof(struct uevent, devmode_s) },
};

static const char **
slot(struct uevent *ev, const char *key, size_t klen)
{
	size_t i;

	for (i = 0; i < LEN(known); i++)
		if (strlen(known[i].name) == klen &&
		    !memcmp(known[i].name, key, klen))
			return (const char **)(void *)((char *)ev + known[i].off);
	return NULL;
}

/* KEY is [A-Za-z_][A-Za-z0-9_]*: a name a shell takes from the environment */
static size_t
key_len(const char *s)
{
	size_t n;

	if (!(*s == '_' || (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
		return 0;
	for (n = 1; s[n] == '_' || (s[n] >= 'A' && s[n] <= 'Z') ||
	    (s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9'); n++)
		;
	return s[n] == '=' ? n : 0;
}

static const char *
add_var(struct uevent *ev, const char *s)
{
	const char **p;
	size_t klen = key_len(s);

	if (!klen)
		return "a string is not KEY=VALUE";
	if (ev->nvar == UEVENT_VARS_MAX)
		return "too many variables";
	ev->var[ev->nvar++] = s;
	p = slot(ev, s, klen);
	if (!p)
		return NULL;
	if (*p)
		return "a variable is given twice";
	*p = s + klen + 1;
	return NULL;
}

int
parse_mode(const char *s)
{
	int m = 0;
	size_t n;

	/* a fifth digit is enough to refuse: no more, m must not overflow */
	for (n = 0; n < 5 && s[n] >= '0' && s[n] <= '7'; n++)
		m = m * 8 + (s[n] - '0');
	if (n < 1 || n > 4 || s[n])
		return -1;
	return m & 0777;
}

static const char *
check_dev(struct uevent *ev)
{
	unsigned long long maj, min;

	ev->mode = -1;
	if (ev->devmode_s && (ev->mode = parse_mode(ev->devmode_s)) < 0)
		return "bad DEVMODE";
	if (!ev->major_s != !ev->minor_s)
		return "MAJOR without MINOR or the reverse";
	if (!ev->major_s)
		return NULL;
	if (parse_ull(ev->major_s, DEV_MAJOR_MAX, &maj) < 0 ||
	    parse_ull(ev->minor_s, DEV_MINOR_MAX, &min) < 0)
		return "bad MAJOR or MINOR";
	ev->major = (unsigned)maj;
	ev->minor = (unsigned)min;
	ev->has_dev = 1;
	return NULL;
}

/* the header "ACTION@DEVPATH" against the ACTION and DEVPATH variables */
static const char *
check_header(const struct uevent *ev, const char *hdr)
{
	const char *at = strchr(hdr, '@');
	size_t alen;

	if (!ev->action || !ev->devpath || !ev->subsystem)
		return "ACTION, DEVPATH or SUBSYSTEM missing";
	alen = (size_t)(at - hdr);
	if (strlen(ev->action) != alen || memcmp(ev->action, hdr, alen) ||
	    strcmp(ev->devpath, at + 1))
		return "the header does not match ACTION and DEVPATH";
	return NULL;
}

static int
is_action(const char *s, const char *end)
{
	if (s == end)
		return 0;
	for (; s < end; s++)
		if (*s < 'a' || *s > 'z')
			return 0;
	return 1;
}

const char *
uevent_parse(struct uevent *ev, const char *buf, size_t len)
{
	const char *p, *end = buf + len, *at, *err;

	memset(ev, 0, offsetof(struct uevent, var));
	ev->nvar = 0;
	if (len < 4 || len > UEVENT_SIZE_MAX)
		return "bad size";
	if (buf[len - 1])
		return "no NUL at the end";
	at = strchr(buf, '@');
	if (!at || at[1] != '/' || !is_action(buf, at))
		return "no ACTION@/DEVPATH header";
	for (p = buf + strlen(buf) + 1; p < end; p += strlen(p) + 1)
		if ((err = add_var(ev, p)))
			return err;
	if ((err = check_header(ev, buf)))
		return err;
	return check_dev(ev);
}

const char *
uevent_get(const struct uevent *ev, const char *key)
{
	size_t i, klen = strlen(key);

	for (i = 0; i < ev->nvar; i++)
		if (!strncmp(ev->var[i], key, klen) && ev->var[i][klen] == '=')
			return ev->var[i] + klen + 1;
	return NULL;
}
