"""The video wall (*mur d'images*): controller, node agent and console client, over ZeroMQ.

Qt-free except ``node_display`` (the wall PC's windows). Modules, from the wire up:

- ``schema``, ``codec``, ``protocol``: strict JSON messages (protocol version, size caps, one-way
  message types, command arguments per action); ``state``: the key/value wall state that the
  controller owns and followers mirror; ``mirror``: the follower side of the Clone pattern.
- ``keys``: CurveZMQ key pairs and the allow-list; ``transport``: the only module that touches
  ZeroMQ sockets (ZAP authenticator, CurveZMQ, ``ZMQ_MAXMSGSIZE``); ``link``: a follower's
  connection (session, counters, snapshot and updates).
- ``commands`` (what each console command does, and who may), ``sequencer`` (tours on the
  controller's clock), ``roster`` (node heartbeats), ``guard`` (replay guard, once-per-peer
  drop log), ``persist`` (state file, push log), ``controller`` (the service).
- ``client`` (`WallClient`, for the console's wall panel and the CLI), ``node``
  (`WallNodeAgent` and the `NodeDisplay` protocol), ``null_node`` (a node without video).
"""
