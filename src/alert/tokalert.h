/* Where token alerts go when no alert hub is configured: the alerts table
 * of the record database (alert_db_insert, which deduplicates), written on
 * a thread of its own with its own connection.  The analyzer's sink holds a
 * write transaction across a batch; an insert from the analyzing thread
 * would wait for a commit that thread itself must make. */
#ifndef MITSU_TOKALERT_H
#define MITSU_TOKALERT_H
#include <stddef.h>

#include "alert/alert.h"

struct tokalert;

/* Opens db_path and starts the thread.  0 or -errno (err set). */
int tokalert_open(struct tokalert **out, const char *db_path, char *err, size_t errlen);
/* An alert_fn: copies the alert (and its detail) onto the queue. */
void tokalert_raise(void *tokalert, const struct alert *a);
/* Waits until everything queued so far is stored (or failed). */
void tokalert_flush(struct tokalert *q);
/* Drains the queue, stops the thread, closes the database. */
void tokalert_close(struct tokalert *q);
/* Stored and failed counts so far. */
void tokalert_stats(struct tokalert *q, unsigned long long *stored, unsigned long long *failed);

#endif
