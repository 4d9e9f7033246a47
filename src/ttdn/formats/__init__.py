"""Date and time formats of the interface: dd/mm/yyyy and 24-hour HH:mm in Vietnamese and English alike,
as Vietnamese administrative documents write them (the API keeps ISO 8601)."""
