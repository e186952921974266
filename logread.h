/* See LICENSE file for copyright and license details. */
/*
 * svctl log: the last want lines of the logs LOGDIR/NAME of names (by time
 * stamp, each prefixed with its name when there are several), then with
 * follow what they get, across rotations, until killed.  0, or EXIT_FAIL
 * when a log could not be read.
 */
int log_show(const char *logdir, char **names, int n, unsigned long want,
             int follow);
