"""vmwall.video"""
