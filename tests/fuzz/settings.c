/* See LICENSE file for copyright and license details. */
/*
 * libFuzzer: the settings of a script (settings.c): the input is the head
 * of a script.  Every value taken is in its range, a bad setting keeps
 * the key's default, each is reported once with its line, and the first
 * is what s.bad says (printable); a second reading of the same text gives
 * the same settings.
 */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../config.h"
#include "../../os.h"
#include "../../settings.h"
#include "../../util.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
	int n;
	int first;
};

static void
report(void *ctx, int line, const char *kv, const char *why)
{
	struct seen *s = ctx;

	CHECK(line >= 1 && line <= SETTINGS_LINES && kv && why && *why);
	if (!s->n++)
		s->first = line;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct settings s, again;
	struct seen seen = { 0, 0 };
	char *buf, prefix[32];
	size_t i;

	if (size > SCRIPT_HEAD)
		return 0;
	if (!(buf = malloc(size + 1)))
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	settings_parse(buf, &s, report, &seen);
	CHECK(s.nbad == seen.n);
	CHECK(s.stop_signal > 0 && s.stop_signal != SIGKILL &&
	      s.stop_signal != SIGSTOP);
	CHECK(s.reload_signal > 0 && s.reload_signal != SIGKILL);
	CHECK(s.stop_timeout <= 86400 &&
	      s.ready_timeout <= 86400 && s.watchdog <= 86400);
	CHECK(s.kill >= KILL_TREE && s.kill <= KILL_PROCESS);
	CHECK(s.restart >= RESTART_ALWAYS && s.restart <= RESTART_NEVER);
	CHECK(s.ready >= READY_NONE && s.ready <= READY_FD);
	CHECK(s.ready != READY_FD || (s.ready_fd >= 3 && s.ready_fd < SPAWN_FDS));
	CHECK(s.log >= LOG_FILE && s.log <= LOG_OFF);
	CHECK(s.log_size >= 1 && s.log_size <= (1UL << 30) && s.log_keep <= 1000);
	CHECK(s.give_up <= 1000000);
	/* the first bad one, by its line, printable */
	if (s.nbad) {
		CHECK(fmt(prefix, sizeof(prefix), "line %d: ", seen.first) > 0);
		CHECK(!strncmp(s.bad, prefix, strlen(prefix)));
		for (i = 0; s.bad[i]; i++)
			CHECK((unsigned char)s.bad[i] >= ' ' && s.bad[i] != 0x7f);
	} else
		CHECK(!s.bad[0]);
	settings_parse(buf, &again, NULL, NULL);
	CHECK(!memcmp(&s, &again, sizeof(s)));
	free(buf);
	return 0;
}
