"""Printed records an auditor accepts: the run sheet and the ceremony record.

The run sheet (runsheet.py) is printed from a checked plan before the
ceremony; the record (record.py) from a sealed bundle's transcript after it;
the evidence pack (evidence.py) gathers both with the bundle's files for an
auditor. Each is a Document (document.py) drawn as PDF (pdf.py) with its
plain text beside it (files.py). This layer reads plans and transcripts and
never runs a ceremony; the front ends and the rehearsal call it.
"""
