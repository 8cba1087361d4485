"""vmwall.store"""
