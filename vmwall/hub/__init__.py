"""The stream hub: one RTSP session per camera stream per machine, served to players as MPEG-TS.

Cameras speak RTSP, Debian's libVLC cannot, cameras accept few sessions, and a newly called camera
shows nothing until its next keyframe. The hub pulls each stream once (FFmpeg's RTSP demuxer
through PyAV), remuxes it to MPEG-TS once, keeps the current group of pictures, and serves every
local player over loopback HTTP, starting each new player on the cached keyframe with timestamps
that bring it straight back to live.
"""
