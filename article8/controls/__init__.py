"""The control catalogue, inspections, findings, corrective actions and incidents."""
