"""vmwall.wall"""
