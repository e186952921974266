.POSIX:

include config.mk

BIN = sysmgr runsyssv svctl
LIBOBJ = util.o os.o rundir.o
OBJ = $(BIN:=.o) $(LIBOBJ)
MAN8 = man/sysmgr.8 man/runsyssv.8 man/svctl.8

all: $(BIN)

$(OBJ): config.h config.mk util.h
os.o rundir.o: os.h
rundir.o sysmgr.o runsyssv.o svctl.o: rundir.h os.h

sysmgr: sysmgr.o $(LIBOBJ)
	$(CC) $(LDFLAGS) -o $@ sysmgr.o $(LIBOBJ) $(LDLIBS)
runsyssv: runsyssv.o $(LIBOBJ)
	$(CC) $(LDFLAGS) -o $@ runsyssv.o $(LIBOBJ) $(LDLIBS)
svctl: svctl.o $(LIBOBJ)
	$(CC) $(LDFLAGS) -o $@ svctl.o $(LIBOBJ) $(LDLIBS)

.c.o:
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $<

# init -- begin
# init -- end

# devmaster -- begin
# devmaster -- end

clean:
	rm -f $(BIN) $(OBJ)

.PHONY: all clean
