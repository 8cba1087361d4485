"""vmwall.config"""
