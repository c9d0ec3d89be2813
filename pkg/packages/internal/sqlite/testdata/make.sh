#!/bin/bash
# Regenerates rows.sqlite with SQLite itself (the sqlite3 command-line tool).
# Run from this directory: bash make.sh
#
# Table t has 3000 rows in 512-byte pages, so its b-tree has interior pages
# on more than one level; row id = i (1..3000) holds
#   n = i - 1500, f = i / 4.0, s = 'row ' || i, b = NULL
# except that every 500th row's b is a 3000-byte blob of the letter 'A' + i % 26
# (spilling onto a chain of overflow pages) and every 7th row's s is NULL.
set -euo pipefail
rm -f rows.sqlite
sqlite3 rows.sqlite <<'SQL'
PRAGMA page_size = 512;
CREATE TABLE other (x TEXT);
INSERT INTO other VALUES ('not this one');
CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, f REAL, s TEXT, b BLOB);
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 3000)
INSERT INTO t SELECT i, i - 1500, i / 4.0,
  CASE WHEN i % 7 = 0 THEN NULL ELSE 'row ' || i END,
  CASE WHEN i % 500 = 0 THEN CAST(printf('%.*c', 3000, char(65 + i % 26)) AS BLOB) END
FROM c;
VACUUM;
SQL
