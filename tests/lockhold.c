/* See LICENSE file for copyright and license details. */
/*
 * lockhold FILE: take a POSIX read lock on FILE, opened for reading only,
 * waiting for it as long as needed; print "locked" once it holds it, then
 * hold it until killed.  Exit 1 (with the reason) when FILE cannot be
 * opened or locked.  What any user could do to a lock file he may read.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char *argv[])
{
	struct flock fl;
	int fd;

	if (argc != 2) {
		fputs("usage: lockhold FILE\n", stderr);
		return 2;
	}
	if ((fd = open(argv[1], O_RDONLY)) < 0) {
		perror(argv[1]);
		return 1;
	}
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_RDLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_SETLKW, &fl) < 0) {
		perror("fcntl");
		close(fd);
		return 1;
	}
	puts("locked");
	fflush(stdout);
	for (;;)
		pause();
}
