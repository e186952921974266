/* See LICENSE file for copyright and license details. */
/*
 * Linked into every program by make check SANITIZE=1, never otherwise: the
 * sanitizers' default options.  Reports go to files in SAN_LOG, a
 * directory tests/run checks after each suite, also from a program started
 * with an empty environment (as init is) or whose stderr nobody reads.
 * Each file is SAN_LOG/TAG.EXE.PID where TAG comes from the clock when the
 * program starts: PIDs repeat across the PID namespaces of the tests, and
 * a report must never overwrite another (the runtime opens with O_TRUNC).
 * ASAN_OPTIONS, UBSAN_OPTIONS and LSAN_OPTIONS of the environment still
 * take precedence.  Linux and clang's runtime (one for ASan, LSan and
 * UBSan, so one log_path a process).
 */
#define _DEFAULT_SOURCE    /* syscall(2) */
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef SAN_LOG
#error "SAN_LOG: the directory of the reports"
#endif

const char *__asan_default_options(void);
const char *__ubsan_default_options(void);
const char *__lsan_default_options(void);

enum { ASAN, UBSAN, LSAN };

static const char *const rest[] = {
	[ASAN] = (":detect_leaks=1:detect_stack_use_after_return=1"
	    ":strict_string_checks=1"),
	[UBSAN] = ":halt_on_error=0:print_stacktrace=1",
	[LSAN] = "",
};

static char opts[3][sizeof(SAN_LOG) + 128];
static char tag[17];

/* "log_path=SAN_LOG/TAG.san:log_exe_name=1REST": called before main, so
 * no malloc and no intercepted function (clock_gettime is one) */
static const char *
options(int i)
{
	static const char hex[] = "0123456789abcdef";
	unsigned long long t;
	struct timespec ts;
	char *p = opts[i];
	const char *s;
	int k;

	if (!tag[0]) {
		if (syscall(SYS_clock_gettime, CLOCK_REALTIME, &ts) < 0)
			ts.tv_sec = ts.tv_nsec = 0;
		t = (unsigned long long)ts.tv_sec * 1000000000ULL +
		    (unsigned long long)ts.tv_nsec;
		for (k = 0; k < 16; k++)
			tag[k] = hex[(t >> (60 - 4 * k)) & 15];
	}
	if (*p)
		return p;
	for (s = "log_path=" SAN_LOG "/"; *s; )
		*p++ = *s++;
	for (s = tag; *s; )
		*p++ = *s++;
	for (s = ".san:log_exe_name=1"; *s; )
		*p++ = *s++;
	for (s = rest[i]; *s; )
		*p++ = *s++;
	*p = '\0';
	return opts[i];
}

const char *
__asan_default_options(void)
{
	return options(ASAN);
}

const char *
__ubsan_default_options(void)
{
	return options(UBSAN);
}

const char *
__lsan_default_options(void)
{
	return options(LSAN);
}
