/* format.h — how chipfit writes numbers for people: counts with SI suffixes,
 * bytes with binary units, so the CLI and the TUI read the same. */
#ifndef CF_APP_FORMAT_H
#define CF_APP_FORMAT_H

#include <stddef.h>
#include <stdint.h>

/* 1234 -> "1.23k", 1820000000 -> "1.82G"; below 1000 the plain integer. */
char *cf_fmt_count(int64_t v, char *buf, size_t size);
/* 1536 -> "1.5 KiB"; below 1024 "N B". */
char *cf_fmt_bytes(int64_t v, char *buf, size_t size);
/* 225034 -> "225,034" */
char *cf_fmt_grouped(int64_t v, char *buf, size_t size);
/* Shortens s to at most width columns by eliding its middle with "~". */
char *cf_fmt_elide(const char *s, int width, char *buf, size_t size);
/* Shortens a message to at most width columns: its longest path (a word
 * with a "/") loses its directories first, keeping its file name; if that
 * is not enough the message loses its end. Both cuts are marked with "~". */
char *cf_fmt_fit(const char *s, int width, char *buf, size_t size);

#endif
