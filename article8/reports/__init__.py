"""Read side: posture metrics, the audit workbook and OSCAL exports."""
