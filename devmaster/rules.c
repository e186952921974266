/* See LICENSE file for copyright and license details. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util.h"
#include "node.h"
#include "rules.h"
#include "uevent.h"

#define RULE_LINE_MAX 4096
#define ID_MAX 4294967294ULL   /* (uid_t)-1 means "no change" to chown */

/* why a line is bad */
struct why {
	char s[256];
	unsigned long budget;   /* copies of atoms left to the file's regexes */
};

static int
bad(struct why *w, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vsnprintf(w->s, sizeof(w->s), f, ap);
	va_end(ap);
	return -1;
}

/* the next blank-separated word, NUL-terminated in place; NULL at the end */
static char *
word(char **s)
{
	char *t = *s + strspn(*s, " \t");

	if (!*t) {
		*s = t;
		return NULL;
	}
	*s = t + strcspn(t, " \t");
	if (**s)
		*(*s)++ = '\0';
	return t;
}

/*
 * What a regex costs regcomp(3) of glibc.  It copies what a{m,n} repeats n
 * times and what a+ repeats twice, so that nested or adjacent repetitions
 * multiply: 30 bytes such as "((a{255}){255}){255}" take gigabytes.  And a
 * repetition of what can match nothing costs it time that grows as a power
 * of their number: "(a*)+" 500 times takes 6 s, "a++++++*+++++++++" 2 s.
 * So such a repetition (a**, (a|)+, (b?){9}, ^*) is refused, and so is a
 * regex of more than RE_SIZE_MAX copies of atoms, or a file whose regexes
 * have more than RE_FILE_MAX in all.
 */
#define RE_SIZE_MAX  16384     /* about 5 MB in regcomp */
#define RE_FILE_MAX  65536
#define RE_DEPTH_MAX 32        /* nested groups */

/* a group, or the whole regex, as far as it is read */
struct re_part {
	unsigned long size;     /* copies of atoms */
	unsigned long last;     /* of them in the last piece */
	int before;             /* the pieces before the last can match nothing */
	int empty;              /* the last piece can */
	int piece;              /* there is a last piece */
	int alt;                /* an alternative before this one can */
};

static unsigned long
times(unsigned long n, unsigned long m)
{
	return m && n > (RE_SIZE_MAX + 1) / m ? RE_SIZE_MAX + 1 : n * m;
}

/* past the bracket expression at s ("[...]"), or s + 1 if it is not one */
static const char *
bracket(const char *s)
{
	const char *t = s + 1;

	t += *t == '^';
	t += *t == ']';
	for (; *t && *t != ']'; t++)
		if (*t == '[' && (t[1] == ':' || t[1] == '.' || t[1] == '=')) {
			char c = t[1];

			for (t += 2; *t && !(t[0] == c && t[1] == ']'); t++)
				;
			if (!*t++)
				return s + 1;
		}
	return *t ? t + 1 : s + 1;
}

/* "*", "+", "?", "{m}", "{m,}" or "{m,n}" at s: *end past it, *empty
 * whether it can repeat 0 times, the copies it makes; 0 if none */
static unsigned long
repetition(const char *s, const char **end, int *empty)
{
	unsigned long m = 0, n = 0;
	int comma = 0, digits = 0;

	*end = s + 1;
	*empty = *s != '+';
	if (*s != '{')
		return *s == '+' ? 2 : *s == '*' || *s == '?';
	for (s++; *s >= '0' && *s <= '9'; s++, digits++)
		m = times(m, 10) + (unsigned long)(*s - '0');
	if (*s == ',') {
		comma = 1;
		for (s++; *s >= '0' && *s <= '9'; s++, digits++)
			n = times(n, 10) + (unsigned long)(*s - '0');
	}
	if (!digits || *s != '}')
		return 0;
	*end = s + 1;
	*empty = m == 0;
	n = !comma ? m : n ? n : m + 1;
	return n ? n : 1;
}

/* a new last piece of p: size atoms, empty if it can match nothing */
static void
piece(struct re_part *p, unsigned long size, int empty)
{
	p->before = p->before && (!p->piece || p->empty);
	p->size += size;
	p->last = size;
	p->empty = empty;
	p->piece = 1;
}

/* whether p, ended, can match nothing */
static int
part_empty(const struct re_part *p)
{
	return p->alt || (p->before && (!p->piece || p->empty));
}

static const struct re_part re_start = { 0, 0, 1, 0, 0, 0 };

/* an atom at s: a character, an escaped one or a bracket; *empty if it
 * matches no character (an anchor or a back-reference) */
static const char *
atom(const char *s, int *empty)
{
	*empty = *s == '^' || *s == '$';
	if (*s == '[')
		return bracket(s);
	if (*s == '\\' && s[1]) {
		*empty = !!strchr("123456789bB<>`'", s[1]);
		return s + 2;
	}
	return s + 1;
}

/* why the regex s is refused, or NULL and *size its copies of atoms */
static const char *
re_refused(const char *s, unsigned long *size)
{
	struct re_part outer[RE_DEPTH_MAX], p = re_start, g;
	size_t depth = 0;
	const char *end;
	unsigned long k;
	int empty;

	for (; *s && p.size <= RE_SIZE_MAX; s = end) {
		if ((k = repetition(s, &end, &empty)) && p.piece) {
			if (p.empty)
				return "a repetition of what can match nothing";
			p.size = p.size - p.last + times(p.last, k);
			p.last = times(p.last, k);
			p.empty = empty;
		} else if (*s == '(') {
			if (depth == RE_DEPTH_MAX)
				return "groups nested too deep";
			outer[depth++] = p;
			p = re_start;
			end = s + 1;
		} else if (*s == ')') {
			/* glibc takes it for a character, but not in ^(re)$ */
			if (!depth)
				return "unmatched )";
			g = p;
			p = outer[--depth];
			piece(&p, g.size ? g.size : 1, part_empty(&g));
			end = s + 1;
		} else if (*s == '|') {
			p.alt = part_empty(&p);
			p.before = 1;
			p.piece = 0;
			end = s + 1;
		} else {
			end = atom(s, &empty);
			piece(&p, 1, empty);
		}
	}
	*size = p.size;
	return p.size > RE_SIZE_MAX ? "too many repetitions" : NULL;
}

/* re anchored at both ends as "^(re)$": its %0 is group 1 */
static int
compile(regex_t *re, const char *src, int flags, struct why *w)
{
	char buf[RULE_LINE_MAX + 8];
	unsigned long size;
	const char *why;
	regex_t probe;
	int e;

	if ((why = re_refused(src, &size)))
		return bad(w, "regex '%s': %s", src, why);
	if (size > w->budget)
		return bad(w, "regex '%s': more than %d repetitions in the file",
		           src, RE_FILE_MAX);
	w->budget -= size;
	/* alone, for the errors it would not have in "^(re)$" */
	if ((e = regcomp(&probe, src, REG_EXTENDED | REG_NOSUB))) {
		regerror(e, &probe, buf, sizeof(buf));
		return bad(w, "bad regex '%s': %s", src, buf);
	}
	regfree(&probe);
	if (fmt(buf, sizeof(buf), "^(%s)$", src) < 0)
		return bad(w, "regex too long");
	if ((e = regcomp(re, buf, REG_EXTENDED | flags))) {
		regerror(e, re, buf, sizeof(buf));
		return bad(w, "bad regex '%s': %s", src, buf);
	}
	return 0;
}

/* "[$]VAR=regex": *var and *re point into s */
static int
split_var(char *s, const char **var, char **re, struct why *w)
{
	char *eq;

	if (*s == '$')
		s++;
	eq = s + strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                   "0123456789_");
	if (eq == s || *eq != '=') {
		/* -1 in plain sight: the analyzers do not follow bad()'s varargs,
		 * and would have compile() take *re unset */
		bad(w, "'%s' is not VAR=regex", s);
		return -1;
	}
	*eq = '\0';
	*var = s;
	*re = eq + 1;
	return 0;
}

static int
parse_cond(struct rule *r, char *s, struct why *w)
{
	struct cond *c = &r->cond[r->ncond];
	char *re;

	if (r->ncond == RULE_CONDS)
		return bad(w, "more than %d conditions", RULE_CONDS);
	if (split_var(s, &c->var, &re, w) < 0 ||
	    compile(&c->re, re, REG_NOSUB, w) < 0)
		return -1;
	r->ncond++;
	return 0;
}

static int
parse_num(const char *s, const char *end, unsigned max, unsigned *out)
{
	char buf[16];
	unsigned long long v;

	if (end - s < 1 || (size_t)(end - s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, (size_t)(end - s));
	buf[end - s] = '\0';
	if (parse_ull(buf, max, &v) < 0)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* "@major,minor[-minor2]" */
static int
parse_dev(struct rule *r, const char *s, struct why *w)
{
	const char *comma = strchr(s, ','), *dash;

	if (!comma || parse_num(s + 1, comma, DEV_MAJOR_MAX, &r->major) < 0)
		return bad(w, "'%s' is not @major,minor[-minor2]", s);
	dash = strchr(comma, '-');
	if (parse_num(comma + 1, dash ? dash : comma + strlen(comma),
	              DEV_MINOR_MAX, &r->minor) < 0 ||
	    (dash && parse_num(dash + 1, dash + strlen(dash), DEV_MINOR_MAX,
	                       &r->minor2) < 0))
		return bad(w, "'%s' is not @major,minor[-minor2]", s);
	if (!dash)
		r->minor2 = r->minor;
	if (r->minor2 < r->minor)
		return bad(w, "'%s': an empty range of minors", s);
	return 0;
}

/* "[$VAR=regex;]... <regex | @major,minor[-minor2] | $VAR=regex>" */
static int
parse_match(struct rule *r, char *s, struct why *w)
{
	char *semi, *re;

	for (; (semi = strchr(s, ';')); s = semi + 1) {
		*semi = '\0';
		if (parse_cond(r, s, w) < 0)
			return -1;
	}
	if (*s == '@')
		return parse_dev(r, s, w);
	if (*s == '$') {
		if (split_var(s, &r->var, &re, w) < 0 ||
		    compile(&r->re, re, 0, w) < 0)
			return -1;
		r->match = MATCH_VAR;
		return 0;
	}
	if (!*s)
		return bad(w, "no device regex");
	if (compile(&r->re, s, 0, w) < 0)
		return -1;
	r->match = MATCH_NAME;
	r->slash = strchr(s, '/') != NULL;
	return 0;
}

static int
parse_id(const char *s, int group, unsigned long *out)
{
	unsigned long long v;
	struct passwd *pw;
	struct group *gr;

	if (parse_ull(s, ID_MAX, &v) == 0) {
		*out = (unsigned long)v;
		return 0;
	}
	if (group && (gr = getgrnam(s))) {
		*out = (unsigned long)gr->gr_gid;
		return 0;
	}
	if (!group && (pw = getpwnam(s))) {
		*out = (unsigned long)pw->pw_uid;
		return 0;
	}
	return -1;
}

static int
parse_owner(struct rule *r, char *s, struct why *w)
{
	char *colon;
	unsigned long id;

	if (!s || !(colon = strchr(s, ':')))
		return bad(w, "no user:group");
	*colon = '\0';
	if (parse_id(s, 0, &id) < 0)
		return bad(w, "unknown user '%s'", s);
	r->uid = (uid_t)id;
	if (parse_id(colon + 1, 1, &id) < 0)
		return bad(w, "unknown group '%s'", colon + 1);
	r->gid = (gid_t)id;
	return 0;
}

/* "[=path | >path | !]" */
static int
parse_node(struct rule *r, char **s, struct why *w)
{
	char buf[PATH_MAX];
	const char *why;
	char *t;

	*s += strspn(*s, " \t");
	if (**s != '=' && **s != '>' && !(**s == '!' && strchr(" \t", (*s)[1])))
		return 0;
	t = word(s);
	if (*t == '!') {
		r->node = NODE_NONE;
		return 0;
	}
	r->node = *t == '=' ? NODE_RENAME : NODE_MOVE;
	r->path = t + 1;
	if ((why = node_path(buf, sizeof(buf), r->path)))
		return bad(w, "path '%s': %s", r->path, why);
	return 0;
}

/* "[@|$|*command]": the rest of the line */
static int
parse_cmd(struct rule *r, char *s, struct why *w)
{
	s += strspn(s, " \t");
	if (!*s)
		return 0;
	if (!strchr("@$*", *s))
		return bad(w, "unexpected '%s'", s);
	r->when = *s++;
	r->cmd = s + strspn(s, " \t");
	if (!*r->cmd)
		return bad(w, "empty command");
	return 0;
}

static int
parse_line(struct rule *r, const char *line, struct why *w)
{
	char *s, *t;

	if (!(r->text = strdup(line)))
		return bad(w, "%s", strerror(errno));
	s = r->text + strspn(r->text, " \t");
	if (*s == '-') {
		r->cont = 1;
		s++;
	}
	if (!(t = word(&s)))
		return bad(w, "no device regex");
	if (parse_match(r, t, w) < 0 || parse_owner(r, word(&s), w) < 0)
		return -1;
	if (!(t = word(&s)))
		return bad(w, "no mode");
	if ((r->mode = parse_mode(t)) < 0)
		return bad(w, "bad mode '%s'", t);
	if (parse_node(r, &s, w) < 0)
		return -1;
	return parse_cmd(r, s, w);
}

static void
rule_free(struct rule *r)
{
	size_t i;

	for (i = 0; i < r->ncond; i++)
		regfree(&r->cond[i].re);
	if (r->match != MATCH_DEV)
		regfree(&r->re);
	free(r->text);
}

void
rules_free(struct rules *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		rule_free(&rs->v[i]);
	free(rs->v);
	rs->v = NULL;
	rs->n = 0;
}

int
rules_run_on_add(const struct rules *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (rs->v[i].when == '@' || rs->v[i].when == '*')
			return 1;
	return 0;
}

/* a blank line or a comment */
static int
empty(const char *s)
{
	s += strspn(s, " \t");
	return !*s || *s == '#';
}

static int
add_line(struct rules *rs, size_t *cap, const char *line, unsigned no,
         struct why *w)
{
	struct rule *v, *r;

	if (rs->n == *cap) {
		if (!(v = realloc(rs->v, (*cap * 2 + 16) * sizeof(*v))))
			return bad(w, "%s", strerror(errno));
		rs->v = v;
		*cap = *cap * 2 + 16;
	}
	r = &rs->v[rs->n];
	memset(r, 0, sizeof(*r));
	r->match = MATCH_DEV;   /* no regex to free yet */
	r->line = no;
	if (parse_line(r, line, w) < 0) {
		rule_free(r);
		return -1;
	}
	rs->n++;
	return 0;
}

/* strip the newline fgets kept; 1 if the line did not fit (then skipped);
 * *bytes counts what was read */
static int
too_long(char *buf, FILE *f, unsigned long *bytes)
{
	size_t n = strlen(buf);
	int c;

	*bytes += n;
	if (n && buf[n - 1] == '\n') {
		buf[n - 1] = '\0';
		return 0;
	}
	if (n < RULE_LINE_MAX - 1)
		return 0;   /* the last line, without a newline */
	while (*bytes <= RULES_FILE_MAX && (c = getc(f)) != EOF && c != '\n')
		++*bytes;
	return 1;
}

/* path, if it is a regular file of at most RULES_FILE_MAX bytes: a FIFO
 * or a device would block or never end */
static FILE *
open_rules(const char *path)
{
	struct stat st;
	FILE *f;
	int fd, e;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)) < 0)
		return NULL;
	if (fstat(fd, &st) < 0)
		e = errno;
	else if (!S_ISREG(st.st_mode))
		e = EINVAL;
	else if (st.st_size > RULES_FILE_MAX)
		e = EFBIG;
	else if ((f = fdopen(fd, "r")))
		return f;
	else
		e = errno;
	close(fd);
	errno = e;
	return NULL;
}

#define STR(x)  STR_(x)
#define STR_(x) #x

const char *
rules_why(int e)
{
	if (e == EINVAL)
		return "not a regular file";
	return e == EFBIG ? "larger than " STR(RULES_FILE_MAX) " bytes" :
	       strerror(e);
}

long
rules_load(struct rules *rs, const char *path)
{
	struct rules nrs = { NULL, 0 };
	char line[RULE_LINE_MAX], who[PATH_MAX + 16];
	unsigned long bytes = 0;
	struct why w;
	size_t cap = 0;
	unsigned no = 0;
	long nbad = 0;
	FILE *f;
	int e;

	if (!(f = open_rules(path)))
		return -1;
	w.budget = RE_FILE_MAX;
	while (bytes <= RULES_FILE_MAX && fgets(line, sizeof(line), f)) {
		no++;
		if (too_long(line, f, &bytes))
			bad(&w, "line longer than %d bytes", RULE_LINE_MAX - 2);
		else if (empty(line) || add_line(&nrs, &cap, line, no, &w) == 0)
			continue;
		fmt(who, sizeof(who), "%s:%u", path, no);
		say(who, "%s", w.s);
		nbad++;
	}
	e = ferror(f) ? errno : bytes > RULES_FILE_MAX ? EFBIG : 0;
	fclose(f);
	if (e) {
		rules_free(&nrs);
		errno = e;
		return -1;
	}
	rules_free(rs);
	*rs = nrs;
	return nbad;
}

int
rule_match(const struct rule *r, const struct uevent *ev, const char *name,
           struct match *m)
{
	regmatch_t g[RULE_GROUPS + 1];
	const char *v, *s;
	size_t i;

	for (i = 0; i < r->ncond; i++)
		if (!(v = uevent_get(ev, r->cond[i].var)) ||
		    regexec(&r->cond[i].re, v, 0, NULL, 0))
			return 0;
	if (r->match == MATCH_DEV) {
		if (!ev->has_dev || ev->major != r->major ||
		    ev->minor < r->minor || ev->minor > r->minor2)
			return 0;
		m->subj = name;
		m->g[0].rm_so = 0;
		m->g[0].rm_eo = (regoff_t)strlen(name);
		for (i = 1; i < RULE_GROUPS; i++)
			m->g[i].rm_so = m->g[i].rm_eo = -1;
		return 1;
	}
	if (r->match == MATCH_VAR)
		v = uevent_get(ev, r->var);
	else
		v = r->slash || !(s = strrchr(name, '/')) ? name : s + 1;
	if (!v || regexec(&r->re, v, LEN(g), g, 0))
		return 0;
	m->subj = v;
	memcpy(m->g, g + 1, sizeof(m->g));
	return 1;
}

int
rule_expand(char *out, size_t size, const char *t, const struct match *m,
            int as_var)
{
	char var[16];
	const char *src;
	size_t n = 0, len;
	int k;

	for (; *t; t++) {
		src = t;
		len = 1;
		if (t[0] == '%' && t[1] >= '0' && t[1] <= '9') {
			k = *++t - '0';
			if (as_var) {
				snprintf(var, sizeof(var), "${MATCH_%d}", k);
				src = var;
				len = strlen(var);
			} else if (m->g[k].rm_so >= 0) {
				src = m->subj + m->g[k].rm_so;
				len = (size_t)(m->g[k].rm_eo - m->g[k].rm_so);
			} else
				len = 0;
		}
		if (n + len >= size)
			return -1;
		memcpy(out + n, src, len);
		n += len;
	}
	out[n] = '\0';
	return 0;
}
