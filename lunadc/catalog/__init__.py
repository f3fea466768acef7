"""The catalog database: schema, migrations and every query. Nothing outside it writes SQL."""
