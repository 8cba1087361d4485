"""vmwall.sim"""
