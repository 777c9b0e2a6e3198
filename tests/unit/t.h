/* Tiny unit-test harness: every CHECK prints "ok" or "not ok" (TAP style);
 * tests/run-all.sh counts them.  T_DONE() returns non-zero if anything failed. */
#ifndef MITSU_T_H
#define MITSU_T_H
#include <stdio.h>
#include <string.h>

static int t_pass, t_fail;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (cond) {                                                                        \
			t_pass++;                                                                  \
			printf("ok - %s:%d %s\n", __FILE__, __LINE__, #cond);                      \
		} else {                                                                           \
			t_fail++;                                                                  \
			printf("not ok - %s:%d %s\n", __FILE__, __LINE__, #cond);                  \
		}                                                                                  \
	} while (0)

#define CHECK_STR(a, b)                                                                            \
	do {                                                                                       \
		const char *t_a_ = (a), *t_b_ = (b);                                               \
		int t_ok_ = t_a_ && t_b_ && strcmp(t_a_, t_b_) == 0;                               \
		CHECK(t_ok_ && #a);                                                                \
		if (!t_ok_)                                                                        \
			printf("#   got:      %s\n#   expected: %s\n", t_a_ ? t_a_ : "(null)",     \
			       t_b_ ? t_b_ : "(null)");                                            \
	} while (0)

#define CHECK_INT(a, b)                                                                            \
	do {                                                                                       \
		long long t_a_ = (long long)(a), t_b_ = (long long)(b);                            \
		CHECK(t_a_ == t_b_ && #a);                                                         \
		if (t_a_ != t_b_)                                                                  \
			printf("#   got: %lld expected: %lld\n", t_a_, t_b_);                          \
	} while (0)

#define T_DONE() (t_fail ? 1 : 0)

#endif
