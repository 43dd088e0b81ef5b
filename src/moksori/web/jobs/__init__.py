"""Voice builds: a queue in the database and the embedded worker process that runs it."""
