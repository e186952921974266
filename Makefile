.POSIX:

include config.mk

BIN = sysmgr runsyssv svctl sysmgr-depends sysmgr-notify
LIBOBJ = util.o os.o rundir.o table.o settings.o log.o
OBJ = $(BIN:=.o) $(LIBOBJ) logread.o
MAN5 = man/sysmgr-service.5
MAN8 = man/sysmgr.8 man/runsyssv.8 man/svctl.8 man/sysmgr-depends.8 \
	man/sysmgr-notify.8

all: $(BIN)

$(OBJ): config.h config.mk util.h
os.o rundir.o table.o: os.h
rundir.o table.o sysmgr.o runsyssv.o svctl.o sysmgr-depends.o: rundir.h os.h
settings.o runsyssv.o: settings.h
log.o logread.o runsyssv.o sysmgr.o: log.h
logread.o svctl.o: logread.h

sysmgr: sysmgr.o $(LIBOBJ)
	$(CC) $(LDFLAGS) -o $@ sysmgr.o $(LIBOBJ) $(LDLIBS)
runsyssv: runsyssv.o $(LIBOBJ)
	$(CC) $(LDFLAGS) $(STATIC) -o $@ runsyssv.o $(LIBOBJ) $(LDLIBS)
svctl: svctl.o logread.o $(LIBOBJ)
	$(CC) $(LDFLAGS) $(STATIC) -o $@ svctl.o logread.o $(LIBOBJ) $(LDLIBS)
sysmgr-depends: sysmgr-depends.o $(LIBOBJ)
	$(CC) $(LDFLAGS) -o $@ sysmgr-depends.o $(LIBOBJ) $(LDLIBS)
sysmgr-notify: sysmgr-notify.o $(LIBOBJ)
	$(CC) $(LDFLAGS) -o $@ sysmgr-notify.o $(LIBOBJ) $(LDLIBS)

.c.o:
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $<

# helpers of the suites
TEST_BIN = tests/lockhold tests/notify-send
test-helpers: $(TEST_BIN)
tests/lockhold: tests/lockhold.c
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ tests/lockhold.c $(LDLIBS)
tests/notify-send: tests/notify-send.c
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ tests/notify-send.c $(LDLIBS)

# make check: the shunit2 suites (tests/run) a newcomer runs, a few
# minutes on 2 cores, then the man pages when mandoc is here.  SLOW=1 adds
# the slow suites and tests: 10,000 services, the boots in qemu, the real
# daemons, 10,000 restarts, chaos for 45 s.
check: all devmaster-tests test-helpers
	@if [ -n "$(SANITIZE)" ]; then $(MAKE) check-sanitize; fi
	@if [ -z "$(SANITIZE)" ]; then SLOW="$(SLOW)" tests/run; fi
	@if command -v mandoc >/dev/null 2>&1; then \
		tests/manlint && echo "man: mandoc -Tlint clean"; \
	else \
		echo "man: mandoc not installed, pages not checked"; \
	fi

# what CI runs: every suite, slow ones too; the suites again under the
# sanitizers; the fuzzers; the static analyzers
check-all:
	$(MAKE) check SLOW=1
	$(MAKE) check SANITIZE=1
	$(MAKE) fuzz FUZZ_TIME=60
	$(MAKE) lint

# sysmgr in the foreground on examples/services, in a temporary directory
demo: all
	sh examples/demo

install: all
	mkdir -p $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANPREFIX)/man5 \
	    $(DESTDIR)$(MANPREFIX)/man8
	cp -f $(BIN) $(DESTDIR)$(PREFIX)/bin/
	cd $(DESTDIR)$(PREFIX)/bin && chmod 755 $(BIN)
	cp -f $(MAN5) $(DESTDIR)$(MANPREFIX)/man5/
	cd $(DESTDIR)$(MANPREFIX)/man5 && chmod 644 sysmgr-service.5
	cp -f $(MAN8) $(DESTDIR)$(MANPREFIX)/man8/
	cd $(DESTDIR)$(MANPREFIX)/man8 && chmod 644 sysmgr.8 runsyssv.8 svctl.8 \
	    sysmgr-depends.8 sysmgr-notify.8

uninstall:
	cd $(DESTDIR)$(PREFIX)/bin && rm -f $(BIN)
	cd $(DESTDIR)$(MANPREFIX)/man5 && rm -f sysmgr-service.5
	cd $(DESTDIR)$(MANPREFIX)/man8 && rm -f sysmgr.8 runsyssv.8 svctl.8 \
	    sysmgr-depends.8 sysmgr-notify.8

# init -- begin
INITOBJ = init/init.o init/sys.o

all: init/init

init/init: $(INITOBJ) util.o os.o
	$(CC) $(LDFLAGS) -o $@ $(INITOBJ) util.o os.o $(LDLIBS)
init/init.o: init/init.c init/sys.h config.h config.mk util.h os.h
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ init/init.c
init/sys.o: init/sys.c init/sys.h config.h config.mk util.h
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ init/sys.c

# test helper of tests/init.test: init with a boot timeout of 2 s, and 2 s
# for sysmgr to stop the services (unless it says it needs more)
INIT_TESTS = tests/init-short
check: init-tests
init-tests: $(INIT_TESTS)
tests/init-short: init/init.c init/sys.h config.h config.mk util.h os.h \
    init/sys.o util.o os.o
	$(CC) $(CPPFLAGS) $(CFLAGS) -DINIT_RC_BOOT_WAIT=2 -DINIT_SYSMGR_WAIT=2 \
	    $(LDFLAGS) -o $@ \
	    init/init.c init/sys.o util.o os.o $(LDLIBS)

clean: clean-init
clean-init:
	rm -f init/init $(INITOBJ) $(INIT_TESTS)

# installed as sysmgr-init: never in place of the system's init
install: install-init
install-init: init/init
	mkdir -p $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(MANPREFIX)/man8
	cp -f init/init $(DESTDIR)$(PREFIX)/sbin/sysmgr-init
	chmod 755 $(DESTDIR)$(PREFIX)/sbin/sysmgr-init
	cp -f man/init.8 $(DESTDIR)$(MANPREFIX)/man8/sysmgr-init.8
	chmod 644 $(DESTDIR)$(MANPREFIX)/man8/sysmgr-init.8
uninstall: uninstall-init
uninstall-init:
	rm -f $(DESTDIR)$(PREFIX)/sbin/sysmgr-init \
	    $(DESTDIR)$(MANPREFIX)/man8/sysmgr-init.8

.PHONY: init-tests clean-init install-init uninstall-init
# init -- end

# devmaster -- begin
DM_OBJ = devmaster/devmaster.o devmaster/handle.o devmaster/command.o \
	devmaster/rules.o devmaster/node.o devmaster/uevent.o \
	devmaster/netlink.o devmaster/coldplug.o devmaster/replay.o
DM_HDR = devmaster/command.h devmaster/handle.h devmaster/node.h \
	devmaster/replay.h devmaster/rules.h devmaster/uevent.h
DM_TESTS = tests/devmaster-send

all: devmaster/devmaster

devmaster/devmaster: $(DM_OBJ) util.o os.o
	$(CC) $(LDFLAGS) -o $@ $(DM_OBJ) util.o os.o $(LDLIBS)

$(DM_OBJ): config.h config.mk util.h $(DM_HDR)
devmaster/devmaster.o: devmaster/devmaster.c devmaster/coldplug.h devmaster/netlink.h
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ devmaster/devmaster.c
devmaster/handle.o: devmaster/handle.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ devmaster/handle.c
devmaster/command.o: devmaster/command.c os.h
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ devmaster/command.c
devmaster/rules.o: devmaster/rules.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ devmaster/rules.c
devmaster/node.o: devmaster/node.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ devmaster/node.c
devmaster/uevent.o: devmaster/uevent.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ devmaster/uevent.c
devmaster/netlink.o: devmaster/netlink.c devmaster/netlink.h
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ devmaster/netlink.c
devmaster/coldplug.o: devmaster/coldplug.c devmaster/coldplug.h
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ devmaster/coldplug.c
devmaster/replay.o: devmaster/replay.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ devmaster/replay.c

# test helpers of tests/devmaster*.test
devmaster-tests: $(DM_TESTS)
tests/devmaster-send: tests/devmaster-send.c
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ tests/devmaster-send.c $(LDLIBS)

clean: clean-devmaster
clean-devmaster:
	rm -f devmaster/devmaster $(DM_OBJ) $(DM_TESTS)

# the rules are the admin's: examples/devmaster.conf is a start for them
install: install-devmaster
install-devmaster: devmaster/devmaster
	mkdir -p $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(MANPREFIX)/man8 \
	    $(DESTDIR)$(MANPREFIX)/man5
	cp -f devmaster/devmaster $(DESTDIR)$(PREFIX)/sbin/devmaster
	chmod 755 $(DESTDIR)$(PREFIX)/sbin/devmaster
	cp -f man/devmaster.8 $(DESTDIR)$(MANPREFIX)/man8/devmaster.8
	cp -f man/devmaster.conf.5 $(DESTDIR)$(MANPREFIX)/man5/devmaster.conf.5
	chmod 644 $(DESTDIR)$(MANPREFIX)/man8/devmaster.8 \
	    $(DESTDIR)$(MANPREFIX)/man5/devmaster.conf.5
uninstall: uninstall-devmaster
uninstall-devmaster:
	rm -f $(DESTDIR)$(PREFIX)/sbin/devmaster \
	    $(DESTDIR)$(MANPREFIX)/man8/devmaster.8 \
	    $(DESTDIR)$(MANPREFIX)/man5/devmaster.conf.5

.PHONY: devmaster-tests clean-devmaster install-devmaster uninstall-devmaster
# devmaster -- end

# image -- begin
# a bootable initramfs (image/mkimage) and an ext4 disk for it, booted on
# this terminal by `make qemu` (Ctrl-A X ends qemu)
IMAGE = image/build/initramfs.cpio.gz
DISK = image/build/disk.img

image: $(DISK)
	image/mkimage $(IMAGE)

$(DISK):
	mkdir -p image/build
	mke2fs -q -t ext4 -L srv -d image/disk $(DISK) 16M

qemu: image
	image/qemu -d $(DISK) $(IMAGE)

clean: clean-image
clean-image:
	rm -rf image/build

.PHONY: image qemu clean-image
# image -- end

# debian -- begin
# a Debian bookworm system with our programs and sysmgr-init, built from
# Debian's packages by mmdebstrap (image/debian/mkimage; root, or a user
# namespace), booted on this terminal by `make qemu-debian` (Ctrl-A X ends
# qemu), or with systemd by `make qemu-debian-systemd`; its sshd answers
# on 127.0.0.1:$(DEBIAN_PORT):
#     ssh -p 10022 -i image/build/debian-ssh-key root@127.0.0.1
DEBIAN_PORT = 10022

debian-image:
	image/debian/mkimage

qemu-debian: debian-image
	image/debian/qemu -p $(DEBIAN_PORT)

qemu-debian-systemd: debian-image
	image/debian/qemu -s -p $(DEBIAN_PORT)

clean: clean-debian
clean-debian:
	rm -rf image/build/debian image/build/debian.img \
	    image/build/debian.vmlinuz image/build/debian.initrd \
	    image/build/debian-ssh-key image/build/debian-ssh-key.pub

.PHONY: debian-image qemu-debian qemu-debian-systemd clean-debian
# debian -- end

# bench -- begin
BENCH_BIN = bench/floor bench/fleet bench/respawn bench/lines bench/gone bench/timecmd \
	bench/depwake bench/kevents bench/feed bench/procs bench/exits \
	bench/readyat bench/readylat bench/spew bench/logwait

# ours against the peers installed, see bench/README; QUICK=1: < 8 min;
# bench/run first builds nitro and dinit from ../shared/peers (bench/peers)
bench: all $(BENCH_BIN)
	QUICK="$(QUICK)" sh bench/run

bench-helpers: $(BENCH_BIN)
# each helper is bench/NAME.c with common.o ($@ is expanded in the rule)
BENCH_LD = $(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $@.c bench/common.o $(LDLIBS)
bench/common.o: bench/common.c bench/common.h config.mk
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ bench/common.c
bench/floor: bench/floor.c bench/common.o
	$(BENCH_LD)
bench/fleet: bench/fleet.c bench/common.o
	$(BENCH_LD)
bench/respawn: bench/respawn.c bench/common.o
	$(BENCH_LD)
bench/lines: bench/lines.c bench/common.o
	$(BENCH_LD)
bench/gone: bench/gone.c bench/common.o
	$(BENCH_LD)
bench/timecmd: bench/timecmd.c bench/common.o
	$(BENCH_LD)
bench/depwake: bench/depwake.c bench/common.o
	$(BENCH_LD)
bench/kevents: bench/kevents.c bench/common.o
	$(BENCH_LD)
bench/feed: bench/feed.c bench/common.o
	$(BENCH_LD)
bench/procs: bench/procs.c bench/common.o
	$(BENCH_LD)
bench/exits: bench/exits.c bench/common.o
	$(BENCH_LD)
bench/readyat: bench/readyat.c bench/common.o
	$(BENCH_LD)
bench/readylat: bench/readylat.c bench/common.o
	$(BENCH_LD)
bench/spew: bench/spew.c bench/common.o
	$(BENCH_LD)
bench/logwait: bench/logwait.c bench/common.o
	$(BENCH_LD)

clean: clean-bench
clean-bench:
	rm -f $(BENCH_BIN) bench/common.o
	rm -rf bench/build

.PHONY: bench bench-helpers clean-bench
# bench -- end

# hardening -- begin
# make check SANITIZE=1: everything rebuilt from clean with ASan, LSan and
# UBSan, then the suites; tests/run fails on any report in SAN_DIR (every
# process writes its reports there: tests/sanitize.c).  clang, for its one
# runtime that writes one report file a process (gcc's ASan and UBSan
# runtimes open the same file and overwrite each other's reports).  The
# tree keeps the sanitized programs afterwards: make clean, then make.
SAN_CC = clang
SAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -g

check-sanitize:
	$(MAKE) clean
	SAN_DIR=$$(mktemp -d /tmp/sysmgr-sanitize.XXXXXX) && \
	chmod 1777 "$$SAN_DIR" && export SAN_DIR && \
	$(SAN_CC) $(CPPFLAGS) $(CFLAGS) -DSAN_LOG=\"$$SAN_DIR\" -c \
	    -o tests/sanitize.o tests/sanitize.c && \
	$(MAKE) SANITIZE= CC="$(SAN_CC)" CFLAGS="$(CFLAGS) $(SAN_FLAGS)" \
	    LDFLAGS="$(LDFLAGS) $(SAN_FLAGS)" STATIC= \
	    LDLIBS="$(LDLIBS) tests/sanitize.o" check

# libFuzzer harnesses of tests/fuzz, each for FUZZ_TIME seconds, built in
# tests/fuzz/build (clang, libclang-rt-14-dev)
FUZZ_TIME = 10
fuzz:
	FUZZ_TIME="$(FUZZ_TIME)" CPPFLAGS="$(CPPFLAGS)" tests/fuzz/run

# cppcheck, gcc -fanalyzer and clang-tidy's clang-analyzer-* on every C
# file: no finding, or a suppression at the line that says why (tests/lint)
lint:
	CPPFLAGS="$(CPPFLAGS)" tests/lint

clean: clean-hardening
clean-hardening:
	rm -rf tests/sanitize.o tests/fuzz/build

.PHONY: check-sanitize fuzz lint clean-hardening
# hardening -- end

clean:
	rm -f $(BIN) $(OBJ) $(TEST_BIN)

.PHONY: all check check-all demo install uninstall clean test-helpers
