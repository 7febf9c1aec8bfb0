"""A private Icecast server fed by ffmpeg source clients, for the IceCastClient tests.

Standard library only.  Recipe (measured here with Icecast 2.4.4 and ffmpeg 5.1, Debian 12):

- ``icecast2 -c conf.xml`` in the foreground, the config written into a temporary directory: one
  listen socket on 127.0.0.1 and a free port, log files and the pid file in the temporary directory,
  the Debian admin pages (/usr/share/icecast2/admin, needed by /admin/metadata) and a web root of our
  own (the Debian web pages plus ``page.html``, an HTML page the server itself serves as text/html).
- Icecast refuses to run as root unless the config has ``<security><changeowner>``.  As root the server
  is started as nobody:nogroup by ``setpriv --reuid --regid --clear-groups --pdeathsig TERM`` (util-linux),
  so it also dies with the test process if that is killed (a changeowner config would clear the
  parent-death signal when it switches user); without setpriv the config's changeowner switches to
  nobody:nogroup after binding the port.  Either way the log directory is chowned to nobody first.
  As any other user it runs as that user.  ffmpeg sources get ``setpriv --pdeathsig KILL`` too, and
  exit by themselves when the server goes away.
- ffmpeg feeds a mount: ``ffmpeg -re -stream_loop -1 -i samples/tone.mp3 -c:a copy -f mp3
  -content_type audio/mpeg -ice_name ... icecast://source:PASS@127.0.0.1:PORT/x.mp3`` (Ogg Vorbis the
  same with ``-f ogg -content_type application/ogg``).  ffmpeg's icecast protocol cannot send
  ``ice-audio-info``; a mount configured with ``mount_headers`` sends it to listeners as a plain HTTP
  header (Icecast's per-mount ``<http-headers>``).
- What a listener with ``Icy-MetaData: 1`` gets on an MP3 mount: ``icy-name``, ``icy-genre``,
  ``icy-description``, ``icy-url``, ``icy-pub`` and ``icy-metaint: 16000``; the first metadata block is
  ``StreamTitle='';``.  Ogg mounts have no ``icy-metaint`` (the title lives in the Vorbis comments).
- ``/admin/metadata?mount=/x.mp3&mode=updinfo&song=TITLE`` (basic auth admin:PASS) puts
  ``StreamTitle='TITLE';`` into the next metadata block of every listener, the title copied verbatim
  (no escaping of quotes or ``;``).  The default mount settings here declare ``<charset>UTF-8``, so a
  UTF-8 title arrives as UTF-8 (Icecast's default for MP3 mounts would be ISO-8859-1).
- Killing the source ends every listener's connection at once (a clean end of the HTTP body); a
  request for a mount without a source is a 404 (text/html).
- SIGTERM stops the server within about a second.

Usage::

    with IcecastServer() as ice:
        src = ice.start_mp3_source("/x.mp3", name="Station")   # waits until the mount is live
        url = ice.url("/x.mp3")
        ice.update_title("/x.mp3", "New title")
        src.kill()
"""

import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from xml.sax.saxutils import escape, quoteattr

import procs  # tests/procs.py (same folder)

__all__ = [
    "IcecastServer",
    "IcecastServerError",
    "SourceProcess",
    "icecast_available",
    "free_port",
    "AUDIO_INFO",
    "INFO_MOUNT",
    "HTML_PAGE",
]

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
SAMPLES_DIR = os.path.join(os.path.dirname(TESTS_DIR), "samples")
DEBIAN_WEBROOT = "/usr/share/icecast2/web"
DEBIAN_ADMINROOT = "/usr/share/icecast2/admin"

# The mount the default configuration gives an ice-audio-info header, and that header's value.
INFO_MOUNT = "/info.mp3"
AUDIO_INFO = "ice-samplerate=44100;ice-bitrate=128;ice-channels=2"
# An HTML page served by the server itself (text/html, 200) from its web root.
HTML_PAGE = "/page.html"


class IcecastServerError(RuntimeError):
    """The server or a source did not start, died, or an admin request failed.  The message carries
    the relevant log."""


def icecast_available():
    """None when a private Icecast server with ffmpeg sources can run here, else the reason why not
    (the programs that are missing)."""
    missing = [prog for prog in ("icecast2", "ffmpeg") if shutil.which(prog) is None]
    if missing:
        return "%s not installed (Debian packages icecast2, ffmpeg)" % ", ".join(missing)
    for d in (DEBIAN_WEBROOT, DEBIAN_ADMINROOT):
        if not os.path.isdir(d):
            return "%s missing (Debian package icecast2)" % d
    return None


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago (nothing listens on it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path, limit=6000):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return ""
    return data[-limit:].decode("utf-8", "replace")


class SourceProcess:
    """A running ffmpeg source client feeding one mount.  kill() ends it abruptly (SIGKILL, like a
    crashed encoder), stop() politely; both wait for the process."""

    def __init__(self, proc, mount, log_path, cmd):
        self.proc = proc
        self.mount = mount
        self.log_path = log_path
        self.cmd = cmd
        self.live_since = None  # time.monotonic() when the mount was seen live

    def wait_live_for(self, seconds):
        """Sleep until the mount has been live for `seconds` (e.g. so the server's burst is full)."""
        assert self.live_since is not None, "the mount was never seen live"
        left = self.live_since + seconds - time.monotonic()
        if left > 0:
            time.sleep(left)
        if not self.alive:
            raise IcecastServerError("the source of %s died:\n%s" % (self.mount, self.log()))

    @property
    def pid(self):
        return self.proc.pid

    @property
    def alive(self):
        return self.proc.poll() is None

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc.wait(timeout=10)

    def log(self):
        return _tail(self.log_path)


class IcecastServer:
    """A private Icecast server on 127.0.0.1, as a context manager.

    Attributes once started: port, base_url ("http://127.0.0.1:PORT"), source_password,
    admin_user/admin_password, tmpdir (config, logs, web root; removed by stop()), conf_path.

    mount_headers: {mount: {header: value}} sent to every listener of that mount (default: INFO_MOUNT
    gets ``ice-audio-info: AUDIO_INFO``).
    """

    def __init__(self, source_password="src-pw-1234", admin_password="adm-pw-5678", mount_headers=None,
                 start_timeout=20.0, burst_size=65536, queue_size=524288, source_timeout=5, use_setpriv=None):
        self.source_password = source_password
        self.admin_user = "admin"
        self.admin_password = admin_password
        if mount_headers is None:
            mount_headers = {INFO_MOUNT: {"ice-audio-info": AUDIO_INFO}}
        self.mount_headers = mount_headers
        self.start_timeout = start_timeout
        self.burst_size = burst_size
        self.queue_size = queue_size
        self.source_timeout = source_timeout
        # setpriv: run as nobody (when root) and die with this process; None: when it is installed
        self.use_setpriv = shutil.which("setpriv") is not None if use_setpriv is None else use_setpriv
        self.port = None
        self.base_url = None
        self.tmpdir = None
        self.conf_path = None
        self._proc = None
        self._out = None
        self._sources = []

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self):
        reason = icecast_available()
        if reason:
            raise IcecastServerError(reason)
        if self._proc is not None:
            raise IcecastServerError("already started")
        try:
            self.tmpdir = tempfile.mkdtemp(prefix="ma-icecast-")
            # The server drops root for nobody: it must reach the config, web root and log directory.
            os.chmod(self.tmpdir, 0o755)
            self._logdir = os.path.join(self.tmpdir, "log")
            self._webroot = os.path.join(self.tmpdir, "web")
            os.mkdir(self._logdir)
            os.mkdir(self._webroot)
            for name in os.listdir(DEBIAN_WEBROOT):
                src = os.path.join(DEBIAN_WEBROOT, name)
                if os.path.isfile(src):
                    shutil.copy(src, self._webroot)
            with open(os.path.join(self._webroot, HTML_PAGE.lstrip("/")), "w") as f:
                f.write("<!DOCTYPE html>\n<html><head><title>Not a stream</title></head>"
                        "<body><p>This is a web page, not an audio stream.</p></body></html>\n")
            for root, dirs, files in os.walk(self.tmpdir):
                for d in dirs:
                    os.chmod(os.path.join(root, d), 0o755)
                for fn in files:
                    os.chmod(os.path.join(root, fn), 0o644)
            if os.geteuid() == 0:
                os.chown(self._logdir, *_nobody_ids())
            # A port that was free a moment ago; another process could take it first, so retry.
            last_error = None
            for _attempt in range(3):
                self.port = free_port()
                self.base_url = "http://127.0.0.1:%d" % self.port
                self.conf_path = os.path.join(self.tmpdir, "icecast.xml")
                with open(self.conf_path, "w") as f:
                    f.write(self._config())
                os.chmod(self.conf_path, 0o644)
                self._out = open(os.path.join(self.tmpdir, "icecast.out"), "wb")
                # start_new_session: a Ctrl-C in the terminal reaches pytest, not the server.
                cmd = self._launcher("TERM", drop_root=True) + ["icecast2", "-c", self.conf_path]
                self._proc = subprocess.Popen(cmd, cwd=self.tmpdir, stdin=subprocess.DEVNULL, stdout=self._out,
                                              stderr=subprocess.STDOUT, start_new_session=True)
                try:
                    self._wait_ready()
                    break
                except IcecastServerError as e:
                    last_error = e
                    self._stop_server()
                    if "bind" not in str(e).lower():
                        raise
            else:
                raise last_error
        except BaseException:
            self.stop()
            raise
        return self

    def _launcher(self, deathsig, drop_root=False):
        """The command prefix that runs the server or a source: setpriv (the process gets `deathsig`
        when the thread that started it ends, so start them from the main thread; as nobody when
        drop_root and we are root) or nothing."""
        if not self.use_setpriv:
            return []
        cmd = ["setpriv", "--pdeathsig", deathsig]
        if drop_root and os.geteuid() == 0:
            uid, gid = _nobody_ids()
            cmd += ["--reuid=%d" % uid, "--regid=%d" % gid, "--clear-groups"]
        return cmd

    def _config(self):
        changeowner = ""
        if os.geteuid() == 0 and not self.use_setpriv:
            user, group = _nobody_names()
            changeowner = ("<changeowner><user>%s</user><group>%s</group></changeowner>"
                           % (escape(user), escape(group)))
        mounts = []
        for mount, headers in sorted(self.mount_headers.items()):
            hdrs = "".join("<header name=%s value=%s />" % (quoteattr(k), quoteattr(v))
                           for k, v in headers.items())
            mounts.append("""
  <mount type="normal">
    <mount-name>%s</mount-name>
    <charset>UTF-8</charset>
    <http-headers>%s</http-headers>
  </mount>""" % (escape(mount), hdrs))
        return """<icecast>
  <location>miniaudio tests</location>
  <admin>tests@localhost</admin>
  <hostname>127.0.0.1</hostname>
  <limits>
    <clients>50</clients>
    <sources>10</sources>
    <queue-size>%(queue)d</queue-size>
    <client-timeout>30</client-timeout>
    <header-timeout>15</header-timeout>
    <source-timeout>%(source_timeout)d</source-timeout>
    <burst-on-connect>1</burst-on-connect>
    <burst-size>%(burst)d</burst-size>
  </limits>
  <authentication>
    <source-password>%(source_pw)s</source-password>
    <relay-password>%(source_pw)s</relay-password>
    <admin-user>%(admin_user)s</admin-user>
    <admin-password>%(admin_pw)s</admin-password>
  </authentication>
  <listen-socket>
    <port>%(port)d</port>
    <bind-address>127.0.0.1</bind-address>
  </listen-socket>
  <mount type="default">
    <charset>UTF-8</charset>
  </mount>%(mounts)s
  <fileserve>1</fileserve>
  <paths>
    <basedir>%(tmp)s</basedir>
    <logdir>%(logdir)s</logdir>
    <webroot>%(webroot)s</webroot>
    <adminroot>%(adminroot)s</adminroot>
    <pidfile>%(logdir)s/icecast.pid</pidfile>
  </paths>
  <logging>
    <accesslog>access.log</accesslog>
    <errorlog>error.log</errorlog>
    <loglevel>3</loglevel>
    <logsize>10000</logsize>
  </logging>
  <security>
    <chroot>0</chroot>
    %(changeowner)s
  </security>
</icecast>
""" % dict(queue=self.queue_size, source_timeout=self.source_timeout, burst=self.burst_size,
           source_pw=escape(self.source_password), admin_user=escape(self.admin_user),
           admin_pw=escape(self.admin_password), port=self.port, mounts="".join(mounts),
           tmp=escape(self.tmpdir), logdir=escape(self._logdir), webroot=escape(self._webroot),
           adminroot=escape(DEBIAN_ADMINROOT), changeowner=changeowner)

    def _wait_ready(self):
        """Poll /status-json.xsl until the server answers (or dies, or the deadline passes)."""
        deadline = time.monotonic() + self.start_timeout
        last = None
        while True:
            if self._proc.poll() is not None:
                raise IcecastServerError("icecast2 exited with code %s before answering:\n%s"
                                         % (self._proc.returncode, self.log()))
            try:
                self.status()
                return
            except (OSError, ValueError) as e:
                last = e
            if time.monotonic() > deadline:
                raise IcecastServerError("icecast2 did not answer on port %d within %.0f s (%r)\n%s"
                                         % (self.port, self.start_timeout, last, self.log()))
            time.sleep(0.05)

    def _stop_server(self):
        proc, self._proc = self._proc, None
        procs.terminate(proc)
        if self._out is not None:
            self._out.close()
            self._out = None

    def stop(self):
        """Kill every source, stop the server, remove the temporary directory."""
        sources, self._sources = self._sources, []
        for src in sources:
            try:
                src.kill()
            except Exception:
                pass
        self._stop_server()
        if self.tmpdir is not None:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def alive(self):
        return self._proc is not None and self._proc.poll() is None

    def log(self):
        """The server's stdout/stderr and error log so far (for failure messages)."""
        if self.tmpdir is None:
            return ""
        return ("--- icecast2 output ---\n" + _tail(os.path.join(self.tmpdir, "icecast.out"))
                + "\n--- error.log ---\n" + _tail(os.path.join(self.tmpdir, "log", "error.log")))

    # -- HTTP --------------------------------------------------------------------------------

    def url(self, mount):
        return self.base_url + mount

    def status(self, timeout=5.0):
        """/status-json.xsl as a dict (the "icestats" object)."""
        with urllib.request.urlopen(self.base_url + "/status-json.xsl", timeout=timeout) as r:
            return json.loads(r.read().decode("utf-8"))["icestats"]

    def mounts(self):
        """{mount: its status dict} of the live mounts."""
        sources = self.status().get("source", [])
        if isinstance(sources, dict):  # one source: an object, not a list
            sources = [sources]
        out = {}
        for s in sources:
            out[urllib.parse.urlsplit(s.get("listenurl", "")).path] = s
        return out

    def wait_mount(self, mount, timeout=15.0, source=None):
        """Wait until `mount` is live (listed in /status-json.xsl); returns its status dict."""
        deadline = time.monotonic() + timeout
        while True:
            if source is not None and not source.alive:
                raise IcecastServerError("source for %s exited with code %s:\n%s\n%s"
                                         % (mount, source.proc.returncode, source.log(), self.log()))
            try:
                info = self.mounts().get(mount)
            except (OSError, ValueError):
                info = None
            if info is not None:
                return info
            if time.monotonic() > deadline:
                raise IcecastServerError("mount %s not live within %.0f s\n%s%s"
                                         % (mount, timeout, source.log() if source else "", self.log()))
            time.sleep(0.05)

    def wait_mount_gone(self, mount, timeout=15.0):
        deadline = time.monotonic() + timeout
        while mount in self.mounts():
            if time.monotonic() > deadline:
                raise IcecastServerError("mount %s still live after %.0f s" % (mount, timeout))
            time.sleep(0.05)

    def admin(self, path, **params):
        """GET /admin/PATH?params with basic auth; returns the response body (bytes)."""
        url = "%s/admin/%s?%s" % (self.base_url, path, urllib.parse.urlencode(params))
        auth = base64.b64encode(("%s:%s" % (self.admin_user, self.admin_password)).encode()).decode()
        req = urllib.request.Request(url, headers={"Authorization": "Basic " + auth})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.read()
        except urllib.error.HTTPError as e:
            raise IcecastServerError("admin request %s failed: %s %s" % (url, e.code, e.read()[:500])) from e

    def update_title(self, mount, title):
        """Set the stream title of `mount` (Icecast's admin metadata update); every listener gets
        ``StreamTitle='title';`` in its next ICY metadata block."""
        body = self.admin("metadata", mount=mount, mode="updinfo", song=title, charset="UTF-8")
        if b"<return>1</return>" not in body:
            raise IcecastServerError("metadata update of %s refused: %r" % (mount, body))

    # -- sources -----------------------------------------------------------------------------

    def start_source(self, mount, sample, muxer, content_type, name=None, genre=None, description=None,
                     url=None, wait=True, extra_args=()):
        """Start ffmpeg looping samples/`sample` in real time (-re -stream_loop -1, -c:a copy) into
        `mount`; waits until the mount is live unless wait=False.  Returns a SourceProcess."""
        path = sample if os.path.isabs(sample) else os.path.join(SAMPLES_DIR, sample)
        target = "icecast://source:%s@127.0.0.1:%d%s" % (urllib.parse.quote(self.source_password, safe=""),
                                                           self.port, mount)
        cmd = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "warning",
               "-re", "-stream_loop", "-1", "-i", path, "-map", "0:a", "-c:a", "copy"]
        cmd += list(extra_args)
        cmd += ["-content_type", content_type, "-ice_public", "0"]
        for opt, value in (("-ice_name", name), ("-ice_genre", genre), ("-ice_description", description),
                           ("-ice_url", url)):
            if value is not None:
                cmd += [opt, value]
        cmd += ["-f", muxer, target]
        log_path = os.path.join(self.tmpdir, "ffmpeg%s.log" % mount.replace("/", "_"))
        with open(log_path, "ab") as log:
            proc = subprocess.Popen(self._launcher("KILL") + cmd, stdin=subprocess.DEVNULL, stdout=log,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        src = SourceProcess(proc, mount, log_path, cmd)
        self._sources.append(src)
        if wait:
            try:
                self.wait_mount(mount, source=src)
            except BaseException:
                src.kill()
                raise
            src.live_since = time.monotonic()
        return src

    @property
    def sources(self):
        """The SourceProcesses started so far (running or not)."""
        return list(self._sources)

    def start_mp3_source(self, mount, sample="tone.mp3", **kw):
        """MP3 (the sample's frames copied, no ID3/Xing header in the stream) as audio/mpeg."""
        return self.start_source(mount, sample, "mp3", "audio/mpeg",
                                 extra_args=("-id3v2_version", "0", "-write_xing", "0"), **kw)

    def start_ogg_source(self, mount, sample="tone.ogg", content_type="application/ogg", **kw):
        """Ogg Vorbis (the sample's packets copied) as application/ogg (or audio/ogg)."""
        return self.start_source(mount, sample, "ogg", content_type, **kw)


def _nobody_ids():
    import grp
    import pwd
    user, group = _nobody_names()
    return pwd.getpwnam(user).pw_uid, grp.getgrnam(group).gr_gid


def _nobody_names():
    """The unprivileged user and group Icecast switches to when started as root."""
    import grp
    for group in ("nogroup", "nobody"):
        try:
            grp.getgrnam(group)
            return "nobody", group
        except KeyError:
            pass
    return "nobody", "nobody"
