"""The tertial report: tables from the marts, disclosure control, HTML and Excel, frozen versions."""
