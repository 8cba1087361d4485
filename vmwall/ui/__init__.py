"""vmwall.ui"""
