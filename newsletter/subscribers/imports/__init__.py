"""Importing readers from a CSV file, in three steps, one module each:

- `checks`: read and check the whole file (encoding, separator, columns, every row);
- `transaction`: the second pass, all rows in one transaction through the lifecycle (or a dry run);
- `uploads`: the upload page's import, run by a worker with a live progress bar.

The lifecycle (`lifecycle/imports.py`) writes the rows and their consent events.
"""
