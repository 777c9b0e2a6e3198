/* SQLite database shared by the sqlite sink and other modules (tokens,
 * alerts): opening applies the settings and schema migrations below. */
#ifndef MITSU_SINK_SQLITE_H
#define MITSU_SINK_SQLITE_H
#include <stddef.h>
#include <sqlite3.h>

/* Schema version this build migrates to (PRAGMA user_version). */
int sink_sqlite_schema_version(void);

/* Opens (creating it and its parent directory if missing) the database at
 * path, sets WAL mode, synchronous=FULL, a busy timeout and foreign keys, and
 * runs every pending migration in one transaction.  Fails, naming the file in
 * err, if the database's schema is newer than this build's.  0 or -errno;
 * *db is NULL on failure, else close it with sqlite3_close. */
int sink_sqlite_open_db(const char *path, sqlite3 **db, char *err, size_t errlen);

#endif
