"""vmwall.ptz"""
