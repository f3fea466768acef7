"""Who may see what: users, groups, tokens, the one policy check, the audit trail."""
