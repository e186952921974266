/* See LICENSE file for copyright and license details. */
/* What the harnesses share (tests/fuzz/fuzz.c). */

/* a property that must hold: a failure is a crash libFuzzer keeps */
#define CHECK(c) do { if (!(c)) abort(); } while (0)

/* $TMPDIR/NAME.XXXXXX made into buf (PATH_MAX bytes), or NULL;
 * tests/fuzz/run points TMPDIR into tests/fuzz/build */
char *tmp_dir(char *buf, const char *name);
