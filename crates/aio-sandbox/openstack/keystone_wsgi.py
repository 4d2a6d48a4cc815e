"""Serves Keystone's public WSGI application on HOST PORT, a thread per
request (wsgiref with ThreadingMixIn). The configuration comes from
OS_KEYSTONE_CONFIG_FILES, as for any WSGI server running Keystone."""

import socketserver
import sys
from wsgiref import simple_server

host, port = sys.argv[1], int(sys.argv[2])
# oslo.config reads the command line: leave it nothing of ours.
del sys.argv[1:]

from keystone.server.wsgi import initialize_public_application  # noqa: E402


class Server(socketserver.ThreadingMixIn, simple_server.WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class Handler(simple_server.WSGIRequestHandler):
    def log_message(self, format, *args):
        sys.stderr.write("%s\n" % (format % args))


application = initialize_public_application()
server = simple_server.make_server(
    host, port, application, server_class=Server, handler_class=Handler
)
sys.stderr.write("keystone listening on %s:%d\n" % (host, port))
sys.stderr.flush()
server.serve_forever()
