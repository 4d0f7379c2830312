"""Holds a writer open on an SQLite database until stdin closes, then commits.

  sqlite_writer.py DB wal RUN_ID      switches DB to WAL, disables checkpoints, commits a tag
                                      `wal.tag` on RUN_ID (so it lives only in DB-wal), and
                                      keeps the connection open
  sqlite_writer.py DB lock RUN_ID     rollback-journal mode: opens a write transaction that
                                      sets tag `locked.tag` and keeps it uncommitted
Prints 'ready' when the state is in place.
"""
import sqlite3
import sys

db, mode, run_id = sys.argv[1:4]
con = sqlite3.connect(db, isolation_level=None)
if mode == 'wal':
    con.execute('PRAGMA journal_mode=WAL')
    con.execute('PRAGMA wal_autocheckpoint=0')
    con.execute("INSERT INTO tags(key, value, run_uuid) VALUES ('wal.tag', 'from the wal', ?)", (run_id,))
else:
    con.execute('BEGIN IMMEDIATE')
    con.execute("INSERT INTO tags(key, value, run_uuid) VALUES ('locked.tag', 'uncommitted', ?)", (run_id,))
print('ready', flush=True)
sys.stdin.read()
if mode != 'wal':
    con.execute('COMMIT')
con.close()
