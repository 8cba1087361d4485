"""vmwall.journal"""
