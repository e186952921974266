/* See LICENSE file for copyright and license details. */
#define _DEFAULT_SOURCE   /* major(), minor() (sys/sysmacros.h) */
#include <sys/stat.h>
#include <sys/sysmacros.h>

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

#define STR(x)  STR_(x)   /* a macro's value as a string */
#define STR_(x) #x

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
 * What a regex costs regcomp(3) and regexec(3) of glibc, which copies what
 * a{m,n} repeats n times and what a+ repeats twice, and matches with a DFA
 * built as the subject is read, one state (a set of copies) a character
 * at most, kept until regfree():
 * - nested or adjacent repetitions multiply: 30 bytes such as
 *   "((a{255}){255}){255}" take gigabytes; regexec takes time in
 *   proportion to the copies that can be active at once, times the length
 *   of the subject ("(.{2,255}){1,64}x": seconds on a name of 250 bytes).
 *   So a regex may have RE_SIZE_MAX copies of atoms, a file RE_FILE_MAX.
 * - copies in or after an unbounded repetition (*, +, {m,}) can stay
 *   active over the whole subject: "(.*.){64}x" takes 7 ms on 2 kB, the
 *   most the kernel sends.  So there may be RE_LOOP_MAX of them.
 * - wildcards ('.', brackets, \w ..., alternatives of a repeated group)
 *   there let the set of active copies be any subset of them: ".*a.{16}"
 *   (19 copies) makes a new DFA state at each character, up to 2^17 of
 *   them kept, and takes 20 ms to a second an event on 2 kB, more as they
 *   pile up.  So there may be RE_WIDE_MAX wildcard copies there.
 * - a repetition of what can match nothing costs regcomp time that grows
 *   as a power of their number ("(a*)+" 500 times: 6 s): refused (a**,
 *   (a|)+, (b?){9}, ^*).
 * - back-references make regexec backtrack ("(.*)(.*)(.*)\3\2\4": 17 s on
 *   200 bytes), and POSIX leaves them undefined in EREs: refused.
 * Measured with glibc 2.36; see devmaster.conf(5).
 */
#define RE_SIZE_MAX  128       /* copies of atoms in a regex */
#define RE_FILE_MAX  4096      /* in the regexes of a file */
#define RE_LOOP_MAX  64        /* copies in or after a loop */
#define RE_WIDE_MAX  8         /* wildcard copies in or after a loop */
#define RE_DEPTH_MAX 32        /* nested groups */

/* copies of atoms in a piece or a part, and how many are wildcards; of
 * each, how many are in or after an unbounded repetition */
struct re_cost {
	unsigned long size, size_after;
	unsigned long wide, wide_after;
};

/* a group, or the whole regex, as far as it is read */
struct re_part {
	struct re_cost all;
	struct re_cost last;    /* of the last piece */
	int bar;                /* it has alternatives, or a group inside it */
	int lastbar;            /* the last piece is a group with alternatives */
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

static unsigned long
plus(unsigned long n, unsigned long m)
{
	return n + m > RE_SIZE_MAX ? RE_SIZE_MAX + 1 : n + m;
}

static void
add(struct re_cost *to, const struct re_cost *c)
{
	to->size = plus(to->size, c->size);
	to->size_after = plus(to->size_after, c->size_after);
	to->wide = plus(to->wide, c->wide);
	to->wide_after = plus(to->wide_after, c->wide_after);
}

/* of k copies of a piece of n copies, in of them in or after the first
 * unbounded repetition: how many are */
static unsigned long
after(unsigned long n, unsigned long in, unsigned long k, int loop, int looped)
{
	if (loop)   /* every copy is in this one */
		return times(n, k);
	return looped ? plus(in, times(n, k - 1)) : 0;
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

/* "*", "+", "?", "{m}", "{m,}" or "{m,n}" (m may be left out, as glibc
 * does) at s: *end past it, *empty
 * whether it can repeat 0 times, *loop whether it has no upper bound, the
 * copies it makes; 0 if none */
static unsigned long
repetition(const char *s, const char **end, int *empty, int *loop)
{
	unsigned long m = 0, n = 0;
	int comma = 0, digits = 0, ndigits = 0;

	*end = s + 1;
	*empty = *s != '+';
	*loop = *s == '*' || *s == '+';
	if (*s != '{')
		return *s == '+' ? 2 : *s == '*' || *s == '?';
	for (s++; *s >= '0' && *s <= '9'; s++, digits++)
		m = times(m, 10) + (unsigned long)(*s - '0');
	if (*s == ',') {
		comma = 1;
		for (s++; *s >= '0' && *s <= '9'; s++, ndigits++)
			n = times(n, 10) + (unsigned long)(*s - '0');
	}
	if ((!digits && !comma) || *s != '}')
		return 0;   /* "{}" or worse: regcomp's error */
	*end = s + 1;
	*empty = m == 0;
	*loop = comma && !ndigits;
	n = !comma ? m : *loop ? m + 1 : n;
	return n ? n : 1;
}

/* a new last piece of p: c, empty if it can match nothing */
static void
piece(struct re_part *p, const struct re_cost *c, int empty, int bar)
{
	p->before = p->before && (!p->piece || p->empty);
	add(&p->all, c);
	p->last = *c;
	p->lastbar = bar;
	p->empty = empty;
	p->piece = 1;
}

/* the last piece of p made k copies of by a repetition (loop: without an
 * upper bound); *looped once such a repetition was read */
static void
repeat(struct re_part *p, unsigned long k, int loop, int *looped)
{
	struct re_cost c = p->last, *a = &p->all;

	if (p->lastbar && (k > 1 || loop)) {   /* (a|b){16} is [ab]{16} */
		c.wide = c.size;
		c.wide_after = c.size_after;
	}
	*looped |= loop;
	c.size_after = after(c.size, c.size_after, k, loop, *looped);
	c.wide_after = after(c.wide, c.wide_after, k, loop, *looped);
	c.size = times(c.size, k);
	c.wide = times(c.wide, k);
	a->size = plus(a->size - p->last.size, c.size);
	a->size_after = plus(a->size_after - p->last.size_after, c.size_after);
	a->wide = plus(a->wide - p->last.wide, c.wide);
	a->wide_after = plus(a->wide_after - p->last.wide_after, c.wide_after);
	p->last = c;
}

/* whether p, ended, can match nothing */
static int
part_empty(const struct re_part *p)
{
	return p->alt || (p->before && (!p->piece || p->empty));
}

static const struct re_part re_start = { { 0, 0, 0, 0 }, { 0, 0, 0, 0 },
                                         0, 0, 1, 0, 0, 0 };

/* an atom at s: a character, an escaped one or a bracket; *empty if it
 * matches no character (an anchor), *wide if it matches more than one */
static const char *
atom(const char *s, int *empty, int *wide)
{
	*empty = *s == '^' || *s == '$';
	*wide = *s == '.' || *s == '[';
	if (*s == '[')
		return bracket(s);
	if (*s == '\\' && s[1]) {
		*empty = !!strchr("bB<>`'", s[1]);
		*wide = !!strchr("wWsS", s[1]);
		return s + 2;
	}
	return s + 1;
}

/* a group ended: g becomes the last piece of p */
static void
group(struct re_part *p, const struct re_part *g)
{
	struct re_cost c = g->all;

	if (!c.size)
		c.size = 1;   /* "()" is a copy */
	piece(p, &c, part_empty(g), g->bar);
	p->bar |= g->bar;
}

/* why the regex s is refused, or NULL and *size its copies of atoms */
static const char *
re_refused(const char *s, unsigned long *size)
{
	struct re_part outer[RE_DEPTH_MAX], p = re_start, g;
	struct re_cost c;
	size_t depth = 0;
	const char *end;
	unsigned long k;
	int empty, wide, loop, looped = 0;

	for (; *s && p.all.size <= RE_SIZE_MAX; s = end) {
		if ((k = repetition(s, &end, &empty, &loop)) && p.piece) {
			if (p.empty)
				return "a repetition of what can match nothing";
			repeat(&p, k, loop, &looped);
			p.empty = empty;
		} else if (*s == '\\' && s[1] >= '1' && s[1] <= '9') {
			return "a back-reference";
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
			group(&p, &g);
			end = s + 1;
		} else if (*s == '|') {
			p.alt = part_empty(&p);
			p.bar = 1;
			p.before = 1;
			p.piece = 0;
			end = s + 1;
		} else {
			end = atom(s, &empty, &wide);
			c.size = 1;
			c.size_after = looped;
			c.wide = wide;
			c.wide_after = wide && looped;
			piece(&p, &c, empty, 0);
		}
	}
	/* groups left open are glibc's error */
	*size = p.all.size;
	if (p.all.size > RE_SIZE_MAX)
		return "more than " STR(RE_SIZE_MAX) " atoms, repetitions expanded";
	if (p.all.size_after > RE_LOOP_MAX)
		return "more than " STR(RE_LOOP_MAX) " atoms in or after *, + or {m,}";
	if (p.all.wide_after > RE_WIDE_MAX)
		return "more than " STR(RE_WIDE_MAX) " wildcards in or after *, + or {m,}";
	return NULL;
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
		return bad(w, "regex '%s': more than %d atoms in the file's regexes",
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

/* the null device of Linux, 1:3: empty, as rules */
static int
null_dev(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && major(st->st_rdev) == 1 &&
	       minor(st->st_rdev) == 3;
}

/* path, if it is a regular file of at most RULES_FILE_MAX bytes (or the
 * null device): a FIFO or another device would block or never end */
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
	else if (!S_ISREG(st.st_mode) && !null_dev(&st))
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
