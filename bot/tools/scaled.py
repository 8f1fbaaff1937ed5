"""`make run-scaled`: Rasa scaled the documented way, on this machine, behind one address.

PostgreSQL holds the app database and the tracker store, Redis holds Rasa's conversation locks
and carries socket.io messages between replicas (a staff reply sent through one replica reaches a
page connected to another), N Rasa servers each with an action server, one web server, and nginx
in front: the chat page, the console and the channels' webhooks on one port, socket.io sticky.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

import yaml

from bot.settings import BUILD, Settings, TrackerSettings
from bot.tools import launcher
from bot.tools.services import Nginx, Postgres, Redis

HOME = BUILD / "scaled"
TRACKER_DB = "zgfw_tracker"


def replica(settings: Settings, number: int) -> Settings:
    """Replica `number`'s ports: the Rasa and action ports counted up from the configured ones."""
    return settings.copy(update={"rasa_port": settings.rasa_port + number,
                                 "action_port": settings.action_port + number})


def endpoints(postgres: Postgres, redis: Redis, home: Path) -> Path:
    """endpoints.yml of every replica: the shared tracker store and lock store (actions come from the environment)."""
    path = home / "endpoints.yml"
    path.write_text(yaml.safe_dump({
        "action_endpoint": {"url": "${ZGFW_ACTION_URL}"},
        "tracker_store": {"type": "bot.store.tracker_store.ThreadedSQLTrackerStore", "dialect": "postgresql",
                          "url": "127.0.0.1", "port": postgres.port, "db": TRACKER_DB, "username": "postgres"},
        "lock_store": {"type": "bot.store.locks.AtomicRedisLockStore", "url": "127.0.0.1", "port": redis.port,
                       "db": 1, "key_prefix": "zgfw"},
    }), encoding="utf-8")
    return path


def nginx_config(settings: Settings, home: Path) -> str:
    """One public port: socket.io sticky by client address, webhooks spread, the rest to the web server."""
    ports = [replica(settings, n).rasa_port for n in range(settings.replicas)]
    servers = "".join(f"    server {settings.host}:{port};\n" for port in ports)
    temp = "".join(f"  {kind}_temp_path {home / 'spool' / kind};\n"
                   for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    forwarded = "proxy_set_header Host $host; proxy_set_header X-Forwarded-For $remote_addr;"
    # Connections to the upstreams are kept open between requests (HTTP/1.1, no "Connection: close"),
    # so a message costs no TCP set-up in nginx or Sanic; nginx lets an idle one go after 4 s, before
    # Sanic's 5 s keep-alive closes it, so a request never goes out on a connection being closed.
    reused = 'proxy_http_version 1.1; proxy_set_header Connection "";'
    keep = "keepalive 16; keepalive_timeout 4s;"
    return f"""worker_processes 1;
pid {home}/nginx.pid;
error_log {home}/logs/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
{temp}  upstream rasa {{
{servers}    {keep}
  }}
  upstream rasa_sticky {{
    ip_hash;
{servers}  }}
  upstream web {{ server {settings.host}:{settings.web_port}; {keep} }}
  map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
  server {{
    listen {settings.host}:{settings.public_port};
    client_max_body_size 1m;
    location /socket.io/ {{
      proxy_pass http://rasa_sticky; proxy_http_version 1.1; proxy_read_timeout 1h;
      proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection $connection_upgrade; {forwarded}
    }}
    location /webhooks/ {{ proxy_pass http://rasa; {reused} {forwarded} }}
    location / {{ proxy_pass http://web; {reused} {forwarded} }}
  }}
}}
"""


class ScaledStack:
    """Everything `make run-scaled` runs, started and stopped together."""

    def __init__(self, settings: Settings, home: Path = HOME, postgres_home: Path | None = None) -> None:
        """Folders and ports; nothing starts yet (PostgreSQL's folder must be reachable by its own user)."""
        self.home = home
        self.postgres = Postgres(postgres_home or home / "postgres", settings.postgres_port)
        self.redis = Redis(home / "redis", settings.redis_port)
        self.settings = settings
        self.children: list[launcher.Child] = []

    def start(self, output: IO | None = None) -> list[launcher.Child]:
        """Databases first (migrated, classes loaded), then the replicas, the web server and nginx."""
        self.postgres.start()
        self.redis.start()
        # The web server reads the replicas' tracker store too (the console's live pages, bot/web/live.py).
        tracker = TrackerSettings(dialect="postgresql", host=f"127.0.0.1:{self.postgres.port}", db=TRACKER_DB,
                                  user="postgres")
        shared = self.settings.copy(update={"database_url": self.postgres.database("zgfw_app"),
                                            "redis_url": self.redis.url, "tracker": tracker})
        self.postgres.database(TRACKER_DB)
        launcher.prepare_database(shared.database_url, shared)
        config = endpoints(self.postgres, self.redis, self.home)
        nginx = Nginx(self.home / "nginx", nginx_config(shared, self.home / "nginx"))
        processes = [process for n in range(shared.replicas)
                     for process in launcher.rasa_pair(replica(shared, n), config, f" {n + 1}")]
        public = f"http://{shared.host}:{shared.public_port}"
        processes += [launcher.web_server(shared, SANIC_PROXIES_COUNT="1"),  # the address nginx saw, for throttling
                      launcher.Process("nginx", nginx.argv(), f"{public}/healthz", launcher.child_environment(shared))]
        # The first replica alone first: it creates the tracker store's tables, which several at once would race on.
        self.children = launcher.launch(processes[:2], output)
        self.children += launcher.launch(processes[2:], output)
        return self.children

    def stop(self) -> None:
        """Our processes, then Redis and PostgreSQL (their data stays in build/scaled)."""
        launcher.stop(self.children)
        self.redis.stop()
        self.postgres.stop()


def run(settings: Settings) -> int:
    """`python -m bot run --scaled`: start, print where to go, stop everything on Ctrl-C."""
    settings = settings.copy(update={"public_port": settings.public_port or 8080})
    stack = ScaledStack(settings)
    public = f"http://{settings.host}:{settings.public_port}"
    return launcher.serve(stack.start, f"\n职工服务助手 is running, scaled: {settings.replicas} Rasa replicas.\n"
                          f"  Chat page:       {public}/\n"
                          f"  Staff console:   {public}/console\n"
                          f"  REST / WeChat:   {public}/webhooks/rest/webhook, {public}/webhooks/wechat/webhook\n"
                          f"  PostgreSQL:      127.0.0.1:{settings.postgres_port} (app and tracker databases)\n"
                          f"  Redis:           127.0.0.1:{settings.redis_port} (locks, socket.io between replicas)\n"
                          f"Press Ctrl-C to stop.\n", after=stack.stop)
