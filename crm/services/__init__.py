"""CRM services: the only code that changes CRM rows. Keyword-only arguments throughout."""
