"""Benchmark of scaleway-nats against the official Scaleway SDK and raw httpx.

Run it::

    nox -s bench                        # full run, about 7 minutes on 2 cores
    nox -s bench -- --quick             # smaller sizes, 2 repeats: about 45 s
    python -m scripts.bench [--quick] [--repeats N] [--only SCENARIO ...] [--output PATH]

What it does: starts one local emulator (``python -m scaleway_nats.local``, i.e. one
``LocalScaleway`` with two nats-servers, in its own process so that its CPU work does not share
this interpreter's GIL with the clients being timed), creates accounts through the API, seeds
the large credentials lists through the emulator's public hook (``scaleway_nats.local.
seed_credentials``: one transaction in its store), then times every scenario for three peers
against that same emulator:

- ``ours``: ``NatsAPI`` / ``AsyncNatsAPI`` (this project);
- ``sdk``: the official ``scaleway`` SDK (``MnqV1Beta1NatsAPI``, on ``requests``);
- ``raw``: one keep-alive ``httpx`` client and ``json.loads``, nothing else: the floor.

Scenarios: ``get`` (1,000 sequential calls; async with 20 in flight), ``list`` (5,000 items at
page_size 100; 2,000 at page_size 1), ``create`` (200 credentials created then deleted, in a
fresh account per run), ``quickstart`` (nothing to first NATS message over TLS), ``overhead``
(CPU per call on an in-process ``httpx.MockTransport``: what the wrapper adds) and ``memory``
(peak RSS iterating 50,000 items, each in a fresh subprocess; ours also at 5,000; the peak
is the probe's VmHWM, as ``ru_maxrss`` is inherited across execve: see memory_probe.py).

``network`` (issue 13) runs get, list all, create (unnamed, and named in a crowded account) and
the quickstart again at each round-trip time of ``rtts_ms`` (0, 10, 40 ms; quick: 0, 40): a
``scaleway_nats.local.latency`` proxy process in front of the API adds half the round trip
each way, per chunk, so connection set-up and TLS handshakes pay it like on a real network and
concurrent requests overlap (the NATS connection of the quickstart is not delayed). Peers:
``ours`` (the default client: HTTP/2 over HTTPS), ``ours-h1`` (``http2=False``), ``sdk`` and
``raw`` (HTTP/1.1, one keep-alive connection).
``coldstart`` times whole processes, start to exit, taking turns: ``python -c pass`` (the
floor), ``import scaleway_nats``, ``import scaleway.mnq.v1beta1`` (the SDK), ``from
scaleway_nats import NatsAPI`` (what a program using the client pays) and ``scw-nats --help``.
``startup`` (issue 14) times ``LocalScaleway.start()`` in this process, taking turns: both
regions with one nats-server each, then with a 3-node cluster each (routed, JetStream
current); the 3-node row's note gives the ratio to the 1-node start-up.

Read it: stdout gets one Markdown row per scenario and peer with the median and p95 over the
repeated runs, per operation (see the unit column); ``sdk / ours`` > 1 means ours is faster,
``ours / raw`` is what the wrapper costs over the floor (< 1 where ours fetches pages
concurrently and raw reads them one by one). A failed cell (the SDK's recursive pagination at
page_size 1) shows the exception instead of numbers. Then each target, met or not. stderr gets
one progress line per scenario; the JSON file (``--output``) gets every sample, the quickstart
step timings, the memory probes' details and machine information.

Layout: ``runner`` (command line), ``sizes`` (full and quick), ``measuring`` (repeats, rows),
``emulator`` (the child emulator and its accounts), ``peers`` (the three clients and what their
runs share), ``scenarios/`` (one module per family; the registry in its ``__init__``),
``report`` (targets, Markdown, JSON); ``memory_probe`` and ``rotation_drill`` run beside it.
"""
