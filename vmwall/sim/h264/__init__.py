"""Just enough H.264 (Annex B, CAVLC) to splice pre-encoded pictures with synthesised frames."""
