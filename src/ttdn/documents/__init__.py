"""Documents in and out: reading plans from TXT/DOCX/PDF into a reviewable draft, and writing reports as
DOCX in the Decree 30/2020/NĐ-CP format and tables as XLSX."""
