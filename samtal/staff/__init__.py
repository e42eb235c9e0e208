"""Everything staff do: sign-in, admin, caseload, consent, summaries. Swedish-only for now.

Their texts go through gettext into a separate template (i18n/staff.pot), so the family-facing
catalogs stay complete and staff pages can be translated later without code changes.
"""
