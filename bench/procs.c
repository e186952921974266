/* See LICENSE file for copyright and license details. */
/*
 * procs ctxsw|cpu|pss NAME...
 *
 * One line "PID NAME VALUE" per process whose /proc/PID/comm is one of
 * the NAMEs: ctxsw is voluntary_ctxt_switches + nonvoluntary_ctxt_switches
 * of /proc/PID/status, cpu the ns on a CPU (first field of
 * /proc/PID/schedstat), pss the Pss: of /proc/PID/smaps_rollup in kB.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

/* the sum of the values of the lines of path beginning with key1 or key2 */
static long long
keys(const char *path, const char *key1, const char *key2)
{
	char line[256];
	long long sum = -1;
	FILE *f;

	if (!(f = fopen(path, "r")))
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key1, strlen(key1)) ||
		    (key2 && !strncmp(line, key2, strlen(key2))))
			sum = (sum < 0 ? 0 : sum) +
			    strtoll(strchr(line, ':') + 1, NULL, 10);
	fclose(f);
	return sum;
}

static long long
value(const char *pid, const char *field)
{
	char path[300];
	long long v = -1;
	FILE *f;

	if (!strcmp(field, "ctxsw"))
		return snprintf(path, sizeof(path), "/proc/%s/status", pid) >=
		    (int)sizeof(path) ? -1 : keys(path, "voluntary_ctxt_switches:",
		    "nonvoluntary_ctxt_switches:");
	if (!strcmp(field, "pss"))
		return snprintf(path, sizeof(path), "/proc/%s/smaps_rollup", pid) >=
		    (int)sizeof(path) ? -1 : keys(path, "Pss:", NULL);
	if (snprintf(path, sizeof(path), "/proc/%s/schedstat", pid) <
	    (int)sizeof(path) && (f = fopen(path, "r"))) {
		if (fscanf(f, "%lld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

int
main(int argc, char *argv[])
{
	char path[300], comm[64];
	struct dirent *e;
	long long v;
	FILE *f;
	DIR *d;
	int i;

	setprog("procs");
	if (argc < 3 || (strcmp(argv[1], "ctxsw") && strcmp(argv[1], "cpu") &&
	    strcmp(argv[1], "pss")))
		die(2, "usage: procs ctxsw|cpu|pss NAME...");
	if (!(d = opendir("/proc")))
		die(111, "/proc:");
	while ((e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9' ||
		    snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name) >=
		    (int)sizeof(path) || !(f = fopen(path, "r")))
			continue;
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = '\0';
		fclose(f);
		comm[strcspn(comm, "\n")] = '\0';
		for (i = 2; i < argc && strcmp(comm, argv[i]); i++)
			;
		if (i < argc && (v = value(e->d_name, argv[1])) >= 0)
			printf("%s %s %lld\n", e->d_name, comm, v);
	}
	closedir(d);
	return 0;
}
