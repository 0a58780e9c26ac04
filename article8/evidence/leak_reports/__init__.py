"""Generated leak-report documents (個人データの漏えい等の報告), kept as evidence of an incident."""
