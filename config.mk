# sysmgr version
VERSION = 0.1

# paths
PREFIX = /usr/local
MANPREFIX = $(PREFIX)/share/man

# toolchain
CC = cc
CPPFLAGS = -D_POSIX_C_SOURCE=200809L -DVERSION=\"$(VERSION)\"
CFLAGS = -std=c99 -Wall -Wextra -pedantic -O2
LDFLAGS =
# runsyssv, one process per service, is linked statically: no dynamic
# loader to run at each start, nor its relocated pages in memory
# (bench/findings.md); svctl too, which scripts run often (a third of a
# millisecond less at each start); empty for dynamic ones
STATIC = -static
LDLIBS =
