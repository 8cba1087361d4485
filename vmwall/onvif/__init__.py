"""vmwall.onvif"""
