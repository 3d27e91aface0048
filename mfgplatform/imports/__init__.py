"""CSV/XLSX import and export of master data, keyed by business codes, with history and an audit trail."""
