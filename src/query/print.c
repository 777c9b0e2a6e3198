/* Printing result rows: aligned table, TSV, CSV (RFC 4180) or JSON lines.
 * Stored values hold attacker bytes, so text formats escape everything that
 * is not printable ASCII, and JSON escapes controls (C1 too: some terminals
 * obey them). */
#include "query/query.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

int query_escape_text(struct buf *b, const unsigned char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	int ret = 0;

	for (size_t i = 0; i < n && !ret; i++) {
		unsigned char c = s[i];
		char e[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};

		if (c == '\\')
			ret = buf_append(b, "\\\\", 2);
		else if (c >= 0x20 && c < 0x7f)
			ret = buf_putc(b, c);
		else
			ret = buf_append(b, e, 4);
	}
	return ret;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	unsigned cp;

	if (s[0] < 0xc2 || s[0] > 0xf4 || len > n)
		return 0;
	cp = s[0] & (0x3f >> (len - 1));
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static int json_char(struct buf *b, const unsigned char *s, size_t n, size_t *used)
{
	unsigned char c = s[0];
	size_t len;

	*used = 1;
	if (c == '"' || c == '\\')
		return buf_printf(b, "\\%c", c);
	if (c == '\n')
		return buf_puts(b, "\\n");
	if (c == '\t')
		return buf_puts(b, "\\t");
	if (c < 0x20 || c == 0x7f)
		return buf_printf(b, "\\u%04x", c);
	if (c < 0x80)
		return buf_putc(b, c);
	len = utf8_len(s, n);
	if (!len)
		return buf_puts(b, "\\ufffd");
	*used = len;
	if (len == 2 && c == 0xc2 && s[1] < 0xa0) /* U+0080..U+009F */
		return buf_printf(b, "\\u%04x", s[1]);
	return buf_append(b, s, len);
}

int query_json_string(struct buf *b, const unsigned char *s, size_t n)
{
	int ret = buf_putc(b, '"');

	for (size_t i = 0, used = 0; i < n && !ret; i += used)
		ret = json_char(b, s + i, n - i, &used);
	return ret ? ret : buf_putc(b, '"');
}

/* Shortest %g that reads back as the same double. */
static int real_text(struct buf *b, double d)
{
	char tmp[40];

	for (int prec = 15; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	return buf_puts(b, tmp);
}

/* One value as JSON. */
static int json_value(struct buf *b, sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		return buf_puts(b, "null");
	case SQLITE_INTEGER:
		return buf_printf(b, "%lld", (long long)sqlite3_column_int64(st, i));
	case SQLITE_FLOAT:
		if (!isfinite(sqlite3_column_double(st, i)))
			return buf_puts(b, "null");
		return real_text(b, sqlite3_column_double(st, i));
	default:
		return query_json_string(b, sqlite3_column_text(st, i),
					 (size_t)sqlite3_column_bytes(st, i));
	}
}

/* One value as escaped text (NULL is empty). */
static int text_value(struct buf *b, sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		return 0;
	case SQLITE_FLOAT:
		return real_text(b, sqlite3_column_double(st, i));
	default:
		return query_escape_text(b, sqlite3_column_text(st, i),
					 (size_t)sqlite3_column_bytes(st, i));
	}
}

static int csv_field(struct buf *line, const char *s, size_t n)
{
	int ret = 0;

	if (!memchr(s, ',', n) && !memchr(s, '"', n))
		return buf_append(line, s, n);
	ret = buf_putc(line, '"');
	for (size_t i = 0; i < n && !ret; i++)
		ret = s[i] == '"' ? buf_append(line, "\"\"", 2) : buf_putc(line, s[i]);
	return ret ? ret : buf_putc(line, '"');
}

struct query_table {
	char **cells; /* escaped, row-major, header first */
	size_t n, cap, ncols;
	size_t *width;
};

static int table_add(struct query_table *t, struct buf *cell)
{
	char *s = strndup(cell->p ? (const char *)cell->p : "", cell->len);

	if (!s)
		return -ENOMEM;
	if (t->n == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 64;
		char **nc = realloc(t->cells, ncap * sizeof(*nc));

		if (!nc) {
			free(s);
			return -ENOMEM;
		}
		t->cells = nc;
		t->cap = ncap;
	}
	t->cells[t->n++] = s;
	return 0;
}

/* The line under the header. */
static void table_rule(const struct query_table *t, FILE *f)
{
	for (size_t c = 0; c < t->ncols; c++) {
		for (size_t k = 0; k < t->width[c]; k++)
			fputc('-', f);
		fputs(c + 1 < t->ncols ? "  " : "\n", f);
	}
}

/* Cells are escaped ASCII, so bytes are columns; longer ones end in "…". */
static void table_print(const struct query_table *t, FILE *f)
{
	for (size_t i = 0; i < t->n; i++) {
		size_t c = i % t->ncols, len = strlen(t->cells[i]);
		int cut = len > QUERY_TABLE_WIDTH;
		size_t shown = cut ? QUERY_TABLE_WIDTH - 1 : len;
		int last = c + 1 == t->ncols;

		fprintf(f, "%.*s%s", (int)shown, t->cells[i], cut ? "\xe2\x80\xa6" : "");
		if (!last)
			fprintf(f, "%*s", (int)(t->width[c] - (cut ? QUERY_TABLE_WIDTH : len) + 2),
				"");
		else
			fputc('\n', f);
		if (last && i + 1 == t->ncols)
			table_rule(t, f);
	}
}

static void table_free(struct query_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->width);
}

/* Buffers all rows (the widths need them), then prints. */
static int print_table(struct query_table *t, FILE *f)
{
	t->width = calloc(t->ncols ? t->ncols : 1, sizeof(size_t));
	if (!t->width)
		return -ENOMEM;
	for (size_t i = 0; i < t->n; i++) {
		size_t len = strlen(t->cells[i]), c = i % t->ncols;

		if (len > QUERY_TABLE_WIDTH)
			len = QUERY_TABLE_WIDTH;
		if (len > t->width[c])
			t->width[c] = len;
	}
	table_print(t, f);
	return 0;
}

/* Formats one row (or the header when st is NULL) into line. */
static int format_row(struct buf *line, sqlite3_stmt *st, const char *const *names,
		      sqlite3_stmt *hdr, enum query_format fmt, struct query_table *t)
{
	int ncols = sqlite3_column_count(hdr), ret = 0;
	struct buf cell = {0};

	if (fmt == QUERY_FMT_JSON && st)
		ret = buf_putc(line, '{');
	for (int i = 0; i < ncols && !ret; i++) {
		const char *name = names ? names[i] : sqlite3_column_name(hdr, i);

		buf_reset(&cell);
		if (fmt == QUERY_FMT_JSON) {
			ret = buf_puts(line, i ? "," : "");
			ret = ret ? ret
				  : query_json_string(line, (const unsigned char *)name,
						      strlen(name));
			ret = ret ? ret : buf_putc(line, ':');
			ret = ret ? ret : json_value(line, st, i);
			continue;
		}
		ret = st ? text_value(&cell, st, i)
			 : query_escape_text(&cell, (const unsigned char *)name, strlen(name));
		if (!ret && fmt == QUERY_FMT_TABLE)
			ret = table_add(t, &cell);
		else if (!ret && fmt == QUERY_FMT_CSV)
			ret = buf_puts(line, i ? "," : "") ||
			      csv_field(line, cell.p ? (char *)cell.p : "", cell.len);
		else if (!ret)
			ret = buf_puts(line, i ? "\t" : "") || buf_append(line, cell.p, cell.len);
	}
	if (!ret && fmt == QUERY_FMT_JSON && st)
		ret = buf_puts(line, "}\n");
	else if (!ret && fmt != QUERY_FMT_JSON && fmt != QUERY_FMT_TABLE)
		ret = buf_puts(line, fmt == QUERY_FMT_CSV ? "\r\n" : "\n");
	buf_free(&cell);
	return ret ? -ENOMEM : 0;
}

int query_print(sqlite3_stmt *st, const char *const *names, enum query_format fmt, FILE *f,
		char *err, size_t errlen)
{
	struct query_table t = {.ncols = (size_t)sqlite3_column_count(st)};
	struct buf line = {0};
	int rc = SQLITE_DONE, ret = 0;

	if (fmt != QUERY_FMT_JSON && t.ncols) /* no header for a statement without rows */
		ret = format_row(&line, NULL, names, st, fmt, &t);
	fwrite(line.p ? line.p : (uint8_t *)"", 1, line.len, f);
	while (!ret && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		buf_reset(&line);
		ret = format_row(&line, st, names, st, fmt, &t);
		fwrite(line.p ? line.p : (uint8_t *)"", 1, line.len, f);
	}
	if (!ret && rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(sqlite3_db_handle(st)));
		ret = -EIO;
	}
	if (!ret && fmt == QUERY_FMT_TABLE && t.ncols)
		ret = print_table(&t, f);
	table_free(&t);
	buf_free(&line);
	return ret;
}
