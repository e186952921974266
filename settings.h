/* See LICENSE file for copyright and license details. */
/*
 * Per-service settings: lines "# sysmgr: key=value ..." among the first
 * lines of a service's script (sysmgr-service(5)), read at every start.
 */
enum { KILL_TREE, KILL_GROUP, KILL_PROCESS };
enum { RESTART_ALWAYS, RESTART_ON_FAILURE, RESTART_NEVER };
enum { READY_NONE, READY_NOTIFY, READY_FD };
enum { LOG_FILE, LOG_CONSOLE, LOG_OFF };

#define SETTING_BAD 128        /* bytes of the first bad setting */

struct settings {
	int stop_signal;
	unsigned long stop_timeout;   /* s */
	int kill;
	int restart;
	unsigned long give_up;        /* short runs in a row, 0: never */
	int reload_signal;
	int ready;
	int ready_fd;                 /* ready=fd:N */
	unsigned long ready_timeout;  /* s */
	unsigned long watchdog;       /* s, 0: none */
	int log;
	unsigned long log_size;       /* bytes */
	unsigned long log_keep;       /* old files */
	int depends;                  /* lines of it that call sysmgr-depends */
	int nbad;                     /* bad settings seen */
	char bad[SETTING_BAD];        /* the first: "line N: key=value" */
};

void settings_default(struct settings *s);
/*
 * The settings of text (a script's first bytes); each bad setting keeps
 * its default and is passed to report(ctx, line, "key=value", why).
 */
void settings_parse(const char *text, struct settings *s,
                    void (*report)(void *ctx, int line, const char *kv,
                                   const char *why), void *ctx);
/* read the head of script (a regular file, never waited for): -1 on error */
int settings_read(const char *script, struct settings *s,
                  void (*report)(void *ctx, int line, const char *kv,
                                 const char *why), void *ctx);
