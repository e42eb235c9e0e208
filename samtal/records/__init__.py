"""The child's data under GDPR and OSL: gallring, erasure on request, the register extract,
backup and restore. Core functions only; the admin's pages are in
staff/admin/records_pages.py and the commands in records/commands.py."""
