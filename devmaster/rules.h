/* See LICENSE file for copyright and license details. */
/*
 * The rules of devmaster.conf (busybox mdev.conf syntax), one a line:
 * [-][$VAR=regex;]... <regex | @major,minor[-minor2] | $VAR=regex>
 *     user:group mode [=path | >path | !] [@|$|*command]
 */
#include <sys/types.h>
#include <regex.h>

struct uevent;

#define RULE_CONDS  8     /* VAR=regex; conditions a line */
#define RULE_GROUPS 10    /* %0 .. %9 */

enum rule_match { MATCH_NAME, MATCH_DEV, MATCH_VAR };
enum rule_node { NODE_MAKE, NODE_RENAME, NODE_MOVE, NODE_NONE };

struct cond {
	const char *var;
	regex_t re;
};

struct rule {
	char *text;                /* the line; the strings below point into it */
	unsigned line;
	int cont;                  /* began with '-': matching goes on */
	struct cond cond[RULE_CONDS];
	size_t ncond;
	enum rule_match match;
	const char *var;           /* MATCH_VAR */
	int slash;                 /* MATCH_NAME: the regex has a '/' */
	regex_t re;                /* MATCH_NAME, MATCH_VAR */
	unsigned major, minor, minor2;   /* MATCH_DEV */
	uid_t uid;
	gid_t gid;
	int mode;
	enum rule_node node;
	const char *path;          /* NODE_RENAME, NODE_MOVE */
	char when;                 /* '@', '$', '*' or 0 without a command */
	const char *cmd;
};

struct rules {
	struct rule *v;
	size_t n;
};

/* what a rule matched: the subject and the spans of %0 .. %9 (-1 unused) */
struct match {
	const char *subj;
	regmatch_t g[RULE_GROUPS];
};

#define RULES_FILE_MAX 1048576   /* bytes of a rules file (1 MiB) */

/*
 * Read the rules of path into *rs (emptied first).  Each bad line is
 * reported as "path:line: what" and skipped.  Returns the number of bad
 * lines, or -1 (errno set) when the file cannot be read: EINVAL when it is
 * not a regular file, EFBIG when it has more than RULES_FILE_MAX bytes.
 */
long rules_load(struct rules *rs, const char *path);
/* what errno e means after rules_load() */
const char *rules_why(int e);
void rules_free(struct rules *rs);
/* 1 when a rule has a command that runs on add ('@' or '*') */
int rules_run_on_add(const struct rules *rs);
/* 1 when r matches the event whose device name is name, and *m filled */
int rule_match(const struct rule *r, const struct uevent *ev, const char *name,
               struct match *m);
/*
 * tmpl with %0 .. %9 replaced by the text of the groups of m, or, with
 * as_var, by ${MATCH_0} .. ${MATCH_9}.  -1 when out is too small.
 */
int rule_expand(char *out, size_t size, const char *tmpl, const struct match *m,
                int as_var);
