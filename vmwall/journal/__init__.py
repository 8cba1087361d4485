"""The main courante (operators' journal), incident bookmarks and the audit trail. Qt-free.

- `vmwall.journal.service.JournalService`: the facade the console and the CLI use (writes return
  futures and never block; reads block; listeners for live updates). Read its module docstring
  for the threading contract.
- `vmwall.journal.audit.AuditSink` (``service.audit``): what other parts' events become audit
  records through (logins, live views, snapshots, PTZ, wall pushes, user and right changes).
- `vmwall.journal.writer.JournalWriter`: the one writer (local write-ahead queue, then batched
  database transactions; queued while the database is away, applied in order exactly once).
- `vmwall.journal.drafts.DraftStore`: draft autosave that survives a crash.
- `vmwall.journal.report` / `export` / `stats`: shift report (HTML), exports, monthly statistics.

Domain types are in `vmwall.model.journal` and `vmwall.model.audit`; persistence in
`vmwall.store.repositories` (journal, journal_search, journal_writes, bookmarks, audit).
"""
