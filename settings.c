/* See LICENSE file for copyright and license details. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "os.h"
#include "settings.h"
#include "util.h"

void
settings_default(struct settings *s)
{
	memset(s, 0, sizeof(*s));
	s->stop_signal = SIGTERM;
	s->stop_timeout = STOP_TIMEOUT;
	s->kill = KILL_TREE;
	s->restart = RESTART_ALWAYS;
	s->reload_signal = SIGHUP;
	s->ready = READY_NONE;
	s->ready_timeout = READY_TIMEOUT;
	s->log = LOG_FILE;
	s->log_size = LOG_SIZE;
	s->log_keep = LOG_KEEP;
}

/* one of words (a NULL-terminated list), its index in *out */
static const char *
word(const char *v, const char *const *words, int *out)
{
	int i;

	for (i = 0; words[i]; i++)
		if (!strcmp(v, words[i])) {
			*out = i;
			return NULL;
		}
	return "unknown value";
}

static const char *
number(const char *v, unsigned long long min, unsigned long long max,
       unsigned long *out)
{
	unsigned long long n;

	if (parse_ull(v, max, &n) < 0 || n < min)
		return "not a number in range";
	*out = (unsigned long)n;
	return NULL;
}

/* BYTES, or with a k or M suffix */
static const char *
bytes(const char *v, unsigned long *out)
{
	char buf[32];
	size_t n = strlen(v);
	unsigned long long mul = 1;

	if (n && (v[n - 1] == 'k' || v[n - 1] == 'K' || v[n - 1] == 'M')) {
		mul = v[n - 1] == 'M' ? 1024 * 1024 : 1024;
		n--;
	}
	if (n >= sizeof(buf))
		return "not a size";
	memcpy(buf, v, n);
	buf[n] = '\0';
	if (number(buf, 1, (1ULL << 30) / mul, out))
		return "not a size from 1 to 1G";
	*out *= (unsigned long)mul;
	return NULL;
}

static const char *
signal_value(const char *v, int *out)
{
	int sig = sig_parse(v);

	if (sig <= 0 || sig == SIGKILL || sig == SIGSTOP)
		return "not a signal that can be caught";
	*out = sig;
	return NULL;
}

static const char *
ready_value(const char *v, struct settings *s)
{
	static const char *const modes[] = { "none", "notify", NULL };
	unsigned long fd;

	if (!strncmp(v, "fd:", 3)) {
		if (number(v + 3, 3, SPAWN_FDS - 1, &fd))
			return "not fd:3 to fd:15";
		s->ready = READY_FD;
		s->ready_fd = (int)fd;
		return NULL;
	}
	return word(v, modes, &s->ready);
}

/* one key=value; NULL or why it is bad */
static const char *
setting(const char *k, const char *v, struct settings *s)
{
	static const char *const kills[] = { "tree", "group", "process", NULL };
	static const char *const restarts[] = { "always", "on-failure", "never",
	    NULL };
	static const char *const logs[] = { "file", "console", "off", NULL };

	if (!strcmp(k, "stop-signal"))
		return signal_value(v, &s->stop_signal);
	if (!strcmp(k, "stop-timeout"))
		return number(v, 0, 86400, &s->stop_timeout);
	if (!strcmp(k, "kill"))
		return word(v, kills, &s->kill);
	if (!strcmp(k, "restart"))
		return word(v, restarts, &s->restart);
	if (!strcmp(k, "give-up"))
		return number(v, 0, 1000000, &s->give_up);
	if (!strcmp(k, "reload-signal"))
		return signal_value(v, &s->reload_signal);
	if (!strcmp(k, "ready"))
		return ready_value(v, s);
	if (!strcmp(k, "ready-timeout"))
		return number(v, 0, 86400, &s->ready_timeout);
	if (!strcmp(k, "watchdog"))
		return number(v, 0, 86400, &s->watchdog);
	if (!strcmp(k, "log"))
		return word(v, logs, &s->log);
	if (!strcmp(k, "log-size"))
		return bytes(v, &s->log_size);
	if (!strcmp(k, "log-keep"))
		return number(v, 0, 1000, &s->log_keep);
	return "unknown setting";
}

/* the pairs of one settings line */
static void
line_parse(char *p, int line, struct settings *s,
           void (*report)(void *, int, const char *, const char *), void *ctx)
{
	struct settings before;
	char *kv, *eq, *save;
	const char *why;
	int n;

	for (kv = strtok_r(p, " \t", &save); kv; kv = strtok_r(NULL, " \t", &save)) {
		before = *s;
		if (!(eq = strchr(kv, '=')) || eq == kv)
			why = "not key=value";
		else {
			*eq = '\0';
			why = setting(kv, eq + 1, s);
			if (why)
				*s = before;     /* the key keeps its value */
			*eq = '=';
		}
		if (!why)
			continue;
		/* cut to fit, and no control character (a CRLF script)
		 * reaches the status */
		if (!s->nbad++ && (n = fmt(s->bad, sizeof(s->bad), "line %d: ",
		    line)) > 0)
			printable(s->bad + n, sizeof(s->bad) - (size_t)n, kv);
		if (report)
			report(ctx, line, kv, why);
	}
}

void
settings_parse(const char *text, struct settings *s,
               void (*report)(void *, int, const char *, const char *),
               void *ctx)
{
	char buf[1024], *p;
	const char *nl;
	size_t n;
	int line;

	settings_default(s);
	for (line = 1; *text; line++) {
		nl = strchr(text, '\n');
		n = nl ? (size_t)(nl - text) : strlen(text);
		/* a longer line is read as its first 1023 bytes */
		memcpy(buf, text, n < sizeof(buf) ? n : sizeof(buf) - 1);
		buf[n < sizeof(buf) ? n : sizeof(buf) - 1] = '\0';
		p = buf + strspn(buf, " \t");
		if (*p != '#' && strstr(p, "sysmgr-depends") && s->depends < 1000)
			s->depends++;
		if (*p == '#' && line <= SETTINGS_LINES) {
			p += 1 + strspn(p + 1, " \t");
			if (!strncmp(p, "sysmgr:", 7))
				line_parse(p + 7, line, s, report, ctx);
		}
		if (!nl)
			break;
		text = nl + 1;
	}
}

int
settings_read(const char *script, struct settings *s,
              void (*report)(void *, int, const char *, const char *),
              void *ctx)
{
	struct stat st;
	char *buf, *cut;
	ssize_t r;
	size_t n = 0, max = SCRIPT_HEAD;
	int fd;

	settings_default(s);
	fd = open(script, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	/* on the heap, as rundir.c's load(): a small stack; and only as
	 * much as the script has, so that no page is touched for nothing */
	if (st.st_size < SCRIPT_HEAD)
		max = (size_t)st.st_size;
	if (!(buf = malloc(max + 1))) {
		close(fd);
		return -1;
	}
	while (n < max) {
		r = read(fd, buf + n, max - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	/* a line cut at SCRIPT_HEAD is beyond it, not read with a value cut
	 * short */
	if (n == SCRIPT_HEAD && st.st_size > SCRIPT_HEAD)
		*((cut = strrchr(buf, '\n')) ? cut + 1 : buf) = '\0';
	/* a NUL ends the text: a binary has no settings after it */
	settings_parse(buf, s, report, ctx);
	free(buf);
	return 0;
}
